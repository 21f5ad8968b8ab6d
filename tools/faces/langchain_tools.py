"""The run tools (``get_run``, ``find_runs``, ``show_citation``...) as LangChain tools.

    from tools.faces.langchain_tools import make_tools
    tools = make_tools(ExtendClient(api_key="sk_..."))   # or make_tools(run_tools)

Every tool uses ``response_format="content_and_artifact"``: the ``ToolMessage``
content is the text the model reads (the run summary, or the change made,
before -> after) and the artifact is the normalized run as a plain JSON dict,
``run.model_dump(mode="json", exclude={"raw"})``, so checkpointers can store it
and renderers rebuild it with ``Run.model_validate(artifact)``. For
``update_run_metadata`` the artifact is the updated run's dict plus one extra
key, ``"change"``: ``RunChange.model_dump(mode="json")`` (``Run`` ignores it).
A write made inside ``tools.faces.approved_change.approved_change(change)`` (the
agent's session resumes every approved change that way) happens only if the run
still yields the change the person was shown. ``show_citation``'s content is one
line (field, value, page) and its artifact holds the images
(``tools.faces.show_citation.image_artifact``: base64 PNG image blocks with alt
text, page and size), so a front end can show or upload them.

Failures never end an agent run: bad arguments and Extend errors come back as a
``ToolMessage`` with ``status="error"`` whose content says which run and what to
fix, and no artifact. Descriptions are product text in ``prompts/``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langchain_core.tools import BaseTool, StructuredTool, ToolException
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from prompts import WriteApproval
from tools.client.clients import ExtendClient
from tools.faces.approved_change import current_approved_change
from tools.faces.find_runs import FindOutput
from tools.faces.read_only import served_tool_names
from tools.faces.run_tools import RunTools, ToolOutput
from tools.faces.show_citation import image_artifact
from tools.faces.tool_arguments import (
    TOOL_ARGUMENTS,
    MetadataValue,
    argument_hints,
    invalid_arguments_message,
)
from tools.faces.tool_errors import ToolError, errors_as_tool_errors
from tools.faces.tool_names import (
    FIND_RUNS,
    GET_RUN,
    SHOW_CITATION,
    UPDATE_RUN_METADATA,
    describe_tool,
)
from tools.text.summary import LOW_CONFIDENCE

__all__ = ["find_artifact", "make_tools", "run_artifact"]


def run_artifact(output: ToolOutput) -> dict[str, Any]:
    """The artifact of a tool result: the run as a JSON dict (+ ``"change"`` after a write)."""
    artifact = output.run.model_dump(mode="json", exclude={"raw"})
    if output.change is not None:
        artifact["change"] = output.change.model_dump(mode="json")
    return artifact


def make_tools(
    client_or_run_tools: ExtendClient | RunTools,
    *,
    low_confidence: float = LOW_CONFIDENCE,
    approval: WriteApproval = "host",
    read_only: bool | None = None,
) -> list[BaseTool]:
    """The tools on one Extend client (or on an existing ``RunTools``).

    ``approval`` says what ``update_run_metadata``'s description tells the model
    happens before a write: ``"human"`` when the agent pauses every call for a
    person's yes (``agent.build_agent`` does; in your own ``create_agent``, add
    ``HumanInTheLoopMiddleware(interrupt_on=approval_interrupt_on(run_tools))``
    from ``tools.faces.langchain_approval``), ``"host"`` (the default) when it is
    up to the application, ``"none"`` when calls write at once. ``read_only``
    (default: ``EXTEND_AGENT_READ_ONLY``) leaves the writing tools out.
    """
    served = served_tool_names(read_only)
    if isinstance(client_or_run_tools, RunTools):
        run_tools = client_or_run_tools
    else:
        run_tools = RunTools(client_or_run_tools, low_confidence=low_confidence)

    def get_run(
        run_id: str, fields: list[str] | None = None, include_reasoning: bool = False
    ) -> tuple[str, dict[str, Any]]:
        return _answer(
            lambda: run_tools.get_run(run_id, fields=fields, include_reasoning=include_reasoning),
            doing=f"reading run {run_id}",
            reporting=f"preparing the result for run {run_id}",
        )

    def update_run_metadata(
        run_id: str,
        name: str | None = None,
        metadata: dict[str, MetadataValue] | None = None,
        add_tags: list[str] | None = None,
        remove_tags: list[str] | None = None,
    ) -> tuple[str, dict[str, Any]]:
        return _answer(
            lambda: run_tools.update_run_metadata(
                run_id,
                name=name,
                metadata=metadata,
                add_tags=add_tags,
                remove_tags=remove_tags,
                approved=current_approved_change(),
            ),
            doing=f"updating run {run_id}",
            reporting=f"reporting run {run_id} after the update (the update itself was made)",
        )

    def find_runs(**filters: Any) -> tuple[str, dict[str, Any]]:
        try:
            with errors_as_tool_errors("finding runs"):
                found = run_tools.find_runs(**filters)
                return found.text, find_artifact(found)
        except ToolError as error:
            raise ToolException(error.message) from None

    def show_citation(
        run_id: str, field: str, whole_page: bool = False, before_review: bool = False
    ) -> tuple[str, dict[str, Any]]:
        try:
            with errors_as_tool_errors(f"showing where {field!r} of run {run_id} was read"):
                output = run_tools.show_citation(
                    run_id, field, whole_page=whole_page, before_review=before_review
                )
                return output.text, image_artifact(output)
        except ToolError as error:
            raise ToolException(error.message) from None

    tools = [
        _tool(get_run, GET_RUN, approval),
        _tool(update_run_metadata, UPDATE_RUN_METADATA, approval),
        _tool(find_runs, FIND_RUNS, approval),
        _tool(show_citation, SHOW_CITATION, approval),
    ]
    return [tool for tool in tools if tool.name in served]


def find_artifact(found: FindOutput) -> dict[str, Any]:
    """The artifact of ``find_runs``: every match as a JSON dict (``RunListItem``), no raw JSON;
    for a ``reference``, the ``resolution`` and (one run named) the ``run`` as ``get_run``'s."""
    artifact: dict[str, Any] = {
        "runs": [m.item.model_dump(mode="json", exclude={"raw"}) for m in found.matches]
    }
    if found.resolution is not None:
        artifact["resolution"] = {
            "outcome": found.resolution.outcome,
            "reference": found.resolution.reference,
            "run_id": found.resolution.run_id,
            "total": found.resolution.total,
            "message": found.resolution.message,
        }
    if found.run is not None:
        artifact["run"] = found.run.model_dump(mode="json", exclude={"raw"})
    return artifact


def _answer(
    call: Callable[[], ToolOutput], *, doing: str, reporting: str
) -> tuple[str, dict[str, Any]]:
    """Run one tool call; every failure (a bug in this package too) becomes a ``ToolException``.

    ``doing`` and ``reporting`` name the step for the message: the call itself, and
    building the artifact afterwards (which, after a write, must not read as if the
    write failed).
    """
    try:
        with errors_as_tool_errors(doing):
            output = call()
        with errors_as_tool_errors(reporting):
            return output.text, run_artifact(output)
    except ToolError as error:
        raise ToolException(error.message) from None


def _tool(func: Any, name: str, approval: WriteApproval) -> StructuredTool:
    schema = TOOL_ARGUMENTS[name]
    return StructuredTool.from_function(
        func=func,
        name=name,
        description=describe_tool(name, approval=approval),
        args_schema=schema,
        response_format="content_and_artifact",
        handle_tool_error=True,
        handle_validation_error=_validation_message(name, schema),
    )


def _validation_message(name: str, schema: type[BaseModel]) -> Any:
    hints = argument_hints(schema)

    def message(error: PydanticValidationError | Any) -> str:
        if isinstance(error, PydanticValidationError):
            return invalid_arguments_message(name, error, hints)
        return f"Invalid arguments for {name}. Fix them and call {name} again."

    return message
