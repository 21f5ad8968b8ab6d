"""``extend-agent runs get|update``: read and change runs directly, no model involved.

Run data is untrusted: JSON output keeps C1 controls, bidi marks and other
invisible format characters escaped (``escape_invisible``; still exact data once
parsed) and the before -> after lines quote names and values, so nothing from a run
reaches the terminal as a control sequence. The human output (``cli.render`` for
``get``, the before -> after lines of ``update``) also neutralizes Slack mentions
(``agent.safety.neutralize_mentions``, after the escaping), so a ``<!channel>`` in a
document pings no one when the output is pasted or piped into Slack.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from agent.safety import neutralize_mentions
from cli.friendly_errors import friendly_errors
from tools.client.config import ClientConfig
from tools.client.validation import build_update_body, validate_run_id
from tools.text.quoting import escape_invisible, json_text, plain_or_quoted, terminal_safe

if TYPE_CHECKING:
    from tools.runs.models import Run


def parse_meta(pairs: list[str]) -> dict[str, Any]:
    """``key=value`` sets text; ``key:=json`` sets a JSON value (number, list, object...)."""
    metadata: dict[str, Any] = {}
    for pair in pairs:
        if ":=" in pair and pair.index(":=") < pair.index("=") + 1:
            key, _, raw = pair.partition(":=")
            try:
                metadata[key.strip()] = json.loads(raw)
            except json.JSONDecodeError:
                raise typer.BadParameter(f"{pair!r}: the part after ':=' is not JSON.") from None
        elif "=" in pair:
            key, _, value = pair.partition("=")
            metadata[key.strip()] = value
        else:
            raise typer.BadParameter(f"{pair!r} is not key=value.")
        if not key.strip():
            raise typer.BadParameter(f"{pair!r} has an empty key.")
    return metadata


def _run_json(run: Run) -> str:
    """The normalized run as indented JSON, invisible characters escaped.

    Dumped by ``json`` rather than pydantic's ``model_dump_json``, which refuses a
    lone surrogate (valid in JSON, so a server can send one) with a traceback.
    """
    document = run.model_dump(mode="json", exclude={"raw"})
    return escape_invisible(json.dumps(document, indent=2, ensure_ascii=False))


def register(app: typer.Typer) -> None:
    runs = typer.Typer(help="Find, read or change workflow runs directly.", no_args_is_help=True)
    app.add_typer(runs, name="runs")

    @runs.command("get")
    def get(
        run_id: Annotated[str, typer.Argument(help="The run id, e.g. workflow_run_1234.")],
        as_json: Annotated[
            bool, typer.Option("--json", help="Print the normalized run as JSON.")
        ] = False,
        raw: Annotated[
            bool, typer.Option("--raw", help="Print the JSON exactly as Extend sent it.")
        ] = False,
    ) -> None:
        """Show a run: fields, values, pages, reference text and confidence."""
        from agent.extend_connection import open_extend
        from agent.settings import AgentSettings

        with friendly_errors():
            validate_run_id(run_id)
            settings = AgentSettings()
            with open_extend(settings) as extend:
                run = extend.client.get_run(run_id)
        if raw:
            print(escape_invisible(json.dumps(run.raw, indent=2, ensure_ascii=False)))
        elif as_json:
            print(_run_json(run))
        else:
            from rich.console import Console

            from cli.render import render_run

            render_run(run, Console(), low_confidence=settings.low_confidence)

    @runs.command("update")
    def update(
        run_id: Annotated[str, typer.Argument(help="The run id, e.g. workflow_run_1234.")],
        name: Annotated[str | None, typer.Option("--name", help="The new run name.")] = None,
        meta: Annotated[
            list[str] | None,
            typer.Option("--meta", help="key=value (text) or key:=JSON; repeat for more keys."),
        ] = None,
        as_json: Annotated[
            bool, typer.Option("--json", help="Print the updated run as JSON.")
        ] = False,
    ) -> None:
        """Rename a run and/or merge metadata into it (existing keys not given stay)."""
        from agent.extend_connection import open_extend

        metadata = parse_meta(meta) if meta else None
        with friendly_errors():
            validate_run_id(run_id)
            build_update_body(name, metadata, max_bytes=ClientConfig.from_env().max_metadata_bytes)
            with open_extend() as extend:
                before = extend.client.get_run(run_id)
                run = extend.client.update_run(run_id, name=name, metadata=metadata)
        if as_json:
            print(_run_json(run))
            return
        from rich.console import Console

        console = Console()
        if name is not None:
            old_name = terminal_safe(before.name) if before.name else "(none)"
            new_name = terminal_safe(run.name) if run.name else "(none)"
            console.print(neutralize_mentions(f"name: {old_name} -> {new_name}"), markup=False)
        for key in metadata or {}:
            old = json_text(before.metadata.get(key)) if key in before.metadata else "(unset)"
            new = json_text(run.metadata.get(key))
            line = f"metadata {plain_or_quoted(key)}: {old} -> {new}"
            console.print(neutralize_mentions(line), markup=False)
        console.print(f"Updated {run.id}.", markup=False)

    from cli.cite import register as register_cite
    from cli.runs_list import register as register_list

    register_cite(runs)
    register_list(runs)
