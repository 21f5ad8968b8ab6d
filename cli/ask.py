"""``extend-agent ask`` and ``extend-agent chat``: talk to the agent from a terminal.

``ask`` answers one question and exits; it continues the ``cli`` conversation by
default, so a second ``ask "and the invoice number?"`` knows which run "it" is.
An answer that shows where a value sits on the page ("where is the total on the
page?") also writes the image of the cited region and prints its path
(``--images-dir``; default: the data directory's ``images`` folder).
``chat`` is an interactive conversation (a new one each time unless ``--thread``).

Both stop before any change: the proposed change is shown and applied only after
a "y" (``ask --yes`` applies, without asking, one change that is exactly what the
question's own words ask for; with no terminal to ask on, ``ask`` declines and
says so; see ``cli.approvals``). A change left waiting by an earlier ``ask`` is
shown before the new question and applied only after a "y" at the prompt, never
by ``--yes``; the question's text is never taken as the decision. With no keys at
all they use the offline model and the built-in emulator.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.approvals import settle_changes
from cli.friendly_errors import friendly_errors
from cli.retry_notice import retries_said_once

if TYPE_CHECKING:
    from rich.console import Console

    from agent.session import AgentReply, AgentSession, PendingWrite

logger = logging.getLogger("cli")

DEFAULT_THREAD = "cli"
EXIT_NOT_DONE = 1
"""``ask``'s exit status when a run could not be read or a change was not applied."""
IMAGES_FOLDER = "images"
EXIT_WORDS = frozenset({"exit", "quit", "bye", ":q", "/exit", "/quit"})
HELD_BACK_NOTICE = (
    "A change from earlier in this conversation is waiting for your decision; "
    "decide on it first, then ask again."
)
EARLIER_CHANGE_NOTICE = "A change from an earlier question in this conversation is waiting."


def stdin_is_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


@contextmanager
def model_errors() -> Iterator[None]:
    """Model/server failures (no network, bad OpenAI key, ...) as one line, exit 2."""
    try:
        yield
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except Exception as exc:
        if not _is_model_error(exc):
            raise
        logger.debug("model error", exc_info=True)
        print(f"error: the model request failed: {exc}", file=sys.stderr)
        raise typer.Exit(2) from None


def _is_model_error(exc: Exception) -> bool:
    try:
        import openai
    except ImportError:  # pragma: no cover - openai is a dependency
        return False
    return isinstance(exc, openai.OpenAIError)


def register(app: typer.Typer) -> None:
    @app.command("ask")
    def ask(
        question: Annotated[
            str, typer.Argument(help="A question or request, e.g. 'summarize workflow_run_1234'")
        ],
        thread: Annotated[
            str,
            typer.Option(
                "--thread",
                "-t",
                help="Conversation to continue. Default 'cli': each ask continues the last, "
                "so 'it' means the run you asked about before. Use a new name to start afresh.",
            ),
        ] = DEFAULT_THREAD,
        yes: Annotated[
            bool,
            typer.Option(
                "--yes",
                "-y",
                help="Apply a proposed change without asking only if it is exactly the change "
                "your words ask for (same run, name, tags and values, nothing extra); decline "
                "the rest.",
            ),
        ] = False,
        images_dir: Annotated[
            Path | None,
            typer.Option(
                "--images-dir",
                help="Where to write the images of cited regions an answer shows "
                "(default: the images folder in the data directory).",
            ),
        ] = None,
    ) -> None:
        """Ask one question about a run; answers cite the page and reference text.

        A change (rename, tags, metadata) is shown first and applied only after you
        answer y (or with --yes). Without a terminal to ask on, it is not applied.
        """
        with friendly_errors(), model_errors(), retries_said_once():
            _ask(question, thread, assume_yes=yes, images_dir=images_dir)

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


def _ask(question: str, thread: str, *, assume_yes: bool, images_dir: Path | None) -> None:
    """One question: settle a change left waiting, ask, then settle what it proposes.

    Exits with ``EXIT_NOT_DONE`` when a run could not be read or a change was not
    applied (declined, no terminal, refused, failed), after saying why.
    """

    def confirm() -> bool:
        try:
            return typer.confirm("Apply this change?", default=False)
        except typer.Abort:  # Ctrl-D / Ctrl-C at the prompt: no means no
            print("\nNot applied.", file=sys.stderr)
            return False

    replies: list[AgentReply] = []

    def show(reply: AgentReply) -> None:
        replies.append(reply)
        if not reply.proposal_only:  # else "Proposed change: ..." says it all
            print(reply.text)

    _ask_in_session(question, thread, assume_yes, images_dir, confirm, show)
    if not_done(replies, asks_for_change(question)):  # the answers above say why
        raise typer.Exit(EXIT_NOT_DONE)


def asks_for_change(question: str) -> bool:
    """Whether the question's own words ask for a change (a rename, tags, metadata, undo)."""
    from agent.offline.intents import understand

    return understand(question).kind in ("write", "undo")


def not_done(replies: list[AgentReply], asked_for_change: bool) -> bool:
    """A run could not be read, or the change asked for was not written (declined, failed).

    A change the agent proposed on its own for a question that asked for none is not
    the question's outcome: declining it is no failure.
    """
    if any(reply.read_failed for reply in replies):
        return True
    return asked_for_change and not any(reply.change_written for reply in replies)


def _ask_in_session(
    question: str,
    thread: str,
    assume_yes: bool,
    images_dir: Path | None,
    confirm: Callable[[], bool],
    show: Callable[[AgentReply], None],
) -> None:
    from agent.decision_words import read_decision
    from agent.session import open_agent_session
    from agent.settings import load_settings
    from cli.approvals import TerminalApprover
    from cli.yes_scope import requested_change_for

    settings = load_settings()
    with open_agent_session(settings) as session:
        approver = TerminalApprover(
            requested=requested_change_for(
                question, session.last_named_run(thread), session.last_applied_change(thread)
            ),
            assume_yes=assume_yes,
            has_terminal=stdin_is_terminal(),
            confirm=confirm,
        )
        earlier = session.pending(thread)
        if earlier is not None:
            print(EARLIER_CHANGE_NOTICE)
            reply = session.decide(thread, approver.decide_earlier(earlier))
            show(reply)
            reply = settle_changes(
                session, thread, reply, decide=approver.decide_earlier, show=show
            )
            if reply.pending is not None or read_decision(question) is not None:
                return  # a "yes"/"no" was only ever about that change: nothing more to ask
        reply = session.ask(thread, question, decide_by_text=False)
        show(reply if not reply.not_asked else _held_back(reply))
        for path in write_images(reply, images_dir or settings.data_dir / IMAGES_FOLDER):
            print(f"Image: {path}")
        hint = details_hint(question, reply)
        if hint:
            print(hint, file=sys.stderr)
        settle_changes(session, thread, reply, decide=approver.decide, show=show)


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
    from rich.prompt import Confirm

    from cli.approvals import TerminalApprover
    from cli.yes_scope import requested_change_for

    def confirm() -> bool:
        try:
            return Confirm.ask("Apply this change?", default=False, console=console)
        except (EOFError, KeyboardInterrupt):  # no answer is not a yes
            console.print("\nNot applied.")
            return False

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
                line, session.last_named_run(thread_id), session.last_applied_change(thread_id)
            )
            approver = TerminalApprover(requested, True, has_terminal=True, confirm=confirm)
            decide = approver.decide
        try:
            with console.status("Thinking…"):
                reply = session.ask(thread_id, line)
            show(reply if not reply.not_asked else _held_back(reply))
            for path in write_images(reply, images_dir):
                console.print(f"Image: {path}", markup=False, highlight=False)
            hint = details_hint(line, reply)
            if hint:
                console.print(hint, style="dim", markup=False)
            settle_changes(session, thread_id, reply, decide=decide, show=show)
        except Exception as exc:  # one failed turn must not end the conversation
            if not _is_model_error(exc) and not _is_extend_error(exc):
                raise
            logger.debug("turn failed", exc_info=True)
            console.print(f"[red]error:[/] {exc}", markup=True, highlight=False)


def write_images(reply: AgentReply, directory: Path) -> list[Path]:
    """Write the images the answer drew (where a value was read); the paths written."""
    if not reply.images:
        return []
    from cli.cite import save_images

    return save_images(reply.images, directory)


def details_hint(question: str, reply: AgentReply) -> str | None:
    """After a summary (written for people, without pages and scores): where the details are."""
    from agent.offline.intents import understand

    if reply.not_asked or reply.pending is not None or not reply.runs:
        return None
    if understand(question, ()).kind != "summary":
        return None
    commands = ", ".join(f"extend-agent runs get {run.id}" for run in reply.runs[:3])
    return f"Every field, with its page, quote and confidence: {commands}"


def _held_back(reply: AgentReply) -> AgentReply:
    from dataclasses import replace

    return replace(reply, text=HELD_BACK_NOTICE)


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
