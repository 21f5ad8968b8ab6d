"""What the Slack app remembers between requests, replicas and restarts: one SQLite file.

Three tables:

- ``seen``: keys already handled (a Slack ``event_id``, a ``channel:ts`` message),
  each with an expiry. ``claim`` inserts a key and says whether this caller was
  first, so Slack's retries and the ``app_mention`` + ``message`` pair for one
  message are answered once, even across processes sharing the file.
- ``threads``: threads the bot has answered in, so a follow-up there needs no
  new mention.
- ``approvals``: changes waiting for (or given) a human decision. A decision is
  claimed with ``UPDATE ... SET status='deciding' WHERE id=? AND status='pending'``:
  SQLite serializes writers, so of two clicks (one replica or two) exactly one
  sees ``rowcount == 1`` and applies the change.

The connection is shared by threads behind a lock, in autocommit mode (each
statement is its own transaction); WAL and a busy timeout let several processes
use one file.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from tools.run_tools import RunChange

STATE_FILE = "slack.sqlite3"
BUSY_TIMEOUT_SECONDS = 30.0
DEFAULT_TTL_SECONDS = 24 * 3600.0
THREAD_TTL_SECONDS = 30 * 24 * 3600.0
_PURGE_EVERY = 500

ApprovalKind = Literal["agent", "command"]
ApprovalStatus = Literal["pending", "deciding", "approved", "cancelled", "failed"]
FINAL_STATUSES = frozenset({"approved", "cancelled", "failed"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (
    key TEXT PRIMARY KEY,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS threads (
    channel_id TEXT NOT NULL,
    thread_ts TEXT NOT NULL,
    expires_at REAL NOT NULL,
    PRIMARY KEY (channel_id, thread_ts)
);
CREATE TABLE IF NOT EXISTS approvals (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    thread_id TEXT,
    channel_id TEXT NOT NULL,
    thread_ts TEXT,
    message_ts TEXT,
    requester TEXT,
    run_id TEXT NOT NULL,
    name TEXT,
    metadata TEXT,
    add_tags TEXT,
    description TEXT NOT NULL,
    change TEXT,
    status TEXT NOT NULL,
    decided_by TEXT,
    outcome TEXT,
    created_at REAL NOT NULL,
    decided_at REAL
);
CREATE INDEX IF NOT EXISTS approvals_by_thread ON approvals (thread_id, status);
"""


@dataclass
class Approval:
    """A proposed change to a run and what became of it.

    ``kind`` says who applies it: ``agent`` resumes the agent conversation
    ``thread_id``; ``command`` (from ``/extend``) calls the tools directly.
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
    outcome: str | None = None

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


class SlackState:
    """The SQLite store; one per process, shared by all its threads."""

    def __init__(self, path: Path | str, *, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._clock = clock
        self._lock = threading.Lock()
        self._claims = 0
        self._conn = sqlite3.connect(
            str(self.path),
            check_same_thread=False,
            timeout=BUSY_TIMEOUT_SECONDS,
            isolation_level=None,
        )
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        with self._lock:
            self._conn.executescript(_SCHEMA)

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> SlackState:
        return cls(Path(data_dir) / STATE_FILE)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> SlackState:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- dedupe ------------------------------------------------------------------------

    def claim(self, key: str, ttl_seconds: float = DEFAULT_TTL_SECONDS) -> bool:
        """True for the first caller with ``key`` (until it expires), False for repeats."""
        now = self._clock()
        with self._lock:
            self._conn.execute("DELETE FROM seen WHERE key = ? AND expires_at <= ?", (key, now))
            cursor = self._conn.execute(
                "INSERT OR IGNORE INTO seen (key, expires_at) VALUES (?, ?)",
                (key, now + ttl_seconds),
            )
            self._claims += 1
            if self._claims % _PURGE_EVERY == 0:
                self._purge_locked(now)
            return cursor.rowcount == 1

    def purge_expired(self) -> None:
        with self._lock:
            self._purge_locked(self._clock())

    def _purge_locked(self, now: float) -> None:
        self._conn.execute("DELETE FROM seen WHERE expires_at <= ?", (now,))
        self._conn.execute("DELETE FROM threads WHERE expires_at <= ?", (now,))

    # -- threads the bot is in --------------------------------------------------------

    def remember_thread(self, channel_id: str, thread_ts: str) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO threads (channel_id, thread_ts, expires_at) "
                "VALUES (?, ?, ?)",
                (channel_id, thread_ts, self._clock() + THREAD_TTL_SECONDS),
            )

    def in_thread(self, channel_id: str, thread_ts: str) -> bool:
        with self._lock:
            row = self._conn.execute(
                "SELECT 1 FROM threads WHERE channel_id = ? AND thread_ts = ? AND expires_at > ?",
                (channel_id, thread_ts, self._clock()),
            ).fetchone()
        return row is not None

    # -- approvals ---------------------------------------------------------------------

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
        )
        with self._lock:
            self._conn.execute(
                "INSERT INTO approvals (id, kind, thread_id, channel_id, thread_ts, requester, "
                "run_id, name, metadata, add_tags, description, change, status, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
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
                    self._clock(),
                ),
            )
        return approval

    def set_message_ts(self, approval_id: str, message_ts: str) -> None:
        with self._lock:
            self._conn.execute(
                "UPDATE approvals SET message_ts = ? WHERE id = ?", (message_ts, approval_id)
            )

    def approval(self, approval_id: str) -> Approval | None:
        with self._lock:
            row = self._conn.execute(
                f"SELECT {_COLUMNS} FROM approvals WHERE id = ?", (approval_id,)
            ).fetchone()
        return _approval(row) if row else None

    def unsettled_approval(self, thread_id: str) -> Approval | None:
        """The latest approval of an agent thread still ``pending`` or ``deciding``."""
        with self._lock:
            row = self._conn.execute(
                f"SELECT {_COLUMNS} FROM approvals WHERE thread_id = ? "
                "AND status IN ('pending', 'deciding') ORDER BY created_at DESC LIMIT 1",
                (thread_id,),
            ).fetchone()
        return _approval(row) if row else None

    def claim_decision(self, approval_id: str, user_id: str) -> bool:
        """Move ``pending`` -> ``deciding``; True only for the one caller that did it."""
        with self._lock:
            cursor = self._conn.execute(
                "UPDATE approvals SET status = 'deciding', decided_by = ? "
                "WHERE id = ? AND status = 'pending'",
                (user_id, approval_id),
            )
            return cursor.rowcount == 1

    def finish_decision(self, approval_id: str, status: ApprovalStatus, outcome: str) -> None:
        with self._lock:
            self._conn.execute(
                "UPDATE approvals SET status = ?, outcome = ?, decided_at = ? WHERE id = ?",
                (status, outcome, self._clock(), approval_id),
            )


_COLUMNS = (
    "id, kind, thread_id, channel_id, thread_ts, message_ts, requester, run_id, name, "
    "metadata, add_tags, description, change, status, decided_by, outcome"
)


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _approval(row: tuple[Any, ...]) -> Approval:
    (id_, kind, thread_id, channel_id, thread_ts, message_ts, requester, run_id, name) = row[:9]
    metadata, add_tags, description, change, status, decided_by, outcome = row[9:]
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
    )
