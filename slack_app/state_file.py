"""The Slack app's SQLite file: its tables, its two connections, and the clock.

One file holds everything the app remembers between requests, replicas and
restarts (``slack_app.state`` reads and writes the tables; this module only opens
them). Two connections, each shared by the process's threads behind its own lock,
in autocommit mode (each statement is its own transaction):

- the **ack connection**, used inside Slack's request before the ack goes back
  (dedupe claims, "is the bot in this thread"), waits at most
  ``ACK_BUSY_TIMEOUT_SECONDS`` for another process's write lock, so a busy file
  makes that request fail fast (Slack retries it) instead of missing the
  3-second ack;
- the **work connection**, used by the background work, waits longer.

WAL lets readers and one writer work at once across processes. A file written by
an earlier version gets its missing columns added on open.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

STATE_FILE = "slack.sqlite3"
ACK_BUSY_TIMEOUT_SECONDS = 1.0
WORK_BUSY_TIMEOUT_SECONDS = 30.0

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
CREATE TABLE IF NOT EXISTS turns (
    thread_id TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    started_at REAL NOT NULL
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
# Columns added after the first release: (table, column, declaration).
_ADDED_COLUMNS = (
    ("approvals", "change_id", "TEXT"),
    ("approvals", "decision", "TEXT"),
    ("approvals", "claimed_at", "REAL"),
)


class StateFile:
    """The open SQLite file: ``_ack`` / ``_work`` connections, their locks, and ``now()``."""

    def __init__(self, path: Path | str, *, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._clock = clock
        self._work = _connect(self.path, WORK_BUSY_TIMEOUT_SECONDS)
        self._work_lock = threading.Lock()
        with self._work_lock:
            self._work.executescript(_SCHEMA)
            _add_missing_columns(self._work)
        self._ack = _connect(self.path, ACK_BUSY_TIMEOUT_SECONDS)
        self._ack_lock = threading.Lock()

    def now(self) -> float:
        """The store's clock (seconds since the epoch); tests pass their own."""
        return self._clock()

    def close(self) -> None:
        with self._ack_lock:
            self._ack.close()
        with self._work_lock:
            self._work.close()


def _connect(path: Path, busy_timeout: float) -> sqlite3.Connection:
    connection = sqlite3.connect(
        str(path), check_same_thread=False, timeout=busy_timeout, isolation_level=None
    )
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    return connection


def _add_missing_columns(connection: sqlite3.Connection) -> None:
    for table, column, declaration in _ADDED_COLUMNS:
        present = {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}
        if column in present:
            continue
        try:
            connection.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
        except sqlite3.OperationalError as error:  # another process added it just now
            if "duplicate column" not in str(error):
                raise
