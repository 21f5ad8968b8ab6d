"""``AgentSession``: runs a thread's turns on the agent graph and settles its waiting change.

A thread id names a conversation (the CLI's ``cli``, a Slack thread's ts); its messages
and any change waiting for approval live in the checkpointer, so a session object can
be recreated at any time (after a restart) and carry on where it stopped.

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

After each turn the thread's older checkpoints are pruned
(``agent.checkpoint.prune_thread``), so the store stays bounded. Calls on one thread
are serialized; different threads run in parallel, so a thread pool may share one
session.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from langchain_core.messages import HumanMessage
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.types import Command, Interrupt

from agent.change_text import REFUSED_PREFIX
from agent.checkpoint import prune_thread
from agent.decision_words import read_decision
from agent.person_named_run import run_named_by_person
from agent.session_pending import PendingPreviews, waiting_write, write_requests
from agent.session_reply import reply_to_turn
from agent.session_types import AgentReply, ChangeNotWaitingError, PendingWrite
from tools.faces.approved_change import approved_change
from tools.faces.run_tools import RunTools

if TYPE_CHECKING:
    from agent.offline.undo import UndoScope

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
_MAX_REMEMBERED_THREADS = 4096
EMPTY_QUESTION_REPLY = "Ask me about a run, e.g. “summarize workflow_run_1234”."


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
        self._previews = PendingPreviews(run_tools)
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
                pending = self._previews.pending_write(waiting)
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
        return self._previews.pending_write(waiting) if waiting is not None else None

    def last_named_run(self, thread_id: str) -> str | None:
        """The run the person last named in this thread: by id, or by words ``find_runs``
        resolved to one run in that turn ("the Bluebird fax"); never a document's."""
        state = self._agent.get_state(_config(thread_id))
        return run_named_by_person((state.values or {}).get("messages", []))

    def picked_question(self, thread_id: str, question: str) -> str:
        """``question``, or for "the second one" / "yes" after runs were offered, the earlier
        question about the run picked (what ``ask --yes`` checks a proposal against)."""
        from agent.offline.candidate_pick import picked_candidate, with_candidate_picked
        from agent.offline.conversation import Turn

        if picked_candidate(question) is None:
            return question
        state = self._agent.get_state(_config(thread_id))
        history = list((state.values or {}).get("messages", []))
        return with_candidate_picked(Turn(question=question, history=history)).question

    def last_applied_change(
        self, thread_id: str, scope: UndoScope = "all"
    ) -> dict[str, Any] | None:
        """The last change applied in this thread (a ``RunChange`` dump): what an undo reverses
        (for ``"name"``, the last one that renamed a run)."""
        from agent.offline.undo import last_applied_change

        state = self._agent.get_state(_config(thread_id))
        return last_applied_change((state.values or {}).get("messages", []), scope)

    # -- internals -------------------------------------------------------------------------

    def _thread_lock(self, thread_id: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(thread_id, threading.Lock())

    def _waiting_interrupt(self, thread_id: str) -> Interrupt | None:
        state = self._agent.get_state(_config(thread_id))
        return waiting_write(state.interrupts)

    def _resume(
        self, thread_id: str, waiting: Interrupt, approve: bool, *, reason: str | None = None
    ) -> AgentReply:
        result = self._resumed(thread_id, waiting, approve, reason=reason)
        return self._finish_turn(thread_id, result)

    def _resumed(
        self, thread_id: str, waiting: Interrupt, approve: bool, *, reason: str | None = None
    ) -> Any:
        requests = write_requests(waiting)
        first: dict[str, Any] = (
            {"type": "approve"}
            if approve
            else {"type": "reject", "message": reason or DECLINED_MESSAGE}
        )
        rest = [{"type": "reject", "message": ONE_AT_A_TIME_MESSAGE} for _ in requests[1:]]
        # the write happens only if the run still yields the change the person was shown
        shown = self._previews.pending_write(waiting).change if approve else None
        with approved_change(shown):
            return self._agent.invoke(
                Command(resume={"decisions": [first, *rest]}), _config(thread_id), version="v2"
            )

    def _finish_turn(self, thread_id: str, result: Any) -> AgentReply:
        """The reply to show; refused proposals declined unseen, older checkpoints pruned."""
        for _ in range(_MAX_REFUSED_PROPOSALS):
            waiting = waiting_write(result.interrupts)
            refusal = self._previews.pending_write(waiting).refusal if waiting is not None else None
            if waiting is None or refusal is None:
                break
            reason = REFUSED_MESSAGE.format(reason=refusal)
            result = self._resumed(thread_id, waiting, False, reason=reason)
        checkpointer = getattr(self._agent, "checkpointer", None)
        if isinstance(checkpointer, BaseCheckpointSaver):
            prune_thread(checkpointer, thread_id)
        waiting = waiting_write(result.interrupts)
        pending = self._previews.pending_write(waiting) if waiting is not None else None
        reply = reply_to_turn(result, pending)
        if waiting is not None:
            self._mark_shown(thread_id, waiting)
        return reply

    def _mark_shown(self, thread_id: str, waiting: Interrupt) -> None:
        with self._guard:
            if len(self._shown) >= _MAX_REMEMBERED_THREADS:
                self._shown.clear()
            self._shown[thread_id] = str(waiting.id)


def _config(thread_id: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread_id}}
