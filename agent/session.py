"""One object the front ends talk to: ask in a thread, see a pending change, approve or decline.

``AgentSession`` wraps the agent graph for the CLI and the Slack app. A thread id
names a conversation (the CLI's ``cli``, a Slack thread's ts); its messages and
any change waiting for approval live in the checkpointer, so a session object
can be recreated at any time (after a restart) and carry on where it stopped.

While a change is waiting, the thread is paused: a "no" style reply declines it,
a "yes" style reply approves it only once this session has shown that change to
the thread (returned it as ``AgentReply.pending``), so a stray "go" can never
approve something nobody saw; anything else gets a reminder that shows the change.
Front ends that ask with buttons or a prompt call ``decide``, passing the
``PendingWrite.change_id`` they showed so a decision can never land on a change
proposed since (``ChangeNotWaitingError``); the CLI's ``ask`` also
passes ``decide_by_text=False``, so a question's text is never read as a decision.
Nothing reaches Extend before a yes.

A proposal the tools would refuse (a line break or direction mark in a name or
value, a key Extend reserves, a change that changes nothing) is never shown: it
is declined at once with the reason, which goes back to the model, so a person
is only ever asked about a change that can be written as shown.

Every text returned (answers, change descriptions) has its @channel-style mentions
neutralized (``agent.safety``). After each turn the thread's older checkpoints are
pruned (``agent.checkpoint.prune_thread``), so the store stays bounded. Calls on
one thread are serialized; different threads run in parallel, so a thread pool may
share one session.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.types import Command, Interrupt
from pydantic import ValidationError

from agent.change_text import REFUSED_PREFIX, describe_write
from agent.checkpoint import prune_thread
from agent.decision_words import read_decision
from agent.extend_connection import announce_on_stderr
from agent.names import run_ids_in
from agent.safety import neutralize_mentions
from agent.settings import AgentSettings, load_settings
from tools.client.errors import NotFoundError
from tools.faces.run_change import RunChange
from tools.faces.run_tools import RunTools
from tools.faces.show_citation import ShownImage, images_in_artifact
from tools.faces.tool_errors import ToolError
from tools.faces.tool_names import SHOW_CITATION, UPDATE_RUN_METADATA
from tools.runs.models import Run

__all__ = [
    "AgentReply",
    "AgentSession",
    "ChangeNotWaitingError",
    "PendingWrite",
    "open_agent_session",
]

DECLINED_MESSAGE = (
    "The user declined this change, so nothing was written. Tell the user plainly that "
    "you did not change the run; do not try again unless they ask."
)
ONE_AT_A_TIME_MESSAGE = (
    "Not applied: only one change is confirmed at a time. Tell the user this change was "
    "not made and that they can ask for it again on its own."
)
REFUSED_MESSAGE = (
    REFUSED_PREFIX + "{reason} Tell the user plainly "
    "what could not be changed and why; do not try the same change again."
)
_MAX_REFUSED_PROPOSALS = 6
"""Proposals declined unseen in one turn before the next one is shown as it is."""
_MAX_CACHED_PREVIEWS = 256
_MAX_REMEMBERED_THREADS = 4096
EMPTY_QUESTION_REPLY = "Ask me about a run, e.g. “summarize workflow_run_1234”."


@dataclass
class PendingWrite:
    """A change the agent asked to make, waiting for a person's yes or no."""

    run_id: str
    name: str | None
    metadata: dict[str, Any] | None
    add_tags: list[str] | None
    description: str  # "Rename workflow_run_1234 from (none) to “ACME March”"
    # Which paused change this is (the graph's interrupt id): ``decide(..., change_id=)``
    # applies a decision only while this very change is still the one waiting.
    change_id: str = ""
    # Before -> after against Extend when the change was first shown; None if unreadable.
    change: RunChange | None = None
    # Why the tools refuse this change as proposed (never shown, declined at once), or None.
    refusal: str | None = None
    remove_tags: list[str] | None = None


class ChangeNotWaitingError(Exception):
    """``decide(..., change_id=...)``: that change is no longer the one waiting (nothing done)."""


@dataclass
class AgentReply:
    """What to show: the answer, the runs it is about, and a change awaiting approval."""

    text: str
    runs: list[Run]
    pending: PendingWrite | None
    not_asked: bool = False  # the message was held back: a change is waiting for a decision
    proposal_only: bool = False  # ``text`` only restates ``pending`` (the model said nothing)
    # Images ``show_citation`` drew this turn (where a value was read), for the front end.
    images: list[ShownImage] = field(default_factory=list)
    # What a CLI turns into its exit status: a read failed this turn (a run that can't be
    # read: 404, 401, network); a change was proposed or tried; one was written.
    read_failed: bool = False
    change_tried: bool = False
    change_written: bool = False


class AgentSession:
    """The agent with its tools, keyed by conversation thread. Thread-safe."""

    def __init__(
        self,
        agent: Any,
        run_tools: RunTools,
        *,
        model_description: str = "",
        extend_description: str = "",
    ) -> None:
        self._agent = agent
        self._run_tools = run_tools
        self.model_description = model_description
        self.extend_description = extend_description
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._previews: dict[str, PendingWrite] = {}
        self._shown: dict[str, str] = {}  # thread id -> id of the change last shown there

    @property
    def run_tools(self) -> RunTools:
        """The tools behind the agent, for front ends that act without the model (/extend)."""
        return self._run_tools

    @property
    def description(self) -> str:
        """Which model and which Extend this session uses, for a status line."""
        parts = [f"model: {self.model_description}" if self.model_description else ""]
        parts.append(f"Extend: {self.extend_description}" if self.extend_description else "")
        return " · ".join(p for p in parts if p)

    # -- the three calls front ends make ---------------------------------------------

    def ask(self, thread_id: str, text: str, *, decide_by_text: bool = True) -> AgentReply:
        """Answer a message; while a change waits, a yes/no reply may decide it instead.

        "no" declines; "yes" approves only a change already shown to this thread
        (else the change is shown first). With ``decide_by_text=False`` the text is
        never taken as a decision: a waiting change gets the reminder.
        """
        text = text.strip()
        with self._thread_lock(thread_id):
            waiting = self._waiting_interrupt(thread_id)
            if waiting is not None:
                pending = self._pending_write(waiting)
                decision = read_decision(text) if decide_by_text else None
                if decision is True and self._shown.get(thread_id) != str(waiting.id):
                    decision = None  # never approve a change this person was not shown
                if decision is None:
                    self._mark_shown(thread_id, waiting)
                    return AgentReply(
                        f"A change is waiting for your approval: {pending.description}. "
                        "Reply “yes” to apply it or “no” to cancel it.",
                        [],
                        pending,
                        not_asked=True,
                    )
                return self._resume(thread_id, waiting, decision)
            if not text:
                return AgentReply(EMPTY_QUESTION_REPLY, [], None)
            result = self._agent.invoke(
                {"messages": [HumanMessage(content=text)]}, _config(thread_id), version="v2"
            )
            return self._finish_turn(thread_id, result)

    def decide(self, thread_id: str, approve: bool, *, change_id: str | None = None) -> AgentReply:
        """Approve (write) or decline (write nothing) the change waiting in this thread.

        With ``change_id`` (a ``PendingWrite.change_id``) the decision applies only if
        that change is still the one waiting; otherwise ``ChangeNotWaitingError`` is
        raised and nothing is resumed, so a decision can never land on another change.
        """
        with self._thread_lock(thread_id):
            waiting = self._waiting_interrupt(thread_id)
            if change_id is not None and (waiting is None or str(waiting.id) != change_id):
                raise ChangeNotWaitingError(thread_id)
            if waiting is None:
                return AgentReply("There is no change waiting for approval.", [], None)
            return self._resume(thread_id, waiting, approve)

    def pending(self, thread_id: str) -> PendingWrite | None:
        """The change waiting for a decision in this thread, if any."""
        waiting = self._waiting_interrupt(thread_id)
        return self._pending_write(waiting) if waiting is not None else None

    def last_named_run(self, thread_id: str) -> str | None:
        """The run the person last named in this thread's recent messages (never a document's)."""
        state = self._agent.get_state(_config(thread_id))
        for message in reversed((state.values or {}).get("messages", [])):
            if isinstance(message, HumanMessage):
                ids = run_ids_in(_text(message))
                if ids:
                    return ids[-1]
        return None

    def last_applied_change(self, thread_id: str) -> dict[str, Any] | None:
        """The last change applied in this thread (a ``RunChange`` dump): what an undo reverses."""
        from agent.offline.undo import last_applied_change

        state = self._agent.get_state(_config(thread_id))
        return last_applied_change((state.values or {}).get("messages", []))

    # -- internals -------------------------------------------------------------------------

    def _thread_lock(self, thread_id: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(thread_id, threading.Lock())

    def _waiting_interrupt(self, thread_id: str) -> Interrupt | None:
        state = self._agent.get_state(_config(thread_id))
        return next((i for i in state.interrupts if _write_requests(i)), None)

    def _resume(
        self, thread_id: str, waiting: Interrupt, approve: bool, *, reason: str | None = None
    ) -> AgentReply:
        result = self._resumed(thread_id, waiting, approve, reason=reason)
        return self._finish_turn(thread_id, result)

    def _resumed(
        self, thread_id: str, waiting: Interrupt, approve: bool, *, reason: str | None = None
    ) -> Any:
        requests = _write_requests(waiting)
        first: dict[str, Any] = (
            {"type": "approve"}
            if approve
            else {"type": "reject", "message": reason or DECLINED_MESSAGE}
        )
        rest = [{"type": "reject", "message": ONE_AT_A_TIME_MESSAGE} for _ in requests[1:]]
        return self._agent.invoke(
            Command(resume={"decisions": [first, *rest]}), _config(thread_id), version="v2"
        )

    def _finish_turn(self, thread_id: str, result: Any) -> AgentReply:
        """The reply to show; refused proposals declined unseen, older checkpoints pruned."""
        for _ in range(_MAX_REFUSED_PROPOSALS):
            waiting = next((i for i in result.interrupts if _write_requests(i)), None)
            refusal = self._pending_write(waiting).refusal if waiting is not None else None
            if waiting is None or refusal is None:
                break
            reason = REFUSED_MESSAGE.format(reason=refusal)
            result = self._resumed(thread_id, waiting, False, reason=reason)
        checkpointer = getattr(self._agent, "checkpointer", None)
        if isinstance(checkpointer, BaseCheckpointSaver):
            prune_thread(checkpointer, thread_id)
        reply = self._reply(result)
        waiting = next((i for i in result.interrupts if _write_requests(i)), None)
        if waiting is not None:
            self._mark_shown(thread_id, waiting)
        return reply

    def _mark_shown(self, thread_id: str, waiting: Interrupt) -> None:
        with self._guard:
            if len(self._shown) >= _MAX_REMEMBERED_THREADS:
                self._shown.clear()
            self._shown[thread_id] = str(waiting.id)

    def _reply(self, result: Any) -> AgentReply:
        messages: list[BaseMessage] = list((result.value or {}).get("messages", []))
        turn = _after_last_human(messages)
        waiting = next((i for i in result.interrupts if _write_requests(i)), None)
        pending = self._pending_write(waiting) if waiting is not None else None
        last_ai = next((m for m in reversed(turn) if isinstance(m, AIMessage)), None)
        text = _text(last_ai) if last_ai is not None else ""
        proposal_only = pending is not None and not text
        if pending is not None and not text:
            text = f"This change needs your approval: {pending.description}."
        text = neutralize_mentions(text or "I have no answer to that.")
        results = [m for m in turn if isinstance(m, ToolMessage)]
        updates = [m for m in results if m.name == UPDATE_RUN_METADATA]
        return AgentReply(
            text,
            _runs_in(turn),
            pending,
            proposal_only=proposal_only,
            images=_images_in(turn),
            read_failed=any(m.status == "error" and m.name != UPDATE_RUN_METADATA for m in results),
            change_tried=bool(updates) or pending is not None,
            change_written=any(m.status != "error" for m in updates),
        )

    def _pending_write(self, waiting: Interrupt) -> PendingWrite:
        key = str(waiting.id)
        with self._guard:
            cached = self._previews.get(key)
        if cached is not None:
            return cached
        args: Mapping[str, Any] = _write_requests(waiting)[0].get("args") or {}
        description, change, refusal = self._preview(args)
        pending = PendingWrite(
            run_id=str(args.get("run_id") or ""),
            name=args.get("name"),
            metadata=dict(args["metadata"]) if isinstance(args.get("metadata"), dict) else None,
            add_tags=list(args["add_tags"]) if isinstance(args.get("add_tags"), list) else None,
            remove_tags=(
                list(args["remove_tags"]) if isinstance(args.get("remove_tags"), list) else None
            ),
            description=neutralize_mentions(description),
            change_id=key,
            change=change,
            refusal=refusal,
        )
        with self._guard:
            if len(self._previews) >= _MAX_CACHED_PREVIEWS:
                self._previews.clear()
            self._previews[key] = pending
        return pending

    def _preview(self, args: Mapping[str, Any]) -> tuple[str, RunChange | None, str | None]:
        """Before -> after from Extend's current state; the plain request if Extend fails.

        The third item is the tools' refusal of the change itself (bad text, reserved
        key, nothing to change), or None; Extend being unreadable is not a refusal.
        """
        try:
            change = self._run_tools.preview_update(
                str(args.get("run_id") or ""),
                name=args.get("name"),
                metadata=args.get("metadata"),
                add_tags=args.get("add_tags"),
                remove_tags=args.get("remove_tags"),
            )
        except ToolError as error:
            # the change itself is refused, or Extend says the run does not exist: either
            # way it would fail as shown, so it is never offered
            known_to_fail = error.cause is None or isinstance(error.cause, NotFoundError)
            refusal = error.message if known_to_fail else None
            return f"{describe_write(args)} (note: {error.message})", None, refusal
        return change.describe() + change.files_note(), change, None


@contextmanager
def open_agent_session(
    settings: AgentSettings | None = None,
    *,
    announce: Callable[[str], None] | None = announce_on_stderr,
) -> Iterator[AgentSession]:
    """Everything wired from the environment: Extend (or the emulator), tools, model, store."""
    from agent.build import build_agent
    from agent.checkpoint import open_checkpointer
    from agent.extend_connection import open_extend
    from agent.model_choice import choose_model
    from tools.faces.langchain_tools import make_tools
    from tools.images.image_cache import ImageCache

    settings = settings or load_settings()
    model, model_description = choose_model(settings)
    with (
        open_extend(settings, announce=announce) as extend,
        open_checkpointer(settings) as checkpointer,
    ):
        run_tools = RunTools(
            extend.client,
            low_confidence=settings.low_confidence,
            image_cache=ImageCache(settings.data_dir / "citation-images"),
        )
        agent = build_agent(model, make_tools(run_tools, approval="human"), checkpointer)
        yield AgentSession(
            agent,
            run_tools,
            model_description=model_description,
            extend_description=extend.description,
        )


def _config(thread_id: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread_id}}


def _write_requests(waiting: Interrupt) -> list[dict[str, Any]]:
    value = waiting.value
    if not isinstance(value, dict):
        return []
    requests = value.get("action_requests") or []
    return [r for r in requests if isinstance(r, dict) and r.get("name") == UPDATE_RUN_METADATA]


def _after_last_human(messages: list[BaseMessage]) -> list[BaseMessage]:
    for index in range(len(messages) - 1, -1, -1):
        if isinstance(messages[index], HumanMessage):
            return messages[index + 1 :]
    return messages


def _runs_in(messages: list[BaseMessage]) -> list[Run]:
    """The runs the tools returned this turn, latest version of each, in first-seen order."""
    runs: dict[str, Run] = {}
    for message in messages:
        if isinstance(message, ToolMessage) and isinstance(message.artifact, dict):
            artifact = message.artifact
            if isinstance(artifact.get("run"), dict):  # find_runs resolved one run
                artifact = artifact["run"]
            try:
                run = Run.model_validate(artifact)
            except ValidationError:
                continue
            runs[run.id] = run
    return list(runs.values())


def _images_in(messages: list[BaseMessage]) -> list[ShownImage]:
    """The images ``show_citation`` returned this turn, in order."""
    return [
        image
        for message in messages
        if isinstance(message, ToolMessage)
        and message.name == SHOW_CITATION
        and message.status != "error"
        for image in images_in_artifact(message.artifact)
    ]


def _text(message: BaseMessage) -> str:
    content = message.content
    return (content if isinstance(content, str) else str(message.text)).strip()
