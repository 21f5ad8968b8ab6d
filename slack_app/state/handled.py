"""Keys already handled (a Slack ``event_id``, a ``channel:ts`` message): the ``seen`` table.

``claim`` inserts a key with an expiry and says whether this caller was first, so
Slack's retries and the ``app_mention`` + ``message`` pair for one message are
answered once, even across processes sharing the store; ``release`` gives a key
back when handling failed, so Slack's retry is handled. Claims run inside Slack's
request, on the connection that fails fast when the store is busy (Slack retries)
rather than missing the 3-second ack. Every ``PURGE_EVERY`` claims, expired keys
(and whatever ``also_purge`` clears) are deleted, best effort.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_app.state.connection import StoreBusyError, StoreConnection

logger = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 24 * 3600.0
PURGE_EVERY = 500


class HandledKeys:
    """Claims on keys, each until it expires."""

    def __init__(
        self,
        connection: StoreConnection,
        *,
        clock: Callable[[], float],
        also_purge: Callable[[float], int] | None = None,
    ) -> None:
        self.connection = connection
        self.now = clock
        self.also_purge = also_purge
        self._claims = 0

    def create_tables(self) -> None:
        self.connection.execute(
            "CREATE TABLE IF NOT EXISTS seen "
            "(key TEXT PRIMARY KEY, expires_at DOUBLE PRECISION NOT NULL)"
        )

    def claim(self, key: str, ttl_seconds: float = DEFAULT_TTL_SECONDS) -> bool:
        """True for the first caller with ``key`` (until it expires), False for repeats."""
        now = self.now()
        self.connection.execute("DELETE FROM seen WHERE key = ? AND expires_at <= ?", (key, now))
        inserted = self.connection.execute(
            "INSERT INTO seen (key, expires_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
            (key, now + ttl_seconds),
        )
        self._claims += 1
        if self._claims % PURGE_EVERY == 0:
            self._purge_quietly(now)
        return inserted.rowcount == 1

    def release(self, key: str) -> None:
        """Forget a claimed ``key`` (its handling failed), so a redelivery is handled."""
        self.connection.execute("DELETE FROM seen WHERE key = ?", (key,))

    def purge(self, now: float) -> int:
        """Delete expired keys; how many went."""
        return self.connection.execute("DELETE FROM seen WHERE expires_at <= ?", (now,)).rowcount

    def _purge_quietly(self, now: float) -> None:
        """On the ack path: best effort, never failing a claim."""
        try:
            self.purge(now)
            if self.also_purge is not None:
                self.also_purge(now)
        except StoreBusyError:
            logger.info("skipped purging expired keys: the store is busy")
