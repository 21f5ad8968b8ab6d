"""``update_run_metadata`` over MCP: the change is shown to the user and written only on a yes.

Every call goes through two resolvers (the SDK's ``Resolve``) before the tool body:

1. ``propose`` checks the arguments and computes the exact change against the
   run as it is now (``RunTools.preview_update``; nothing is written);
2. ``ask``: when the client declared form elicitation (and can be asked on this
   connection), it asks the user with the change, before -> after. The SDK carries
   the question over whichever protocol was negotiated: a server-to-client
   ``elicitation/create`` request (up to 2025-11-25) or an ``input_required`` round
   trip (2026-07-28 and later, where the question is re-derived each round and an
   answer only counts for the exact question it was given to).

The body then writes on accept (with the approved change: a run that changed in
between writes nothing, ``RunTools.update_run_metadata(approved=...)``), and
reports decline and cancel as such. A client without elicitation gets the
two-step flow of ``tools.faces.write_confirmation``: a first call proposes and
returns a single-use confirmation token, and only a second call with the same
arguments and that token writes.

Metadata values may be any JSON value here (lists and objects too), so a client
can replace a list such as ``tags`` (removing a tag) or set structured values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from mcp.server.mcpserver import (
    AcceptedElicitation,
    CancelledElicitation,
    Context,
    DeclinedElicitation,
    Elicit,
    ElicitationResult,
    Resolve,
)
from mcp.server.mcpserver.exceptions import ToolError as MCPToolError
from mcp.types import CallToolResult, TextContent
from mcp_types.version import is_version_at_least
from pydantic import Field, JsonValue, ValidationError

from prompts import load_prompt
from tools.faces.mcp_arguments import SentText, SentValue
from tools.faces.run_change import RunChange
from tools.faces.run_tools import RunTools
from tools.faces.tool_arguments import (
    UpdateRunMetadataArgs,
    argument_hints,
    invalid_arguments_message,
)
from tools.faces.tool_errors import ToolError
from tools.faces.tool_names import UPDATE_RUN_METADATA
from tools.faces.tool_outputs import WriteOutcome, WriteStatus, structured
from tools.faces.write_confirmation import ConfirmationTokens, ConfirmWrite, call_fingerprint

__all__ = ["McpUpdateArgs", "Proposal", "confirmed_update_tool", "write_description"]

# The first protocol revision that carries elicitation in ``input_required`` results.
_INPUT_REQUIRED_VERSION = "2026-07-28"


class McpUpdateArgs(UpdateRunMetadataArgs):
    """``update_run_metadata``'s arguments over MCP: any JSON metadata value, and the token."""

    # Wider than the shared model on purpose: MCP carries any JSON value (lists, objects).
    metadata: dict[str, JsonValue] | None = Field(  # type: ignore[assignment]
        default=None,
        description='Metadata keys to set, e.g. {"vendor": "ACME"}; other keys are kept. A '
        'value may be any JSON value; a list replaces the whole list (e.g. {"tags": '
        '["urgent"]} removes every other tag).',
    )
    confirmation_token: str | None = Field(
        default=None,
        description="Only to confirm a proposed change: the token a previous call returned "
        "with status confirmation_required, sent with the same arguments once the user "
        "approved. Leave out otherwise.",
    )


@dataclass(frozen=True)
class Proposal:
    """What ``propose`` found: the checked arguments and the change, or why there is none."""

    args: McpUpdateArgs | None = None
    change: RunChange | None = None
    error: str | None = None


def write_description() -> str:
    """The tool's description over MCP: what it does, then how this server confirms writes."""
    return (
        f"{load_prompt(f'tool_{UPDATE_RUN_METADATA}')}\n\n{load_prompt('mcp_write_confirmation')}"
    )


def confirmed_update_tool(run_tools: RunTools, tokens: ConfirmationTokens) -> Any:
    """The tool function for ``MCPServer``: resolvers declared, arguments passed through."""

    def propose(
        run_id: Any,
        name: Any,
        metadata: Any,
        add_tags: Any,
        remove_tags: Any,
        confirmation_token: Any,
    ) -> Proposal:
        sent = {
            "run_id": run_id,
            "name": name,
            "metadata": metadata,
            "add_tags": add_tags,
            "remove_tags": remove_tags,
            "confirmation_token": confirmation_token,
        }
        try:
            args = McpUpdateArgs.model_validate({k: v for k, v in sent.items() if v is not None})
        except ValidationError as error:
            hints = argument_hints(McpUpdateArgs)
            return Proposal(error=invalid_arguments_message(UPDATE_RUN_METADATA, error, hints))
        try:
            change = run_tools.preview_update(
                args.run_id,
                name=args.name,
                metadata=args.metadata,
                add_tags=args.add_tags,
                remove_tags=args.remove_tags,
            )
        except ToolError as error:
            return Proposal(args=args, error=error.message)
        return Proposal(args=args, change=change)

    def ask(proposal: Proposal, ctx: Context) -> Elicit[ConfirmWrite] | None:
        if proposal.change is None or not _can_elicit(ctx):
            return None
        return Elicit(_question(proposal.change), ConfirmWrite)

    def update_run_metadata(
        proposal: Proposal,
        answer: ElicitationResult[ConfirmWrite],
        run_id: Any = None,
        name: Any = None,
        metadata: Any = None,
        add_tags: Any = None,
        remove_tags: Any = None,
        confirmation_token: Any = None,
    ) -> CallToolResult:
        if proposal.error is not None or proposal.args is None or proposal.change is None:
            raise MCPToolError(proposal.error or "The change could not be prepared.")
        args, change = proposal.args, proposal.change
        if isinstance(answer, DeclinedElicitation) or (
            isinstance(answer, AcceptedElicitation)
            and isinstance(answer.data, ConfirmWrite)
            and not answer.data.confirm
        ):
            return _not_written("declined", change)
        if isinstance(answer, CancelledElicitation):
            return _not_written("cancelled", change)
        if isinstance(answer, AcceptedElicitation) and isinstance(answer.data, ConfirmWrite):
            return _write(run_tools, args, change)
        fingerprint = call_fingerprint(
            UPDATE_RUN_METADATA, args.model_dump(exclude={"confirmation_token"})
        )
        if args.confirmation_token is None:
            return _proposed(change, tokens.issue(fingerprint, change), tokens.ttl_s)
        try:
            approved = tokens.redeem(args.confirmation_token, fingerprint)
        except ToolError as error:
            raise MCPToolError(error.message) from None
        return _write(run_tools, args, approved)

    # Real objects, not strings: the SDK reads these hints to wire the resolvers, and
    # ``propose`` and ``ask`` are closures it could not find by name.
    propose.__annotations__ = {
        **dict.fromkeys(("run_id", "name", "confirmation_token"), SentText),
        **dict.fromkeys(("metadata", "add_tags", "remove_tags"), SentValue),
        "return": Proposal,
    }
    ask.__annotations__ = {
        "proposal": Annotated[Proposal, Resolve(propose)],
        "ctx": Context,
        "return": Elicit[ConfirmWrite] | None,
    }
    update_run_metadata.__annotations__ = {
        "proposal": Annotated[Proposal, Resolve(propose)],
        "answer": Annotated[ElicitationResult[ConfirmWrite], Resolve(ask)],
        **propose.__annotations__,
        "return": CallToolResult,
    }
    return update_run_metadata


def _can_elicit(ctx: Context) -> bool:
    """Whether this client can be asked now: it declared form elicitation, and can be reached."""
    capabilities = ctx.client_capabilities
    elicitation = capabilities.elicitation if capabilities is not None else None
    if elicitation is None or (elicitation.form is None and elicitation.url is not None):
        return False
    version = ctx.protocol_version
    if version is not None and is_version_at_least(version, _INPUT_REQUIRED_VERSION):
        return True  # asked in the call's result; no back-channel needed
    return bool(ctx.session.can_send_request)


def _question(change: RunChange) -> str:
    lines = "\n".join(f"  {line}" for line in change.before_after_lines())
    return f"Write this change to Extend?\n{change.describe()}\n{lines}"


def _write(run_tools: RunTools, args: McpUpdateArgs, approved: RunChange) -> CallToolResult:
    try:
        output = run_tools.update_run_metadata(
            args.run_id,
            name=args.name,
            metadata=args.metadata,
            add_tags=args.add_tags,
            remove_tags=args.remove_tags,
            approved=approved,
        )
    except ToolError as error:
        raise MCPToolError(error.message) from None
    outcome = WriteOutcome(
        status="updated",
        written=True,
        run_id=output.run.id,
        change=output.change or approved,
        run=output.run,
    )
    return _result(output.text, outcome)


def _not_written(status: WriteStatus, change: RunChange) -> CallToolResult:
    said = "declined" if status == "declined" else "dismissed the confirmation without answering"
    text = (
        f"Not written: the user {said}. Run {change.run_id} is unchanged; the proposed change "
        f"was: {change.describe()}. Do not try again unless the user asks."
    )
    return _result(
        text, WriteOutcome(status=status, written=False, run_id=change.run_id, change=change)
    )


def _proposed(change: RunChange, token: str, ttl_s: float) -> CallToolResult:
    lines = "\n".join(change.before_after_lines())
    text = (
        f"Not written yet: this server writes only after the user confirms.\n"
        f"{change.describe()}\n{lines}\n"
        "Show this change to the user. Only if they approve it, call update_run_metadata again "
        f'with the same arguments plus confirmation_token "{token}" (single use, valid '
        f"{ttl_s:.0f} seconds)."
    )
    outcome = WriteOutcome(
        status="confirmation_required",
        written=False,
        run_id=change.run_id,
        change=change,
        confirmation_token=token,
        expires_in_seconds=round(ttl_s),
    )
    return _result(text, outcome)


def _result(text: str, outcome: WriteOutcome) -> CallToolResult:
    return CallToolResult(
        content=[TextContent(type="text", text=text)], structured_content=structured(outcome)
    )
