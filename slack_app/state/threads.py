"""Threads the bot has answered in, so a follow-up there needs no new mention: ``threads``.

Read and written inside Slack's request (the fail-fast connection); a thread is
remembered for ``THREAD_TTL_SECONDS`` after the bot last answered in it.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_app.state.connection import StoreConnection

THREAD_TTL_SECONDS = 30 * 24 * 3600.0


class BotThreads:
    """The (channel, thread ts) pairs the bot is in."""

    def __init__(self, connection: StoreConnection, *, clock: Callable[[], float]) -> None:
        self.connection = connection
        self.now = clock

    def create_tables(self) -> None:
        self.connection.execute(
            "CREATE TABLE IF NOT EXISTS threads (channel_id TEXT NOT NULL, "
            "thread_ts TEXT NOT NULL, expires_at DOUBLE PRECISION NOT NULL, "
            "PRIMARY KEY (channel_id, thread_ts))"
        )

    def remember(self, channel_id: str, thread_ts: str) -> None:
        self.connection.execute(
            "INSERT INTO threads (channel_id, thread_ts, expires_at) VALUES (?, ?, ?) "
            "ON CONFLICT (channel_id, thread_ts) DO UPDATE SET expires_at = excluded.expires_at",
            (channel_id, thread_ts, self.now() + THREAD_TTL_SECONDS),
        )

    def contains(self, channel_id: str, thread_ts: str) -> bool:
        found = self.connection.execute(
            "SELECT 1 FROM threads WHERE channel_id = ? AND thread_ts = ? AND expires_at > ?",
            (channel_id, thread_ts, self.now()),
        )
        return bool(found.rows)

    def purge(self, now: float) -> int:
        """Forget threads not answered in for ``THREAD_TTL_SECONDS``; how many went."""
        return self.connection.execute("DELETE FROM threads WHERE expires_at <= ?", (now,)).rowcount
