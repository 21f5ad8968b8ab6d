"""Changes waiting for (or given) a human decision: the ``approvals`` table.

An approval records what was shown (the run, the change before -> after, its
description), who may decide (the requester), and for an agent change which
paused change it is (``change_id``, the agent's interrupt id), so a click can only
ever decide that change. ``message_ts`` is set once the approval card is posted:
an approval without it was never shown.

The columns are the fields of ``Approval``, each declared once with its SQL type
(``_column``); the table, the inserts, the reads and the columns added to an
older file are all derived from that list.

A decision is claimed before anything is applied: ``claim_decision`` moves
``pending`` to ``deciding`` with one conditional ``UPDATE`` (it only matches the
row as it was read), so of two clicks (one replica or two) exactly one wins. The
claim records when and what was decided; a ``deciding`` claim older than
``DECISION_STALLED_SECONDS`` (the process died while applying) may be claimed
again, and the new owner settles what happened.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from slack_app.state.connection import StoreConnection, add_missing_columns
from tools.faces.run_change import RunChange

DECISION_STALLED_SECONDS = 120.0

ApprovalKind = Literal["agent", "command"]
ApprovalStatus = Literal["pending", "deciding", "approved", "cancelled", "failed", "expired"]
FINAL_STATUSES: frozenset[str] = frozenset({"approved", "cancelled", "failed", "expired"})

_TABLE = "approvals"
_JSON = "json"
_RUN_CHANGE = "run_change"


def _column(sql: str, *, codec: str | None = None) -> dict[str, str | None]:
    """A column's field metadata: its SQL declaration and how its value is stored."""
    return {"sql": sql, "codec": codec}


@dataclass
class Approval:
    """A proposed change to a run and what became of it.

    ``kind`` says who applies it: ``agent`` resumes the agent conversation
    ``thread_id`` (only while its paused change is ``change_id``); ``command``
    (from ``/extend``) calls the tools directly. ``decision`` is what the
    current (or last) claim set out to do: ``approve`` or ``cancel``.
    """

    id: str = field(metadata=_column("TEXT PRIMARY KEY"))
    kind: ApprovalKind = field(metadata=_column("TEXT NOT NULL"))
    thread_id: str | None = field(metadata=_column("TEXT"))
    channel_id: str = field(metadata=_column("TEXT NOT NULL"))
    thread_ts: str | None = field(metadata=_column("TEXT"))
    message_ts: str | None = field(
        metadata=_column("TEXT")
    )  # the posted card; None until it was shown
    requester: str | None = field(metadata=_column("TEXT"))
    run_id: str = field(metadata=_column("TEXT NOT NULL"))
    name: str | None = field(metadata=_column("TEXT"))
    metadata: dict[str, Any] | None = field(metadata=_column("TEXT", codec=_JSON))
    add_tags: list[str] | None = field(metadata=_column("TEXT", codec=_JSON))
    description: str = field(metadata=_column("TEXT NOT NULL"))
    change: RunChange | None = field(metadata=_column("TEXT", codec=_RUN_CHANGE))
    status: ApprovalStatus = field(metadata=_column("TEXT NOT NULL"))
    decided_by: str | None = field(default=None, metadata=_column("TEXT"))
    outcome: str | None = field(default=None, metadata=_column("TEXT"))  # safe mrkdwn line
    change_id: str | None = field(default=None, metadata=_column("TEXT"))
    decision: Literal["approve", "cancel"] | None = field(default=None, metadata=_column("TEXT"))
    created_at: float = field(default=0.0, metadata=_column("DOUBLE PRECISION NOT NULL"))
    claimed_at: float | None = field(default=None, metadata=_column("DOUBLE PRECISION"))
    decided_at: float | None = field(default=None, metadata=_column("DOUBLE PRECISION"))
    remove_tags: list[str] | None = field(  # schema version 3
        default=None, metadata=_column("TEXT", codec=_JSON)
    )

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


_FIELDS = dataclasses.fields(Approval)
_NAMES = tuple(f.name for f in _FIELDS)
_SELECT = f"SELECT {', '.join(_NAMES)} FROM {_TABLE}"
_INSERT = f"INSERT INTO {_TABLE} ({', '.join(_NAMES)}) VALUES ({', '.join('?' for _ in _NAMES)})"


class ApprovalStore:
    """Reading and writing approvals on the connection it is given."""

    def __init__(self, connection: StoreConnection, *, clock: Callable[[], float]) -> None:
        self.connection = connection
        self.now = clock

    def create_tables(self) -> None:
        """The table (and, in a file from an earlier version, the columns it lacks)."""
        declarations = ", ".join(f"{f.name} {f.metadata['sql']}" for f in _FIELDS)
        self.connection.execute(f"CREATE TABLE IF NOT EXISTS {_TABLE} ({declarations})")
        nullable = [
            (f.name, f.metadata["sql"])
            for f in _FIELDS
            if "NOT NULL" not in f.metadata["sql"] and "PRIMARY KEY" not in f.metadata["sql"]
        ]
        add_missing_columns(self.connection, _TABLE, nullable)
        self.connection.execute(
            f"CREATE INDEX IF NOT EXISTS approvals_by_thread ON {_TABLE} (thread_id, status)"
        )

    def add_columns(self, *names: str) -> None:
        """Add the named (nullable) columns to a table from an earlier schema version."""
        declared = {f.name: f.metadata["sql"] for f in _FIELDS}
        add_missing_columns(self.connection, _TABLE, [(name, declared[name]) for name in names])

    def add(
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
        remove_tags: list[str] | None = None,
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
            remove_tags=remove_tags,
            description=description,
            change=change,
            status="pending",
            change_id=change_id,
            created_at=self.now(),
        )
        self.connection.execute(_INSERT, _row(approval))
        return approval

    def set_message_ts(self, approval_id: str, message_ts: str) -> None:
        self.connection.execute(
            f"UPDATE {_TABLE} SET message_ts = ? WHERE id = ?", (message_ts, approval_id)
        )

    def get(self, approval_id: str) -> Approval | None:
        row = self.connection.execute(f"{_SELECT} WHERE id = ?", (approval_id,)).first()
        return _approval(row) if row else None

    def unsettled(self, thread_id: str) -> Approval | None:
        """The latest approval of an agent thread still ``pending`` or ``deciding``."""
        row = self.connection.execute(
            f"{_SELECT} WHERE thread_id = ? AND status IN ('pending', 'deciding') "
            "ORDER BY created_at DESC LIMIT 1",
            (thread_id,),
        ).first()
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
        before = self.get(approval_id)
        if before is None or not (before.status == "pending" or _stalled(before, now)):
            return None
        decision = None if approve is None else "approve" if approve else "cancel"
        claimed = self.connection.execute(
            f"UPDATE {_TABLE} SET status = 'deciding', decided_by = ?, decision = ?, "
            "claimed_at = ? WHERE id = ? AND status = ? AND COALESCE(claimed_at, -1) = ?",
            (user_id, decision, now, approval_id, before.status, _or_minus_one(before.claimed_at)),
        )
        return before if claimed.rowcount == 1 else None  # 0: another claim came first

    def stalled(self, approval: Approval) -> bool:
        """True for a ``deciding`` claim so old its owner must have died: it may be retaken."""
        return _stalled(approval, self.now())

    def finish_decision(self, approval_id: str, status: ApprovalStatus, outcome: str) -> None:
        self.connection.execute(
            f"UPDATE {_TABLE} SET status = ?, outcome = ?, decided_at = ? WHERE id = ?",
            (status, outcome, self.now(), approval_id),
        )

    def purge(self, created_before: float) -> int:
        """Forget settled (and long-abandoned pending) approvals created before the cutoff."""
        return self.connection.execute(
            f"DELETE FROM {_TABLE} WHERE created_at <= ? AND status != 'deciding'",
            (created_before,),
        ).rowcount


def _stalled(approval: Approval, now: float) -> bool:
    if approval.status != "deciding":
        return False
    return approval.claimed_at is None or now - approval.claimed_at >= DECISION_STALLED_SECONDS


def _or_minus_one(value: float | None) -> float:
    return -1.0 if value is None else value


def _row(approval: Approval) -> tuple[Any, ...]:
    return tuple(_encode(f, getattr(approval, f.name)) for f in _FIELDS)


def _approval(row: tuple[Any, ...]) -> Approval:
    values = {f.name: _decode(f, value) for f, value in zip(_FIELDS, row, strict=True)}
    values["created_at"] = values["created_at"] or 0.0
    return Approval(**values)


def _encode(column: dataclasses.Field[Any], value: Any) -> Any:
    if value is None:
        return None
    if column.metadata["codec"] == _JSON:
        return json.dumps(value, ensure_ascii=False)
    if column.metadata["codec"] == _RUN_CHANGE:
        return value.model_dump_json()
    return value


def _decode(column: dataclasses.Field[Any], value: Any) -> Any:
    codec = column.metadata["codec"]
    if codec is None:
        return value
    if not value:
        return None
    if codec == _JSON:
        return json.loads(value)
    return RunChange.model_validate_json(value)
