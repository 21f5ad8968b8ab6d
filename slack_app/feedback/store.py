"""Votes on answers, in the app's store: one per person per answer message, counted.

A person who clicks 👍 then 👎 on the same answer has changed their mind: the
second vote replaces the first, so counts are of people, not clicks. Each vote
keeps the conversation (thread) id, so feedback can be read per conversation.

The table lives in the app's shared store (``SlackState.work_connection``: the
data dir's SQLite file, or PostgreSQL with ``EXTEND_AGENT_DATABASE_URL``, so
replicas count the same votes), created and migrated with its own versioned
schema (``FEEDBACK_SCHEMA``, ``slack_app.state.schema``). Without a connection
the store is in memory, for an app built without one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from slack_app.state.connection import SqliteConnection, StoreConnection
from slack_app.state.schema import Schema, migrate

IN_MEMORY_BUSY_SECONDS = 2.0


def _votes_table(connection: StoreConnection) -> None:
    """Version 1: one row per (answer message, person)."""
    connection.execute(
        "CREATE TABLE IF NOT EXISTS answer_feedback ("
        " message_ts TEXT NOT NULL, channel_id TEXT NOT NULL, user_id TEXT NOT NULL,"
        " thread_id TEXT NOT NULL, helpful INTEGER NOT NULL,"
        " voted_at DOUBLE PRECISION NOT NULL,"
        " PRIMARY KEY (channel_id, message_ts, user_id))"
    )
    connection.execute(
        "CREATE INDEX IF NOT EXISTS answer_feedback_thread ON answer_feedback (thread_id)"
    )


FEEDBACK_SCHEMA = Schema(name="answer_feedback", steps=(_votes_table,))


@dataclass(frozen=True)
class FeedbackCounts:
    helpful: int = 0
    not_helpful: int = 0

    @property
    def total(self) -> int:
        return self.helpful + self.not_helpful


class FeedbackStore:
    """``record`` a vote; ``counts`` overall or for one thread.

    Given a connection, the store uses it and leaves closing it to its owner (the
    ``SlackState``); without one it opens (and on ``close`` closes) one in memory.
    """

    def __init__(
        self,
        connection: StoreConnection | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._owned = connection is None
        self._connection = connection or SqliteConnection(
            ":memory:", busy_timeout=IN_MEMORY_BUSY_SECONDS
        )
        self._clock = clock
        migrate(self._connection, FEEDBACK_SCHEMA)

    def record(
        self, *, thread_id: str, channel_id: str, message_ts: str, user_id: str, helpful: bool
    ) -> None:
        self._connection.execute(
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
        row = self._connection.execute(sql, params).first()
        helpful, total = row if row is not None else (0, 0)
        return FeedbackCounts(helpful=int(helpful), not_helpful=int(total) - int(helpful))

    def close(self) -> None:
        if self._owned:
            self._connection.close()

    def __enter__(self) -> FeedbackStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
