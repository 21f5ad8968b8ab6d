"""``extend-agent chat``: an interactive conversation with the agent in the terminal.

A new conversation each time unless ``--thread``. Every proposed change is shown
in a panel and applied only after a "y" at the prompt; ``--yes`` applies, without
asking, only a change that is exactly what that message's own words ask for
(the same rule as ``ask --yes``, ``cli.approvals``). A failed turn (the model or
Extend did not answer) prints one error line and the conversation goes on.
Registered by ``cli.ask`` right after ``ask``, so ``--help`` lists them together.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from agent.offline.undo import undo_scope
from cli.answer_extras import IMAGES_FOLDER, details_hint, shown_reply, write_images
from cli.approvals import TerminalApprover, confirm_on, settle_changes
from cli.friendly_errors import friendly_errors, is_model_error
from cli.named_runs import run_resolver
from cli.retry_notice import retries_said_once
from cli.yes_scope import requested_change_for

if TYPE_CHECKING:
    from rich.console import Console

    from agent.session import AgentReply, AgentSession, PendingWrite

logger = logging.getLogger("cli")

EXIT_WORDS = frozenset({"exit", "quit", "bye", ":q", "/exit", "/quit"})


def register(app: typer.Typer) -> None:
    @app.command("chat")
    def chat(
        thread: Annotated[
            str | None,
            typer.Option("--thread", "-t", help="Conversation to continue (default: a new one)."),
        ] = None,
        yes: Annotated[
            bool,
            typer.Option(
                "--yes",
                "-y",
                help="As for ask: apply a proposed change without asking only if it is exactly "
                "the change that message's words ask for; ask y/N for the rest.",
            ),
        ] = False,
    ) -> None:
        """Talk with the agent about runs; changes are applied only after you say y (or --yes)."""
        from rich.console import Console

        from agent.session import open_agent_session
        from agent.settings import load_settings

        console = Console(highlight=False)
        thread_id = thread or time.strftime("chat-%Y%m%d-%H%M%S")
        with friendly_errors(), retries_said_once():
            settings = load_settings()
            with open_agent_session(settings, announce=None) as session:
                _banner(console, session, thread_id)
                _conversation(
                    console, session, thread_id, settings.data_dir / IMAGES_FOLDER, assume_yes=yes
                )


def _banner(console: Console, session: AgentSession, thread_id: str) -> None:
    from rich.panel import Panel
    from rich.text import Text

    text = Text()
    text.append("model   ", style="bold")
    text.append(session.model_description + "\n")
    text.append("Extend  ", style="bold")
    text.append(session.extend_description + "\n")
    text.append("thread  ", style="bold")
    text.append(f"{thread_id} (continue it later with --thread {thread_id})\n\n", style="dim")
    text.append(
        "Ask about a run, e.g. “what is the total on workflow_run_1234 and where does it "
        "come from?”. Changes wait for your y. Type exit or press Ctrl-D to leave."
    )
    console.print(Panel(text, title="Extend run agent", expand=False))


def _conversation(
    console: Console,
    session: AgentSession,
    thread_id: str,
    images_dir: Path,
    *,
    assume_yes: bool = False,
) -> None:
    confirm = confirm_on(console)

    def prompt(pending: PendingWrite) -> bool:
        _show_pending(console, pending)
        return confirm()

    def show(reply: AgentReply) -> None:
        _show_reply(console, reply)

    while True:
        try:
            line = console.input("[bold cyan]you ›[/] ")
        except EOFError:
            console.print()
            return
        if line.strip().lower() in EXIT_WORDS:
            return
        if not line.strip():
            continue
        decide = prompt
        if assume_yes:  # the same rule as ``ask --yes``: only the change these words ask for
            requested = requested_change_for(
                session.picked_question(thread_id, line),
                session.last_named_run(thread_id),
                session.last_applied_change(thread_id, undo_scope(line) or "all"),
                run_resolver(session.run_tools),
            )
            approver = TerminalApprover(requested, True, has_terminal=True, confirm=confirm)
            decide = approver.decide
        try:
            with console.status("Thinking…"):
                reply = session.ask(thread_id, line)
            show(shown_reply(reply))
            for path in write_images(reply, images_dir):
                console.print(f"Image: {path}", markup=False, highlight=False)
            hint = details_hint(line, reply)
            if hint:
                console.print(hint, style="dim", markup=False)
            settle_changes(session, thread_id, reply, decide=decide, show=show)
        except Exception as exc:  # one failed turn must not end the conversation
            if not is_model_error(exc) and not _is_extend_error(exc):
                raise
            logger.debug("turn failed", exc_info=True)
            console.print(f"[red]error:[/] {exc}", markup=True, highlight=False)


def _is_extend_error(exc: Exception) -> bool:
    from tools.client.errors import ExtendError

    return isinstance(exc, ExtendError)


def _show_reply(console: Console, reply: AgentReply) -> None:
    from rich.text import Text

    if reply.proposal_only:  # the change's own panel follows
        return
    answer = Text("agent › ", style="bold green")
    answer.append(reply.text)
    console.print(answer)


def _show_pending(console: Console, pending: PendingWrite) -> None:
    from rich.panel import Panel
    from rich.text import Text

    console.print(
        Panel(
            Text(pending.description),
            title="Change waiting for your approval",
            border_style="yellow",
            expand=False,
        )
    )
