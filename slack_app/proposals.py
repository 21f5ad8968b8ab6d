"""Showing a change for approval: record it, then post it with Approve / Cancel buttons.

The change is computed against the run as Extend holds it now
(``RunTools.preview_update``: before -> after, nothing written), so people approve
what will actually happen. The approval is stored before the message is posted,
so a click can never arrive for an approval the store does not know.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_app.blocks import proposal_message
from slack_app.replies import ThreadReplier
from slack_app.state import Approval, ApprovalKind, SlackState
from tools.run_tools import RunChange, RunTools, ToolError

logger = logging.getLogger(__name__)


class ChangeProposals:
    """Creates approvals and posts them; shared by the agent flow and ``/extend``."""

    def __init__(self, state: SlackState, run_tools: RunTools) -> None:
        self.state = state
        self.run_tools = run_tools

    def preview(
        self,
        run_id: str,
        name: str | None,
        metadata: dict[str, Any] | None,
        add_tags: list[str] | None,
    ) -> RunChange:
        """Before -> after against Extend now. Raises ``ToolError`` (unknown run, no change…)."""
        return self.run_tools.preview_update(
            run_id, name=name, metadata=metadata, add_tags=add_tags
        )

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
        requester: str | None,
        thread_id: str | None = None,
        change: RunChange | None = None,
    ) -> Approval:
        """Store the approval, post it in the replier's thread, remember the message.

        Raises ``SlackApiError`` when the message cannot be posted (the approval
        stays stored and can still be decided by a "yes"/"no" reply).
        """
        if change is None:
            try:
                change = self.preview(run_id, name, metadata, add_tags)
            except ToolError as error:
                logger.info("could not preview the change to %s: %s", run_id, error.message)
        if change is not None and not change.is_empty:
            description = change.describe()
        approval = self.state.add_approval(
            kind=kind,
            channel_id=replier.channel_id,
            thread_ts=replier.thread_ts,
            thread_id=thread_id,
            requester=requester,
            run_id=run_id,
            name=name,
            metadata=metadata,
            add_tags=add_tags,
            description=description,
            change=change,
        )
        message = proposal_message(approval.id, run_id, description, change, requester)
        ts = replier.post(message)
        self.state.set_message_ts(approval.id, ts)
        approval.message_ts = ts
        return approval
