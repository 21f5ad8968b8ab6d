"""``extend-agent ask``: one question to the agent from a terminal, then exit.

``ask`` continues the ``cli`` conversation by default, so a second ``ask "and the
invoice number?"`` knows which run "it" is. An answer that shows where a value
sits on the page ("where is the total on the page?") also writes the image of the
cited region and prints its path (``--images-dir``; default: the data
directory's ``images`` folder; ``cli.answer_extras``). ``register`` also adds
``chat``, the interactive conversation (``cli.chat``).

A proposed change is shown and applied only after a "y" (``--yes`` applies,
without asking, one change that is exactly what the question's own words ask
for; with no terminal to ask on, ``ask`` declines and says so; see
``cli.approvals``). A change left waiting by an earlier ``ask`` is shown before
the new question and applied only after a "y" at the prompt, never by
``--yes``; the question's text is never taken as the decision. With no keys at
all it uses the offline model and the built-in emulator. The exit status is
``EXIT_NOT_DONE`` when a run could not be read or found (a name that matches no
run, or several) or the change asked for was not applied (declined, refused, not
understood as one complete change, not allowed).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli import chat
from cli.answer_extras import (
    HELD_BACK_NOTICE,
    IMAGES_FOLDER,
    details_hint,
    shown_reply,
    write_images,
)
from cli.approvals import TerminalApprover, confirm_at_prompt, settle_changes
from cli.chat import EXIT_WORDS
from cli.friendly_errors import friendly_errors, model_errors
from cli.named_runs import named_run_missing, named_run_reference, run_resolver
from cli.retry_notice import retries_said_once
from cli.yes_scope import requested_change_for

if TYPE_CHECKING:
    from agent.session import AgentReply

__all__ = [
    "DEFAULT_THREAD",
    "EARLIER_CHANGE_NOTICE",
    "EXIT_NOT_DONE",
    "EXIT_WORDS",
    "HELD_BACK_NOTICE",
    "IMAGES_FOLDER",
    "asks_for_change",
    "details_hint",
    "model_errors",
    "not_done",
    "register",
    "stdin_is_terminal",
    "write_images",
]

DEFAULT_THREAD = "cli"
EXIT_NOT_DONE = 1
"""``ask``'s exit status when a run could not be read or found, or a change was not applied."""
EARLIER_CHANGE_NOTICE = "A change from an earlier question in this conversation is waiting."


def stdin_is_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


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

    chat.register(app)  # after ask: --help lists commands in the order they were added


def _ask(question: str, thread: str, *, assume_yes: bool, images_dir: Path | None) -> None:
    """One question: settle a change left waiting, ask, then settle what it proposes.

    Exits with ``EXIT_NOT_DONE`` when a run could not be read or found, or a change
    asked for was not applied (declined, no terminal, refused, failed, not understood
    as one complete change), after saying why.
    """
    replies: list[AgentReply] = []

    def show(reply: AgentReply) -> None:
        replies.append(reply)
        if not reply.proposal_only:  # else "Proposed change: ..." says it all
            print(reply.text)

    missing, asked = _ask_in_session(
        question, thread, assume_yes, images_dir, confirm_at_prompt, show
    )
    if missing or not_done(replies, asks_for_change(asked)):  # the answers above say why
        raise typer.Exit(EXIT_NOT_DONE)


def asks_for_change(question: str) -> bool:
    """Whether the question's own words ask for a change (a rename, tags, metadata, undo).

    Read as the offline model reads it, with a run named by a reference ("rename the
    Acme invoice to ...", "rename 1234 to ..."). A change that can't be made as asked
    (no new name given, a key Extend reserves, several runs at once, deleting a run)
    was asked for too, and not applied. A question, a doubt or a retraction asks none.
    """
    from agent.offline.changes import requested_change
    from agent.offline.intents import CANNOT_REMOVE, INCOMPLETE_CHANGE, understand
    from agent.offline.undo import undo_scope
    from agent.request_mood import mood_problem, request_mood, without_interjection

    question = without_interjection(question)
    if undo_scope(question) is not None:
        return True
    if mood_problem(request_mood(question)) is not None:
        return False
    named = named_run_reference(question)
    for words in (question, named.rest) if named is not None else (question,):
        if requested_change(words) is not None:
            return True
        if understand(words).problem in (INCOMPLETE_CHANGE, CANNOT_REMOVE):
            return True
    return False


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
) -> tuple[bool, str]:
    """Ask in the session: whether the question named a run that no single run matches, and
    what it asked ("the second one" after runs were offered: the earlier request, for it)."""
    from agent.decision_words import read_decision
    from agent.offline.undo import undo_scope
    from agent.session import open_agent_session
    from agent.settings import load_settings

    settings = load_settings()
    with open_agent_session(settings) as session:
        resolve = run_resolver(session.run_tools)
        asked = session.picked_question(thread, question)
        approver = TerminalApprover(
            requested=requested_change_for(
                asked,
                session.last_named_run(thread),
                session.last_applied_change(thread, undo_scope(question) or "all"),
                resolve if assume_yes else None,
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
                return False, question  # a "yes"/"no" was only about that change: no more
        reply = session.ask(thread, question, decide_by_text=False)
        show(shown_reply(reply))
        for path in write_images(reply, images_dir or settings.data_dir / IMAGES_FOLDER):
            print(f"Image: {path}")
        hint = details_hint(question, reply)
        if hint:
            print(hint, file=sys.stderr)
        last = settle_changes(session, thread, reply, decide=approver.decide, show=show)
        return named_run_missing(question, [reply, last], resolve), asked
