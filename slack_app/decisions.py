"""Deciding on a change: who may, exactly once, then show the outcome.

Only the person who asked for the change, or someone in ``SLACK_APPROVER_IDS``,
may decide; anyone else gets a message only they see, and nothing happens. The
decision is claimed atomically in SQLite (``SlackState.claim_decision``), so a
double click, or clicks reaching two replicas, apply a change once. Then:

- an ``agent`` change resumes the paused conversation (``AgentSession.decide``),
  and the agent's reply ("Done: …") is posted in the thread;
- a ``command`` change (``/extend``) is applied with ``RunTools`` directly.

The proposal message is then updated (``chat.update``) to show who decided what,
without buttons.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from agent.session import AgentReply, AgentSession
from slack_app import texts
from slack_app.answers import show_agent_reply
from slack_app.blocks import outcome_message
from slack_app.errors import NOT_ALLOWED, friendly_message
from slack_app.mrkdwn import escape, user_mention
from slack_app.proposals import ChangeProposals
from slack_app.replies import ThreadReplier
from slack_app.state import Approval, ApprovalStatus, SlackState
from tools.run_tools import RunChange, RunTools

logger = logging.getLogger(__name__)

Respond = Callable[..., Any]


@dataclass
class _Outcome:
    status: ApprovalStatus
    text: str  # safe mrkdwn
    change: RunChange | None = None
    reply: AgentReply | None = None


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
    ) -> None:
        self.client = client
        self.state = state
        self.session = session
        self.run_tools = run_tools
        self.proposals = proposals
        self.approver_ids = approver_ids
        self.low_confidence = low_confidence

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
        """Handle one click (or "yes"/"no" reply) by ``user_id`` on an approval.

        ``message_ts`` is the clicked proposal's ts, used when the click arrived
        before the proposal's ts was stored.
        """
        approval = self.state.approval(approval_id)
        if approval is None:
            if channel_id:
                ThreadReplier(self.client, channel_id=channel_id, thread_ts=None).ephemeral(
                    user_id, texts.NO_LONGER_WAITING
                )
            return
        replier = self._replier(approval)
        if not self.may_decide(user_id, approval):
            logger.info("user %s may not decide on approval %s", user_id, approval.id)
            replier.ephemeral(
                user_id, NOT_ALLOWED.format(requester=user_mention(approval.requester))
            )
            return
        if not self.state.claim_decision(approval.id, user_id):
            replier.ephemeral(user_id, texts.ALREADY_DECIDED)
            return
        try:
            outcome = self._apply(approval, user_id, approve)
        except Exception as error:  # shown as words, logged in full
            outcome = _Outcome("failed", f":warning: Not applied: {friendly_message(error)}")
        self.state.finish_decision(approval.id, outcome.status, outcome.text)
        self._show_outcome(replier, approval, outcome, respond, message_ts)
        if outcome.reply is not None and approval.thread_id:
            show_agent_reply(
                replier,
                outcome.reply,
                proposals=self.proposals,
                thread_id=approval.thread_id,
                requester=approval.requester,
                low_confidence=self.low_confidence,
            )

    def _apply(self, approval: Approval, user_id: str, approve: bool) -> _Outcome:
        who = user_mention(user_id)
        if approval.kind == "agent":
            return self._apply_in_conversation(approval, who, approve)
        if not approve:
            return _Outcome(
                "cancelled", f":heavy_multiplication_x: Cancelled by {who}. Nothing was changed."
            )
        result = self.run_tools.update_run_metadata(
            approval.run_id,
            name=approval.name,
            metadata=approval.metadata,
            add_tags=approval.add_tags,
        )
        return _Outcome(
            "approved", f":white_check_mark: Approved by {who} and applied.", result.change
        )

    def _apply_in_conversation(self, approval: Approval, who: str, approve: bool) -> _Outcome:
        thread_id = approval.thread_id or ""
        if self.session.pending(thread_id) is None:
            return _Outcome("failed", f":warning: {texts.STALE_CHANGE}")
        reply = self.session.decide(thread_id, approve)
        if not approve:
            text = f":heavy_multiplication_x: Cancelled by {who}. Nothing was changed."
            return _Outcome("cancelled", text, reply=reply)
        if any(run.id == approval.run_id for run in reply.runs):
            return _Outcome(
                "approved", f":white_check_mark: Approved by {who} and applied.", reply=reply
            )
        text = (
            f":warning: Approved by {who}, but Extend did not confirm the change; "
            "see the reply below."
        )
        return _Outcome("failed", text, reply=reply)

    def _show_outcome(
        self,
        replier: ThreadReplier,
        approval: Approval,
        outcome: _Outcome,
        respond: Respond | None,
        clicked_ts: str | None,
    ) -> None:
        message = outcome_message(
            approval.run_id,
            approval.description,
            outcome.change or approval.change,
            outcome.text,
        )
        try:
            if approval.message_ts or clicked_ts:
                replier.update(approval.message_ts or clicked_ts or "", message)
                return
            if respond is not None:
                respond(text=message.text, blocks=message.blocks, replace_original=True)
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
    return texts.WAITING_FOR_DECISION.format(description=escape(approval.description))
