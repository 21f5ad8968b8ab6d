"""``extend-agent runs list``: find runs by status, workflow, file, text, tag, metadata or date.

The same search as the ``find_runs`` tool (``tools.faces.find_runs``), so the
terminal, the agent and every tool face agree on what matches and on how far a
search looked. The listing shows run text inert (``terminal_safe``) and pinging no
one (``neutralize_mentions``, applied after the escaping, as in ``cli.render``);
``--json`` prints every match (not only the first ten), exact, with the search's
extent, for scripts and CI.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from agent.safety import neutralize_mentions
from cli.friendly_errors import friendly_errors
from tools.text.quoting import escape_invisible, terminal_safe


def register(runs: typer.Typer) -> None:
    @runs.command("list")
    def list_runs(
        status: Annotated[
            str | None,
            typer.Option(help="NEEDS_REVIEW, FAILED, PROCESSED, ... or IN_PROGRESS."),
        ] = None,
        workflow: Annotated[
            str | None, typer.Option(help="A workflow id (workflow_...) or part of its name.")
        ] = None,
        file_name: Annotated[
            str | None, typer.Option("--file-name", help="Part of a file name.")
        ] = None,
        text: Annotated[
            str | None,
            typer.Option(help="Words to find in ids, names, file names and extracted values."),
        ] = None,
        tag: Annotated[str | None, typer.Option(help="Runs with this tag.")] = None,
        meta: Annotated[
            str | None, typer.Option("--meta", help="key or key=value in the run's metadata.")
        ] = None,
        created_after: Annotated[str | None, typer.Option(help="e.g. 2024-09-01")] = None,
        created_before: Annotated[str | None, typer.Option(help="e.g. 2024-10-01")] = None,
        updated_after: Annotated[str | None, typer.Option(help="e.g. 2024-09-01")] = None,
        updated_before: Annotated[str | None, typer.Option(help="e.g. 2024-10-01")] = None,
        max_pages: Annotated[
            int | None, typer.Option(help="List at most this many pages of 100 runs.")
        ] = None,
        field_scan: Annotated[
            int | None,
            typer.Option(help="Read the fields/metadata of this many recent runs (default 50)."),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the matches as JSON.")] = False,
    ) -> None:
        """List runs matching the filters (newest first), as a short table or JSON."""
        from agent.extend_connection import open_extend
        from tools.faces.find_runs import build_query, find_runs
        from tools.faces.run_search import RunCache
        from tools.faces.tool_errors import ToolError

        key: str | None = None
        value: str | None = None
        if meta:
            key, sep, after = meta.partition("=")
            value = after if sep else None
        try:
            query = build_query(
                status=status,
                workflow=workflow,
                file_name=file_name,
                text=text,
                metadata_key=key,
                metadata_value=value,
                tag=tag,
                created_after=created_after,
                created_before=created_before,
                updated_after=updated_after,
                updated_before=updated_before,
                max_pages=max_pages,
                field_scan=field_scan,
            )
            with friendly_errors(), open_extend() as extend:
                found = find_runs(extend.client, RunCache(), query)
        except ToolError as error:
            typer.echo(f"Error: {_shown(error.message)}", err=True)
            raise typer.Exit(2) from None
        if not as_json:
            typer.echo("\n".join(_shown(line) for line in found.text.split("\n")))
            return
        result = found.result
        document = {
            "runs": [m.item.model_dump(exclude={"raw"}) for m in found.matches],
            "listed": result.listed if result else 0,
            "pages": result.pages if result else 0,
            "more_pages": result.more_pages if result else False,
            "runs_read": result.runs_read if result else 0,
        }
        typer.echo(escape_invisible(json.dumps(document, indent=2, ensure_ascii=False)))


def _shown(line: str) -> str:
    """A line of the listing for the terminal: controls escaped, then mentions neutralized."""
    return neutralize_mentions(terminal_safe(line))
