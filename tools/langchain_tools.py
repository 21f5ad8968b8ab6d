"""``get_run`` and ``update_run_metadata`` as LangChain tools, for any LangChain agent.

    from tools.langchain_tools import make_tools
    tools = make_tools(ExtendClient(api_key="sk_..."))   # or make_tools(run_tools)

Both tools use ``response_format="content_and_artifact"``: the ``ToolMessage``
content is the text the model reads (the run summary, or the change made,
before -> after) and the artifact is the normalized run as a plain JSON dict,
``run.model_dump(mode="json", exclude={"raw"})``, so checkpointers can store it
and renderers rebuild it with ``Run.model_validate(artifact)``. For
``update_run_metadata`` the artifact is the updated run's dict plus one extra
key, ``"change"``: ``RunChange.model_dump(mode="json")`` (``Run`` ignores it).

Failures never end an agent run: bad arguments and Extend errors come back as a
``ToolMessage`` with ``status="error"`` whose content says which run and what to
fix, and no artifact. Descriptions are product text in ``prompts/``.
"""

from __future__ import annotations

from typing import Any

from langchain_core.tools import BaseTool, StructuredTool, ToolException
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from prompts import load_prompt
from tools.client import ExtendClient
from tools.run_tools import RunTools, ToolError, ToolOutput
from tools.summary import LOW_CONFIDENCE

__all__ = ["GetRunArgs", "UpdateRunMetadataArgs", "make_tools", "run_artifact"]

MetadataValue = str | int | float | bool | None


class GetRunArgs(BaseModel):
    """Arguments of ``get_run``."""

    model_config = ConfigDict(extra="forbid")

    run_id: str = Field(description="The run id, e.g. workflow_run_1234.")
    fields: list[str] | None = Field(
        default=None,
        description='Only these extracted fields, e.g. ["total", "due_date"]; omit for all.',
    )
    include_reasoning: bool = Field(
        default=False, description="Also return the extraction model's reasoning per field."
    )


class UpdateRunMetadataArgs(BaseModel):
    """Arguments of ``update_run_metadata``."""

    model_config = ConfigDict(extra="forbid")

    run_id: str = Field(description="The run id, e.g. workflow_run_1234.")
    name: str | None = Field(default=None, description="The new run name; omit to keep it.")
    metadata: dict[str, MetadataValue] | None = Field(
        default=None,
        description='Metadata keys to set, e.g. {"vendor": "ACME"}; other keys are kept.',
    )
    add_tags: list[str] | None = Field(
        default=None, description='Labels to add to the run\'s tags, e.g. ["urgent"].'
    )


def run_artifact(output: ToolOutput) -> dict[str, Any]:
    """The artifact of a tool result: the run as a JSON dict (+ ``"change"`` after a write)."""
    artifact = output.run.model_dump(mode="json", exclude={"raw"})
    if output.change is not None:
        artifact["change"] = output.change.model_dump(mode="json")
    return artifact


def make_tools(
    client_or_run_tools: ExtendClient | RunTools, *, low_confidence: float = LOW_CONFIDENCE
) -> list[BaseTool]:
    """The two tools on one Extend client (or on an existing ``RunTools``)."""
    if isinstance(client_or_run_tools, RunTools):
        run_tools = client_or_run_tools
    else:
        run_tools = RunTools(client_or_run_tools, low_confidence=low_confidence)

    def get_run(
        run_id: str, fields: list[str] | None = None, include_reasoning: bool = False
    ) -> tuple[str, dict[str, Any]]:
        try:
            output = run_tools.get_run(run_id, fields=fields, include_reasoning=include_reasoning)
        except ToolError as error:
            raise ToolException(error.message) from None
        return output.text, run_artifact(output)

    def update_run_metadata(
        run_id: str,
        name: str | None = None,
        metadata: dict[str, MetadataValue] | None = None,
        add_tags: list[str] | None = None,
    ) -> tuple[str, dict[str, Any]]:
        try:
            output = run_tools.update_run_metadata(
                run_id, name=name, metadata=metadata, add_tags=add_tags
            )
        except ToolError as error:
            raise ToolException(error.message) from None
        return output.text, run_artifact(output)

    return [
        _tool(get_run, "get_run", GetRunArgs, "tool_get_run"),
        _tool(
            update_run_metadata,
            "update_run_metadata",
            UpdateRunMetadataArgs,
            "tool_update_run_metadata",
        ),
    ]


def _tool(func: Any, name: str, schema: type[BaseModel], prompt: str) -> StructuredTool:
    return StructuredTool.from_function(
        func=func,
        name=name,
        description=load_prompt(prompt),
        args_schema=schema,
        response_format="content_and_artifact",
        handle_tool_error=True,
        handle_validation_error=_validation_message(name),
    )


def _validation_message(name: str) -> Any:
    def message(error: PydanticValidationError | Any) -> str:
        problems = []
        for item in getattr(error, "errors", list)():
            where = ".".join(str(part) for part in item.get("loc", ())) or "arguments"
            problems.append(f"{where}: {item.get('msg', 'invalid')}")
        listed = "; ".join(problems) or "the arguments do not match the tool's schema"
        return f"Invalid arguments for {name}: {listed}. Fix them and call {name} again."

    return message
