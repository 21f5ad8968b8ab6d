"""Webhook event ids already accepted, in the app's store, so Extend's retries post once.

Extend retries a delivery it thinks failed, and a captured delivery can be sent
again within the signature's 5 minutes; both carry the same ``eventId``. The
first delivery claims the id; later ones find it taken. Claims expire after
``ttl_seconds`` (a week by default, longer than Extend keeps retrying).

A claim is a key in the app's handled-keys table (``SlackState.handled``, the
same that dedupes Slack's own retries), prefixed ``KEY_PREFIX``: it lives in the
shared store (the data dir's SQLite file, or PostgreSQL with
``EXTEND_AGENT_DATABASE_URL``), so replicas share it, and it is claimed on the
store's fail-fast connection, so the webhook's answer never waits long on a busy
store (Extend retries). Without one, the ledger keeps its keys in memory.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from slack_app.state.connection import SqliteConnection
from slack_app.state.handled import HandledKeys

DEFAULT_TTL_SECONDS = 7 * 24 * 3600.0
KEY_PREFIX = "extend-webhook:"
IN_MEMORY_BUSY_SECONDS = 0.5


class EventLedger:
    """``claim(event_id)`` is True exactly once per id (until the claim expires)."""

    def __init__(
        self,
        keys: HandledKeys | None = None,
        *,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._ttl = ttl_seconds
        self._owned: SqliteConnection | None = None
        if keys is None:
            self._owned = SqliteConnection(":memory:", busy_timeout=IN_MEMORY_BUSY_SECONDS)
            keys = HandledKeys(self._owned, clock=clock)
            keys.create_tables()
        self._keys = keys

    def claim(self, event_id: str) -> bool:
        """True if this is the first (unexpired) delivery of ``event_id``."""
        return self._keys.claim(f"{KEY_PREFIX}{event_id}", self._ttl)

    def release(self, event_id: str) -> None:
        """Forget ``event_id`` (its alert could not be handled), so a redelivery is handled."""
        self._keys.release(f"{KEY_PREFIX}{event_id}")

    def close(self) -> None:
        """Close the in-memory keys, if this ledger made them (a state's are the state's)."""
        if self._owned is not None:
            self._owned.close()

    def __enter__(self) -> EventLedger:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
