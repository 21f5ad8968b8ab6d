"""Webhook event ids already accepted, in SQLite, so Extend's retries and replays post once.

Extend retries a delivery it thinks failed, and a captured delivery can be sent
again within the signature's 5 minutes; both carry the same ``eventId``. The
first delivery claims the id (one ``INSERT``, under a short busy timeout so the
ack never waits long); later ones find it taken. Claims expire after
``ttl_seconds`` (a week by default, longer than Extend keeps retrying). The
table lives in its own file in the data dir, so replicas sharing the dir share it.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

DEFAULT_TTL_SECONDS = 7 * 24 * 3600.0
BUSY_TIMEOUT_SECONDS = 0.5
DB_FILENAME = "webhook_events.sqlite3"
PURGE_EVERY = 500  # claims between purges of expired ones


class EventLedger:
    """``claim(event_id)`` is True exactly once per id (until the claim expires)."""

    def __init__(
        self,
        path: Path | str = ":memory:",
        *,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._ttl = ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._claims = 0
        self._db = sqlite3.connect(
            str(path), timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False, isolation_level=None
        )
        if str(path) != ":memory:":  # WAL without an fsync per claim: acks stay fast
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS webhook_events "
            "(event_id TEXT PRIMARY KEY, event_type TEXT, expires_at REAL NOT NULL)"
        )

    @classmethod
    def in_data_dir(
        cls, data_dir: Path, *, ttl_seconds: float = DEFAULT_TTL_SECONDS
    ) -> EventLedger:
        data_dir.mkdir(parents=True, exist_ok=True)
        return cls(data_dir / DB_FILENAME, ttl_seconds=ttl_seconds)

    def claim(self, event_id: str, event_type: str = "") -> bool:
        """True if this is the first (unexpired) delivery of ``event_id``."""
        now = self._clock()
        with self._lock:
            self._claims += 1
            if self._claims % PURGE_EVERY == 0:
                self._db.execute("DELETE FROM webhook_events WHERE expires_at < ?", (now,))
            self._db.execute(
                "DELETE FROM webhook_events WHERE event_id = ? AND expires_at < ?", (event_id, now)
            )
            cursor = self._db.execute(
                "INSERT INTO webhook_events (event_id, event_type, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT (event_id) DO NOTHING",
                (event_id, event_type, now + self._ttl),
            )
            return cursor.rowcount == 1

    def release(self, event_id: str) -> None:
        """Forget ``event_id`` (its alert could not be handled), so a redelivery is handled."""
        with self._lock:
            self._db.execute("DELETE FROM webhook_events WHERE event_id = ?", (event_id,))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> EventLedger:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
