"""One turn at a time per conversation thread: the ``turns`` table.

A message or a click in a thread waits while another is between asking the agent
and storing the change it proposed, so nothing can decide a change nobody has been
shown yet; this holds across the process's workers and across replicas. A turn
left behind by a dead process lapses after ``TURN_LEASE_SECONDS``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from slack_app.state.connection import StoreConnection

TURN_LEASE_SECONDS = 120.0
TURN_WAIT_SECONDS = 30.0
TURN_POLL_SECONDS = 0.02


class ThreadTurns:
    """Leases on conversation threads."""

    def __init__(self, connection: StoreConnection, *, clock: Callable[[], float]) -> None:
        self.connection = connection
        self.now = clock

    def create_tables(self) -> None:
        self.connection.execute(
            "CREATE TABLE IF NOT EXISTS turns (thread_id TEXT PRIMARY KEY, "
            "holder TEXT NOT NULL, started_at DOUBLE PRECISION NOT NULL)"
        )

    @contextmanager
    def hold(self, thread_id: str, *, wait_seconds: float = TURN_WAIT_SECONDS) -> Iterator[bool]:
        """Hold ``thread_id``'s turn while the block runs; yields False if it stayed busy.

        Waits up to ``wait_seconds`` for a turn held by another worker or replica.
        """
        holder = uuid.uuid4().hex
        deadline = time.monotonic() + wait_seconds
        while not self._begin(thread_id, holder):
            if time.monotonic() >= deadline:
                yield False
                return
            time.sleep(TURN_POLL_SECONDS)
        try:
            yield True
        finally:
            self.connection.execute(
                "DELETE FROM turns WHERE thread_id = ? AND holder = ?", (thread_id, holder)
            )

    def purge(self, now: float) -> int:
        """Forget lapsed turns; how many went."""
        return self.connection.execute(
            "DELETE FROM turns WHERE started_at <= ?", (now - TURN_LEASE_SECONDS,)
        ).rowcount

    def _begin(self, thread_id: str, holder: str) -> bool:
        now = self.now()
        self.connection.execute(
            "DELETE FROM turns WHERE thread_id = ? AND started_at <= ?",
            (thread_id, now - TURN_LEASE_SECONDS),
        )
        inserted = self.connection.execute(
            "INSERT INTO turns (thread_id, holder, started_at) VALUES (?, ?, ?) "
            "ON CONFLICT (thread_id) DO NOTHING",
            (thread_id, holder, now),
        )
        return inserted.rowcount == 1
