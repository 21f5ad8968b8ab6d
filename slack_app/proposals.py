"""Showing a change for approval: record it, then post it with Approve / Cancel buttons.

The change shown is the before -> after its proposer computed against Extend
(``AgentSession`` for the agent's changes, ``RunTools.preview_update`` for
``/extend``), so people approve what will actually happen, and no second read of
the run is needed here. A change too large to show in full is refused before
anything is stored (``ChangeTooLargeError``). The approval is stored before the
message is posted, so a click can never arrive for an approval the store does
not know.

An approval is only ever decided on what was shown: its card's ts is stored once
the card is posted. When posting failed, the approval stays without a ts, a
typed "yes" does not count, and ``show_again`` posts the card again and says why.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackClientError

from slack_app import texts
from slack_app.change_view import check_showable, proposal_message
from slack_app.state.approvals import Approval, ApprovalKind
from slack_app.state.slack_state import SlackState
from slack_app.thread_replier import ThreadReplier
from tools.faces.run_change import RunChange

logger = logging.getLogger(__name__)

POST_FAILURES = (SlackClientError, OSError)


class ChangeProposals:
    """Creates approvals and posts them; shared by the agent flow and ``/extend``."""

    def __init__(self, state: SlackState) -> None:
        self.state = state

    def propose(
        self,
        replier: ThreadReplier,
        *,
        kind: ApprovalKind,
        run_id: str,
        name: str | None,
        metadata: dict[str, Any] | None,
        add_tags: list[str] | None,
        description: str,
        change: RunChange | None,
        requester: str | None,
        thread_id: str | None = None,
        change_id: str | None = None,
        remove_tags: list[str] | None = None,
    ) -> Approval:
        """Store the approval, post it in the replier's thread, remember the message.

        ``change_id`` names the agent's paused change the approval decides. Raises
        ``ChangeTooLargeError`` (nothing stored) when the change cannot be shown in
        full, and ``SlackApiError`` when the message cannot be posted (the approval
        stays stored and can still be decided by a "yes"/"no" reply).
        """
        check_showable(run_id, description, change)
        approval = self.state.approvals.add(
            kind=kind,
            channel_id=replier.channel_id,
            thread_ts=replier.thread_ts,
            thread_id=thread_id,
            requester=requester,
            run_id=run_id,
            name=name,
            metadata=metadata,
            add_tags=add_tags,
            remove_tags=remove_tags,
            description=description,
            change=change,
            change_id=change_id,
        )
        self._post(replier, approval)
        return approval

    def show_again(self, replier: ThreadReplier, approval: Approval) -> bool:
        """Post the card of an approval whose card never got posted, saying so; True if shown."""
        try:
            self._post(replier, approval)
        except POST_FAILURES:
            logger.warning("could not post approval %s again", approval.id, exc_info=True)
            replier.notice(texts.warning(texts.CARD_NOT_POSTED))
            return False
        replier.notice(texts.warning(texts.CARD_POSTED_AGAIN))
        return True

    def _post(self, replier: ThreadReplier, approval: Approval) -> None:
        message = proposal_message(
            approval.id, approval.run_id, approval.description, approval.change, approval.requester
        )
        ts = replier.post(message)
        self.state.approvals.set_message_ts(approval.id, ts)
        approval.message_ts = ts
