"""Votes on answers, in SQLite: one per person per answer message, counted.

A person who clicks 👍 then 👎 on the same answer has changed their mind: the
second vote replaces the first, so counts are of people, not clicks. Each vote
keeps the conversation (thread) id, so feedback can be read per conversation.
The table lives in its own file in the data dir, like the webhook ledger.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DB_FILENAME = "feedback.sqlite3"
BUSY_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class FeedbackCounts:
    helpful: int = 0
    not_helpful: int = 0

    @property
    def total(self) -> int:
        return self.helpful + self.not_helpful


class FeedbackStore:
    """``record`` a vote; ``counts`` overall or for one thread."""

    def __init__(self, path: Path | str = ":memory:", *, clock: Callable[[], float] = time.time):
        self._clock = clock
        self._lock = threading.Lock()
        self._db = sqlite3.connect(
            str(path), timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False, isolation_level=None
        )
        if str(path) != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS answer_feedback ("
            " message_ts TEXT NOT NULL, channel_id TEXT NOT NULL, user_id TEXT NOT NULL,"
            " thread_id TEXT NOT NULL, helpful INTEGER NOT NULL, voted_at REAL NOT NULL,"
            " PRIMARY KEY (channel_id, message_ts, user_id))"
        )
        self._db.execute(
            "CREATE INDEX IF NOT EXISTS answer_feedback_thread ON answer_feedback (thread_id)"
        )

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> FeedbackStore:
        data_dir.mkdir(parents=True, exist_ok=True)
        return cls(data_dir / DB_FILENAME)

    def record(
        self, *, thread_id: str, channel_id: str, message_ts: str, user_id: str, helpful: bool
    ) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO answer_feedback"
                " (message_ts, channel_id, user_id, thread_id, helpful, voted_at)"
                " VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (channel_id, message_ts, user_id)"
                " DO UPDATE SET helpful = excluded.helpful, voted_at = excluded.voted_at",
                (message_ts, channel_id, user_id, thread_id, int(helpful), self._clock()),
            )

    def counts(self, thread_id: str | None = None) -> FeedbackCounts:
        sql = "SELECT COALESCE(SUM(helpful), 0), COUNT(*) FROM answer_feedback"
        params: tuple[str, ...] = ()
        if thread_id is not None:
            sql += " WHERE thread_id = ?"
            params = (thread_id,)
        with self._lock:
            helpful, total = self._db.execute(sql, params).fetchone()
        return FeedbackCounts(helpful=int(helpful), not_helpful=int(total) - int(helpful))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> FeedbackStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
