"""Carrying out a claimed decision, and telling honestly what became of the change.

``ChangeApplier.outcome`` runs once the decision is claimed (``ChangeDecisions``):

- an approval past its time to live (``SLACK_APPROVAL_TTL_SECONDS``) expires;
- Cancel declines the agent's paused change (only if it is still the one the
  approval was made for) or, for ``/extend``, simply drops it;
- Approve first re-reads the run: if its current values are no longer the card's
  "before" values, nothing is written and the person is asked to ask again. Then
  the agent's paused change is approved (again only that very change), or the
  ``/extend`` change applied with ``RunTools``.

Whether a change was applied is read from Extend afterwards (the run re-read and
compared with the approved change, falling back on the run the tool returned),
never inferred from an exception: the write can succeed and the model call after
it fail. A claim whose process died (``deciding`` for too long) is settled the
same way before anything is retried: an agent change still paused under the same
id was never applied, so the decision simply goes ahead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from agent.session import AgentReply, AgentSession, ChangeNotWaitingError
from slack_app import texts
from slack_app.failure_text import failure_text
from slack_app.mrkdwn import code, escape, user_mention
from slack_app.state.approvals import Approval, ApprovalStatus
from tools.client.errors import ExtendError
from tools.faces.run_change import TAGS_KEY, RunChange, is_reserved_key
from tools.faces.run_tools import RunTools
from tools.faces.tool_errors import ToolError
from tools.runs.models import Run

logger = logging.getLogger(__name__)

_MISSING = object()


@dataclass
class Outcome:
    """What became of a change: its final status and the line shown on its message."""

    status: ApprovalStatus
    text: str  # safe mrkdwn
    change: RunChange | None = None  # what Extend reported, when the change was applied
    reply: AgentReply | None = None  # the agent's reply to post after the outcome
    notice: str | None = None  # a further line to post in the thread (safe mrkdwn)


class ChangeApplier:
    """Applies, drops or settles claimed approvals against the agent and Extend."""

    def __init__(
        self, *, session: AgentSession, run_tools: RunTools, approval_ttl_seconds: float
    ) -> None:
        self.session = session
        self.run_tools = run_tools
        self.approval_ttl_seconds = approval_ttl_seconds

    def is_expired(self, approval: Approval, now: float) -> bool:
        return approval.status == "pending" and now - approval.created_at > (
            self.approval_ttl_seconds
        )

    def expired(self) -> Outcome:
        return Outcome("expired", f":hourglass: {texts.EXPIRED.format(age=self._ttl_words())}")

    def outcome(self, claimed: Approval, user_id: str, approve: bool, now: float) -> Outcome:
        """Carry out ``approve`` (or cancel) on ``claimed``, as it stood before the claim."""
        if claimed.status == "deciding":  # the claim of a process that died: settle it first
            settled = self._settle_stalled(claimed)
            if settled is not None:
                return settled
        elif self.is_expired(claimed, now):
            return self.expired()
        who = user_mention(user_id)
        if not approve:
            return self._cancel(claimed, who)
        changed = self._refuse_if_run_changed(claimed)
        if changed is not None:
            return changed
        if claimed.kind == "agent":
            return self._approve_in_conversation(claimed, who)
        return self._approve_command(claimed, who)

    # -- cancel ------------------------------------------------------------------------------

    def _cancel(self, approval: Approval, who: str) -> Outcome:
        if approval.kind != "agent":
            return Outcome("cancelled", texts.cancelled_by(who))
        try:
            reply = self.session.decide(
                approval.thread_id or "", False, change_id=approval.change_id or ""
            )
        except ChangeNotWaitingError:
            return Outcome("failed", texts.warning(texts.STALE_CHANGE))
        return Outcome("cancelled", texts.cancelled_by(who), reply=reply)

    # -- approve -----------------------------------------------------------------------------

    def _refuse_if_run_changed(self, approval: Approval) -> Outcome | None:
        """Not applied when the run no longer holds the "before" values the card showed."""
        if approval.change is None:
            return None
        try:
            current = self.run_tools.preview_update(
                approval.run_id,
                name=approval.name,
                metadata=approval.metadata,
                add_tags=approval.add_tags,
                remove_tags=approval.remove_tags,
                reserved_keys=_typed_reserved_keys(approval),
            )
        except ToolError as error:
            if error.cause is not None:  # Extend could not be read: say so, write nothing
                return Outcome("failed", texts.warning(f"Not applied: {failure_text(error)}"))
            current = None  # our own refusal: the run already holds (part of) the change
        if current == approval.change:
            return None
        return Outcome("failed", texts.warning(texts.RUN_CHANGED.format(run=code(approval.run_id))))

    def _approve_in_conversation(self, approval: Approval, who: str) -> Outcome:
        reply: AgentReply | None = None
        failure: Exception | None = None
        try:
            reply = self.session.decide(
                approval.thread_id or "", True, change_id=approval.change_id or ""
            )
        except ChangeNotWaitingError:
            return Outcome("failed", texts.warning(texts.STALE_CHANGE))
        except Exception as error:  # the write may still have happened: Extend will tell
            failure = error
        applied = self._extend_shows(approval, reply.runs if reply is not None else [])
        if applied is None:
            text = texts.UNCONFIRMED.format(who=who, run_id=escape(approval.run_id))
            return Outcome("failed", texts.warning(text), reply=reply)
        if applied:
            notice = None
            if failure is not None:
                reason = failure_text(failure)
                notice = texts.warning(texts.APPLIED_BUT_NO_REPLY.format(reason=reason))
            return Outcome("approved", texts.approved_by(who), reply=reply, notice=notice)
        if reply is not None:
            return Outcome(
                "failed", texts.warning(texts.NOT_APPLIED_SEE_REPLY.format(who=who)), reply=reply
            )
        reason = failure_text(failure) if failure is not None else ""
        return Outcome(
            "failed", texts.warning(texts.NOT_APPLIED_BECAUSE.format(who=who, reason=reason))
        )

    def _approve_command(self, approval: Approval, who: str) -> Outcome:
        try:
            result = self.run_tools.update_run_metadata(
                approval.run_id,
                name=approval.name,
                metadata=approval.metadata,
                add_tags=approval.add_tags,
                remove_tags=approval.remove_tags,
                reserved_keys=_typed_reserved_keys(approval),
            )
        except Exception as error:  # the write may still have happened: Extend will tell
            if self._extend_shows(approval, []):
                return Outcome("approved", texts.approved_by(who))
            reason = failure_text(error)
            return Outcome(
                "failed", texts.warning(texts.NOT_APPLIED_BECAUSE.format(who=who, reason=reason))
            )
        return Outcome("approved", texts.approved_by(who), change=result.change)

    # -- after a crash ------------------------------------------------------------------------

    def _settle_stalled(self, approval: Approval) -> Outcome | None:
        """What became of a claim whose process died; None when deciding again is safe."""
        if approval.kind == "agent":
            pending = self.session.pending(approval.thread_id or "")
            if pending is not None and pending.change_id == approval.change_id:
                return None  # still paused, so never applied: go ahead
        applied = self._extend_shows(approval, [])
        decider = user_mention(approval.decided_by)
        if applied:
            return Outcome("approved", texts.approved_by(decider))
        if approval.kind == "command" and applied is False:
            return None  # nothing was written; the new decision stands
        if applied is None:
            text = texts.UNCONFIRMED.format(who=decider, run_id=escape(approval.run_id))
            return Outcome("failed", texts.warning(text))
        if approval.decision == "cancel":
            return Outcome("cancelled", texts.cancelled_by(decider))
        return Outcome("failed", texts.warning(texts.INTERRUPTED))

    def _extend_shows(self, approval: Approval, returned: list[Run]) -> bool | None:
        """Whether the run now holds the approved change; None when it cannot be read."""
        try:
            run: Run | None = self.run_tools.client.get_run(approval.run_id)
        except ExtendError:
            logger.info("could not re-read %s to confirm a change", approval.run_id, exc_info=True)
            run = next((r for r in returned if r.id == approval.run_id), None)
        return None if run is None else run_shows_change(run, approval)

    def _ttl_words(self) -> str:
        """``7 days``, ``1 hour``, ``90 seconds``: the time to live as people say it."""
        seconds = self.approval_ttl_seconds
        for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
            if seconds >= size and seconds % size == 0:
                count = int(seconds // size)
                return f"{count} {unit}{'s' if count != 1 else ''}"
        return f"{seconds:g} seconds"


def _typed_reserved_keys(approval: Approval) -> list[str]:
    """The ``extend:`` keys a person typed in ``/extend meta``; never an agent's proposal.

    An ``/extend`` command is the person's own words, so a reserved key in it was
    named on purpose (and the card said so). A model's proposal may come from a
    document, so its reserved keys stay refused.
    """
    if approval.kind != "command":
        return []
    return [key for key in approval.metadata or {} if is_reserved_key(key)]


def run_shows_change(run: Run, approval: Approval) -> bool:
    """True when ``run`` holds every value ``approval`` set out to write, no tag it removed."""
    change = approval.change
    if change is not None:
        name, tags = (change.name_after if change.renames else None), change.tags_added
        removed = change.tags_removed
        metadata: dict[str, Any] = {
            k: v
            for k, v in change.metadata_after.items()
            if not (k == TAGS_KEY and (tags or removed))
        }
    else:
        name, tags, metadata = approval.name, approval.add_tags or [], approval.metadata or {}
        removed = approval.remove_tags or []
    if name is not None and run.name != name:
        return False
    if any(run.metadata.get(key, _MISSING) != value for key, value in metadata.items()):
        return False
    return all(tag in run.tags for tag in tags) and not any(tag in run.tags for tag in removed)
