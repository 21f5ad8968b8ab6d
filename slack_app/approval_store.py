"""Changes waiting for (or given) a human decision, in the ``approvals`` table.

An approval records what was shown (the run, the change before -> after, its
description), who may decide (the requester), and for an agent change which
paused change it is (``change_id``, the agent's interrupt id), so a click can only
ever decide that change.

A decision is claimed before anything is applied: ``claim_decision`` moves
``pending`` to ``deciding`` inside one write transaction, so of two clicks (one
replica or two) exactly one wins. The claim records when and what was decided; a
``deciding`` claim older than ``DECISION_STALLED_SECONDS`` (the process died while
applying) may be claimed again, and the new owner settles what happened.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from slack_app.state_file import StateFile
from tools.faces.run_tools import RunChange

DECISION_STALLED_SECONDS = 120.0

ApprovalKind = Literal["agent", "command"]
ApprovalStatus = Literal["pending", "deciding", "approved", "cancelled", "failed", "expired"]
FINAL_STATUSES: frozenset[str] = frozenset({"approved", "cancelled", "failed", "expired"})

_COLUMNS = (
    "id, kind, thread_id, channel_id, thread_ts, message_ts, requester, run_id, name, "
    "metadata, add_tags, description, change, status, decided_by, outcome, change_id, "
    "decision, created_at, claimed_at"
)


@dataclass
class Approval:
    """A proposed change to a run and what became of it.

    ``kind`` says who applies it: ``agent`` resumes the agent conversation
    ``thread_id`` (only while its paused change is ``change_id``); ``command``
    (from ``/extend``) calls the tools directly. ``decision`` is what the
    current (or last) claim set out to do: ``approve`` or ``cancel``.
    """

    id: str
    kind: ApprovalKind
    thread_id: str | None
    channel_id: str
    thread_ts: str | None
    message_ts: str | None
    requester: str | None
    run_id: str
    name: str | None
    metadata: dict[str, Any] | None
    add_tags: list[str] | None
    description: str
    change: RunChange | None
    status: ApprovalStatus
    decided_by: str | None = None
    outcome: str | None = None  # the outcome line shown on the message (safe mrkdwn)
    change_id: str | None = None
    decision: Literal["approve", "cancel"] | None = None
    created_at: float = 0.0
    claimed_at: float | None = None

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


class ApprovalTables(StateFile):
    """Reading and writing approvals (on the work connection)."""

    def add_approval(
        self,
        *,
        kind: ApprovalKind,
        channel_id: str,
        run_id: str,
        description: str,
        requester: str | None,
        thread_id: str | None = None,
        thread_ts: str | None = None,
        name: str | None = None,
        metadata: dict[str, Any] | None = None,
        add_tags: list[str] | None = None,
        change: RunChange | None = None,
        change_id: str | None = None,
    ) -> Approval:
        """Record a change waiting for a decision; returns it with its new id."""
        approval = Approval(
            id=uuid.uuid4().hex,
            kind=kind,
            thread_id=thread_id,
            channel_id=channel_id,
            thread_ts=thread_ts,
            message_ts=None,
            requester=requester,
            run_id=run_id,
            name=name,
            metadata=metadata,
            add_tags=add_tags,
            description=description,
            change=change,
            status="pending",
            change_id=change_id,
            created_at=self.now(),
        )
        with self._work_lock:
            self._work.execute(
                "INSERT INTO approvals (id, kind, thread_id, channel_id, thread_ts, requester, "
                "run_id, name, metadata, add_tags, description, change, status, change_id, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
                (
                    approval.id,
                    kind,
                    thread_id,
                    channel_id,
                    thread_ts,
                    requester,
                    run_id,
                    name,
                    _dump(metadata),
                    _dump(add_tags),
                    description,
                    change.model_dump_json() if change is not None else None,
                    change_id,
                    approval.created_at,
                ),
            )
        return approval

    def set_message_ts(self, approval_id: str, message_ts: str) -> None:
        with self._work_lock:
            self._work.execute(
                "UPDATE approvals SET message_ts = ? WHERE id = ?", (message_ts, approval_id)
            )

    def approval(self, approval_id: str) -> Approval | None:
        with self._work_lock:
            row = self._work.execute(
                f"SELECT {_COLUMNS} FROM approvals WHERE id = ?", (approval_id,)
            ).fetchone()
        return _approval(row) if row else None

    def unsettled_approval(self, thread_id: str) -> Approval | None:
        """The latest approval of an agent thread still ``pending`` or ``deciding``."""
        with self._work_lock:
            row = self._work.execute(
                f"SELECT {_COLUMNS} FROM approvals WHERE thread_id = ? "
                "AND status IN ('pending', 'deciding') ORDER BY created_at DESC LIMIT 1",
                (thread_id,),
            ).fetchone()
        return _approval(row) if row else None

    def claim_decision(
        self, approval_id: str, user_id: str, *, approve: bool | None = None
    ) -> Approval | None:
        """Move ``pending`` (or a stalled ``deciding``) to ``deciding`` for this caller.

        Returns the approval as it stood just before the claim (its ``status`` is
        ``deciding`` when a stalled claim was taken over), or None when someone else
        holds or has finished it. ``approve`` records what this claim sets out to do.
        """
        now = self.now()
        decision = None if approve is None else "approve" if approve else "cancel"
        with self._work_lock:
            self._work.execute("BEGIN IMMEDIATE")  # the read and the write, as one
            try:
                row = self._work.execute(
                    f"SELECT {_COLUMNS} FROM approvals WHERE id = ?", (approval_id,)
                ).fetchone()
                before = _approval(row) if row else None
                if before is not None and (
                    before.status == "pending" or self._stalled(before, now)
                ):
                    self._work.execute(
                        "UPDATE approvals SET status = 'deciding', decided_by = ?, decision = ?, "
                        "claimed_at = ? WHERE id = ?",
                        (user_id, decision, now, approval_id),
                    )
                else:
                    before = None
            except BaseException:
                self._work.execute("ROLLBACK")
                raise
            self._work.execute("COMMIT")
        return before

    def decision_stalled(self, approval: Approval) -> bool:
        """True for a ``deciding`` claim so old its owner must have died: it may be retaken."""
        return self._stalled(approval, self.now())

    def finish_decision(self, approval_id: str, status: ApprovalStatus, outcome: str) -> None:
        with self._work_lock:
            self._work.execute(
                "UPDATE approvals SET status = ?, outcome = ?, decided_at = ? WHERE id = ?",
                (status, outcome, self.now(), approval_id),
            )

    def _purge_approvals(self, created_before: float) -> int:
        """Forget settled (and long-abandoned pending) approvals created before the cutoff."""
        with self._work_lock:
            cursor = self._work.execute(
                "DELETE FROM approvals WHERE created_at <= ? AND status != 'deciding'",
                (created_before,),
            )
        return cursor.rowcount

    @staticmethod
    def _stalled(approval: Approval, now: float) -> bool:
        if approval.status != "deciding":
            return False
        return approval.claimed_at is None or now - approval.claimed_at >= DECISION_STALLED_SECONDS


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _approval(row: tuple[Any, ...]) -> Approval:
    (id_, kind, thread_id, channel_id, thread_ts, message_ts, requester, run_id, name) = row[:9]
    (metadata, add_tags, description, change, status, decided_by, outcome) = row[9:16]
    change_id, decision, created_at, claimed_at = row[16:]
    return Approval(
        id=id_,
        kind=kind,
        thread_id=thread_id,
        channel_id=channel_id,
        thread_ts=thread_ts,
        message_ts=message_ts,
        requester=requester,
        run_id=run_id,
        name=name,
        metadata=json.loads(metadata) if metadata else None,
        add_tags=json.loads(add_tags) if add_tags else None,
        description=description,
        change=RunChange.model_validate_json(change) if change else None,
        status=status,
        decided_by=decided_by,
        outcome=outcome,
        change_id=change_id,
        decision=decision,
        created_at=created_at or 0.0,
        claimed_at=claimed_at,
    )
