"""An agent reply in a thread: the answer, images it drew, a card per run, a proposed change.

Used after a question and after a decision (the agent's "Done: …" reply), so both
read the same. A change the agent wants to make is never applied here: it is
posted for approval (``ChangeProposals``), tied to the agent's paused change by
its id, and the agent stays paused. A failed answer or card post is logged and
the rest still goes out, so a proposal is never lost to a card; when the
proposal itself cannot be posted, the person is told (a "yes" cannot decide it
until its card is shown). A change too
large to show in full is declined at once (nothing is written) and the person is
pointed to the CLI.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackClientError

from agent.session import AgentReply, AgentSession
from slack_app import texts
from slack_app.change_view import ChangeTooLargeError
from slack_app.citation_upload import upload_citations
from slack_app.feedback.buttons import feedback_block
from slack_app.mrkdwn import code
from slack_app.proposals import ChangeProposals
from slack_app.run_card import run_card
from slack_app.thread_replier import ThreadReplier

logger = logging.getLogger(__name__)

MAX_CARDS_PER_REPLY = 3
_POST_FAILURES = (SlackClientError, OSError)


def show_agent_reply(
    replier: ThreadReplier,
    reply: AgentReply,
    *,
    session: AgentSession,
    proposals: ChangeProposals,
    thread_id: str,
    requester: str | None,
    low_confidence: float,
) -> None:
    """Post ``reply`` in the replier's thread (answer, run cards, change for approval)."""
    try:
        replier.answer(reply.text, footer=[feedback_block(thread_id)])
    except _POST_FAILURES:
        logger.warning("could not post the answer in %s", thread_id, exc_info=True)
    if reply.images:  # "show me where the total came from": the cited region, as images
        try:
            upload_citations(replier, reply.images)
        except _POST_FAILURES:
            logger.warning("could not upload the citation images in %s", thread_id, exc_info=True)
            replier.notice(texts.warning(texts.IMAGES_NOT_UPLOADED))
    for run in reply.runs[:MAX_CARDS_PER_REPLY]:
        try:
            for message in run_card(run, low_confidence=low_confidence):
                replier.post(message)
        except _POST_FAILURES:
            logger.warning("could not post the card of %s in %s", run.id, thread_id, exc_info=True)
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
            remove_tags=pending.remove_tags,
            description=pending.description,
            change=pending.change,
            requester=requester,
            thread_id=thread_id,
            change_id=pending.change_id,
        )
    except ChangeTooLargeError:
        logger.info("declining a change to %s too large to show in Slack", pending.run_id)
        session.decide(thread_id, False, change_id=pending.change_id)
        replier.notice(texts.TOO_LARGE_TO_CONFIRM.format(run=code(pending.run_id)))
    except _POST_FAILURES:
        logger.warning("could not post the change for approval in %s", thread_id, exc_info=True)
        replier.notice(texts.warning(texts.CARD_NOT_POSTED))
