"""Conversations in threads: a message in, the agent's answer out, once.

``Conversations.receive`` runs inside the Slack request (before the ack goes
back), so it only claims the message and schedules the work: the claim is keyed
by (channel, message ts), so when Slack sends both ``app_mention`` and
``message`` for one message, or redelivers either, exactly one answer follows.
If scheduling fails the claim is given back, so Slack's retry is answered. The
work (status, agent, answer, cards, proposal) runs on a thread pool.

One agent conversation per Slack thread: the id is ``slack:<team>:<channel>:<thread ts>``,
so follow-ups in the thread continue it. Each message is answered holding the
thread's turn (``ThreadTurns.hold``): a second message waits until the first
one's proposed change is stored, then gets the reminder, rather than finding a
change nobody was shown. While a change in the thread waits for a decision, a
"yes"/"no" reply counts as a click (same permission check, same exactly-once
claim), but only once the change's card was posted: if posting it failed, the
card is posted again instead and the reply decides nothing. Anything else gets a
reminder and does not reach the agent. A change the agent holds that no approval
shows (the app stopped before storing it) is declined, so nothing unseen can ever
be approved.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agent.decision_words import read_decision
from agent.session import AgentSession
from slack_app import texts
from slack_app.agent_reply import show_agent_reply
from slack_app.decisions import ChangeDecisions, describe_waiting
from slack_app.failure_text import failure_text
from slack_app.mrkdwn import unescape
from slack_app.proposals import ChangeProposals
from slack_app.state.slack_state import SlackState
from slack_app.thread_replier import ThreadReplier

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IncomingMessage:
    """A person's message the bot should answer."""

    team_id: str | None
    channel_id: str
    user_id: str
    text: str
    ts: str
    thread_ts: str | None = None

    @property
    def conversation_ts(self) -> str:
        """The thread the answer goes in: the message's thread, or a new one under it."""
        return self.thread_ts or self.ts

    @property
    def thread_id(self) -> str:
        return f"slack:{self.team_id or '-'}:{self.channel_id}:{self.conversation_ts}"


def incoming_message(
    body: dict[str, Any], event: dict[str, Any], *, bot_user_id: str | None
) -> IncomingMessage | None:
    """The message in a ``message`` / ``app_mention`` event, mention of the bot removed."""
    channel, user, ts = event.get("channel"), event.get("user"), event.get("ts")
    if not (isinstance(channel, str) and isinstance(user, str) and isinstance(ts, str)):
        return None
    text = str(event.get("text") or "")
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(\|[^>]*)?>", " ", text)
    team = body.get("team_id") or event.get("team")
    thread_ts = event.get("thread_ts")
    return IncomingMessage(
        team_id=team if isinstance(team, str) else None,
        channel_id=channel,
        user_id=user,
        text=" ".join(unescape(text).split()),
        ts=ts,
        thread_ts=thread_ts if isinstance(thread_ts, str) else None,
    )


class Conversations:
    """Answers messages in threads with the agent."""

    def __init__(
        self,
        *,
        client: Any,
        session: AgentSession,
        state: SlackState,
        proposals: ChangeProposals,
        decisions: ChangeDecisions,
        submit: Callable[..., None],
        low_confidence: float,
        streaming: bool = True,
        dedupe_ttl_seconds: float = 24 * 3600.0,
    ) -> None:
        self.client = client
        self.session = session
        self.state = state
        self.proposals = proposals
        self.decisions = decisions
        self.submit = submit
        self.low_confidence = low_confidence
        self.streaming = streaming
        self.dedupe_ttl_seconds = dedupe_ttl_seconds

    def receive(self, message: IncomingMessage) -> bool:
        """Claim ``message`` and schedule its answer; False if it was already taken."""
        key = f"message:{message.channel_id}:{message.ts}"
        if not self.state.handled.claim(key, self.dedupe_ttl_seconds):
            return False
        try:
            self.state.threads.remember(message.channel_id, message.conversation_ts)
            self.submit(self._answer_or_apologize, message)
        except BaseException:
            self.state.handled.release(key)  # not handled: let Slack's retry be answered
            raise
        return True

    def _answer_or_apologize(self, message: IncomingMessage) -> None:
        replier = self._replier(message)
        try:
            with self.state.turns.hold(message.thread_id) as held:
                if not held:
                    replier.notice(texts.STILL_WORKING)
                    return
                self._answer(message, replier)
        except Exception as error:  # the user gets words, the log gets the traceback
            replier.notice(f":warning: {failure_text(error)}")

    def _answer(self, message: IncomingMessage, replier: ThreadReplier) -> None:
        thread_id = message.thread_id
        waiting = self.state.approvals.unsettled(thread_id)
        if waiting is not None and self.decisions.expire_if_due(waiting):
            waiting = None
        if waiting is not None:
            decision = read_decision(message.text)
            if waiting.status == "deciding" and not self.state.approvals.stalled(waiting):
                replier.notice(texts.CHANGE_IN_PROGRESS)
            elif waiting.message_ts is None:  # its card was never posted: nothing was shown
                self.proposals.show_again(replier, waiting)
            elif decision is None:
                replier.notice(describe_waiting(waiting))
            else:
                self.decisions.decide_in_turn(waiting, message.user_id, decision)
            return
        stranded = self.session.pending(thread_id)
        if stranded is not None:
            # A change the agent proposed that no approval shows (the app stopped before
            # posting it, or its approval was settled without resuming the agent):
            # decline it, so nothing unseen can be approved by a stray "yes".
            logger.info("declining a change not shown for approval in %s", thread_id)
            self.session.decide(thread_id, False, change_id=stranded.change_id)
        replier.set_status(texts.WORKING_STATUS, texts.LOADING_MESSAGES)
        reply = self.session.ask(thread_id, message.text, decide_by_text=False)
        show_agent_reply(
            replier,
            reply,
            session=self.session,
            proposals=self.proposals,
            thread_id=thread_id,
            requester=message.user_id,
            low_confidence=self.low_confidence,
        )

    def _replier(self, message: IncomingMessage) -> ThreadReplier:
        return ThreadReplier(
            self.client,
            channel_id=message.channel_id,
            thread_ts=message.conversation_ts,
            team_id=message.team_id,
            user_id=message.user_id,
            streaming=self.streaming,
        )
