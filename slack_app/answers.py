"""An agent reply in a thread: the answer, a card per run it looked at, a proposed change.

Used after a question and after a decision (the agent's "Done: …" reply), so both
read the same. A change the agent wants to make is never applied here: it is
posted for approval (``ChangeProposals``) and the agent stays paused.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackClientError

from agent.session import AgentReply
from slack_app.blocks import run_card
from slack_app.proposals import ChangeProposals
from slack_app.replies import ThreadReplier

logger = logging.getLogger(__name__)

MAX_CARDS_PER_REPLY = 3


def show_agent_reply(
    replier: ThreadReplier,
    reply: AgentReply,
    *,
    proposals: ChangeProposals,
    thread_id: str,
    requester: str | None,
    low_confidence: float,
) -> None:
    """Post ``reply`` in the replier's thread (answer, run cards, change for approval)."""
    replier.answer(reply.text)
    for run in reply.runs[:MAX_CARDS_PER_REPLY]:
        for message in run_card(run, low_confidence=low_confidence):
            replier.post(message)
    pending = reply.pending
    if pending is None or reply.not_asked:
        return
    try:
        proposals.propose(
            replier,
            kind="agent",
            run_id=pending.run_id,
            name=pending.name,
            metadata=pending.metadata,
            add_tags=pending.add_tags,
            description=pending.description,
            requester=requester,
            thread_id=thread_id,
        )
    except SlackClientError:
        logger.warning("could not post the change for approval in %s", thread_id, exc_info=True)
