"""Deciding on a change: who may, exactly once, then show the outcome.

Only the person who asked for the change, or someone in ``SLACK_APPROVER_IDS``,
may decide; anyone else gets a message only they see, and nothing happens. The
decision is claimed atomically in SQLite (``ApprovalStore.claim_decision``), so a
double click, or clicks reaching two replicas, apply a change once; a claim left
by a process that died is taken over after a while and settled
(``slack_app.applying``, which also carries the decision out).

An agent change is decided while holding its conversation thread's turn
(``ThreadTurns.hold``), so the agent's reply, and any new change it
proposes, are stored before another message in the thread is looked at. The
proposal message is then updated (``chat.update``) to show who decided what,
without buttons, and the agent's reply ("Done: …") is posted in the thread.
"""

from __future__ import annotations

import logging

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from agent.session import AgentSession
from slack_app import texts
from slack_app.agent_reply import show_agent_reply
from slack_app.applying import ChangeApplier, Outcome
from slack_app.change_view import outcome_message
from slack_app.failure_text import failure_text
from slack_app.mrkdwn import inline, user_mention
from slack_app.proposals import ChangeProposals
from slack_app.state.approvals import Approval
from slack_app.state.slack_state import SlackState
from slack_app.thread_replier import NO_UNFURL, ThreadReplier
from tools.faces.run_tools import RunTools

logger = logging.getLogger(__name__)


class ChangeDecisions:
    """Applies (or drops) stored changes on a permitted person's say-so."""

    def __init__(
        self,
        *,
        client: WebClient,
        state: SlackState,
        session: AgentSession,
        run_tools: RunTools,
        proposals: ChangeProposals,
        approver_ids: frozenset[str],
        low_confidence: float,
        approval_ttl_seconds: float,
    ) -> None:
        self.client = client
        self.state = state
        self.session = session
        self.proposals = proposals
        self.approver_ids = approver_ids
        self.low_confidence = low_confidence
        self.applier = ChangeApplier(
            session=session, run_tools=run_tools, approval_ttl_seconds=approval_ttl_seconds
        )

    def may_decide(self, user_id: str, approval: Approval) -> bool:
        return bool(user_id) and (user_id == approval.requester or user_id in self.approver_ids)

    def decide(
        self,
        approval_id: str,
        user_id: str,
        approve: bool,
        *,
        channel_id: str | None = None,
        respond: Respond | None = None,
        message_ts: str | None = None,
    ) -> None:
        """Handle one click by ``user_id`` on an approval.

        ``message_ts`` is the clicked proposal's ts, used when the click arrived
        before the proposal's ts was stored.
        """
        approval = self.state.approvals.get(approval_id)
        if approval is None:
            if channel_id:
                ThreadReplier(self.client, channel_id=channel_id, thread_ts=None).ephemeral(
                    user_id, texts.NO_LONGER_WAITING
                )
            return
        replier = self._replier(approval)
        if not self._permitted(replier, user_id, approval):
            return
        if approval.kind != "agent" or not approval.thread_id:
            self._decide(approval, user_id, approve, replier, respond, message_ts)
            return
        with self.state.turns.hold(approval.thread_id) as held:
            if not held:
                replier.ephemeral(user_id, texts.STILL_WORKING_CLICK)
                return
            self._decide(approval, user_id, approve, replier, respond, message_ts)

    def decide_in_turn(self, approval: Approval, user_id: str, approve: bool) -> None:
        """A "yes"/"no" reply in the approval's thread; the caller holds the thread's turn."""
        replier = self._replier(approval)
        if self._permitted(replier, user_id, approval):
            self._decide(approval, user_id, approve, replier, None, None)

    def expire_if_due(self, approval: Approval) -> bool:
        """Settle ``approval`` as expired if its time is up (nothing is written); True if so."""
        if not self.applier.is_expired(approval, self.state.now()):
            return False
        if self.state.approvals.claim_decision(approval.id, "") is None:
            return False
        outcome = self.applier.expired()
        self.state.approvals.finish_decision(approval.id, outcome.status, outcome.text)
        self._show_outcome(self._replier(approval), approval, outcome, None, None)
        return True

    def _permitted(self, replier: ThreadReplier, user_id: str, approval: Approval) -> bool:
        if self.may_decide(user_id, approval):
            return True
        logger.info("user %s may not decide on approval %s", user_id, approval.id)
        replier.ephemeral(
            user_id, texts.NOT_ALLOWED.format(requester=user_mention(approval.requester))
        )
        return False

    def _decide(
        self,
        approval: Approval,
        user_id: str,
        approve: bool,
        replier: ThreadReplier,
        respond: Respond | None,
        clicked_ts: str | None,
    ) -> None:
        claimed = self.state.approvals.claim_decision(approval.id, user_id, approve=approve)
        if claimed is None:
            replier.ephemeral(user_id, _already_decided(self.state.approvals.get(approval.id)))
            return
        try:
            outcome = self.applier.outcome(claimed, user_id, approve, self.state.now())
        except Exception as error:  # words for the user, the traceback in the log
            outcome = Outcome("failed", texts.warning(f"Not applied: {failure_text(error)}"))
        self.state.approvals.finish_decision(claimed.id, outcome.status, outcome.text)
        self._show_outcome(replier, claimed, outcome, respond, clicked_ts)
        if outcome.reply is not None and claimed.thread_id:
            show_agent_reply(
                replier,
                outcome.reply,
                session=self.session,
                proposals=self.proposals,
                thread_id=claimed.thread_id,
                requester=claimed.requester,
                low_confidence=self.low_confidence,
            )
        if outcome.notice:
            replier.notice(outcome.notice)

    def _show_outcome(
        self,
        replier: ThreadReplier,
        approval: Approval,
        outcome: Outcome,
        respond: Respond | None,
        clicked_ts: str | None,
    ) -> None:
        message = outcome_message(
            approval.run_id, approval.description, outcome.change or approval.change, outcome.text
        )
        try:
            if approval.message_ts or clicked_ts:
                replier.update(approval.message_ts or clicked_ts or "", message)
                return
            if respond is not None:
                respond(
                    text=message.text, blocks=message.blocks, replace_original=True, **NO_UNFURL
                )
                return
        except (SlackClientError, OSError):
            logger.warning("could not update the proposal of %s", approval.id, exc_info=True)
        replier.notice(message.text)

    def _replier(self, approval: Approval) -> ThreadReplier:
        return ThreadReplier(
            self.client,
            channel_id=approval.channel_id,
            thread_ts=approval.thread_ts,
            user_id=approval.requester,
            streaming=False,  # the follow-up ("Done: …") is short; no team id is stored for it
        )


def describe_waiting(approval: Approval) -> str:
    """The reminder shown when someone writes in a thread whose change awaits a decision."""
    return texts.WAITING_FOR_DECISION.format(description=inline(approval.description))


def _already_decided(approval: Approval | None) -> str:
    if approval is not None and approval.is_final and approval.outcome:
        return texts.ALREADY_DECIDED.format(outcome=approval.outcome)
    if approval is not None and approval.status == "deciding":
        return texts.BEING_DECIDED
    return texts.NO_LONGER_WAITING
