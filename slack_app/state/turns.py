"""One turn at a time per conversation thread: the ``turns`` table.

A message or a click in a thread waits while another is between asking the agent
and storing the change it proposed, so nothing can decide a change nobody has been
shown yet; this holds across the process's workers and across replicas. A turn
left behind by a dead process lapses after ``TURN_LEASE_SECONDS``; a live one is
renewed every ``TURN_RENEW_SECONDS`` while it runs, so a slow model's long turn
is never taken over by another replica.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from slack_app.state.connection import StoreConnection

logger = logging.getLogger(__name__)

TURN_LEASE_SECONDS = 120.0
TURN_RENEW_SECONDS = TURN_LEASE_SECONDS / 4
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
    def hold(
        self,
        thread_id: str,
        *,
        wait_seconds: float = TURN_WAIT_SECONDS,
        renew_seconds: float = TURN_RENEW_SECONDS,
    ) -> Iterator[bool]:
        """Hold ``thread_id``'s turn while the block runs; yields False if it stayed busy.

        Waits up to ``wait_seconds`` for a turn held by another worker or replica;
        once held, the lease is renewed every ``renew_seconds`` until the block ends.
        """
        holder = uuid.uuid4().hex
        deadline = time.monotonic() + wait_seconds
        while not self._begin(thread_id, holder):
            if time.monotonic() >= deadline:
                yield False
                return
            time.sleep(TURN_POLL_SECONDS)
        done = threading.Event()
        renewing = threading.Thread(
            target=self._renew,
            args=(thread_id, holder, done, renew_seconds),
            name=f"turn-lease-{thread_id[-12:]}",
            daemon=True,
        )
        renewing.start()
        try:
            yield True
        finally:
            done.set()
            renewing.join()
            self.connection.execute(
                "DELETE FROM turns WHERE thread_id = ? AND holder = ?", (thread_id, holder)
            )

    def _renew(
        self, thread_id: str, holder: str, done: threading.Event, every_seconds: float
    ) -> None:
        """Push the lease forward until ``done``; a failed renewal is retried next time."""
        while not done.wait(every_seconds):
            try:
                self.connection.execute(
                    "UPDATE turns SET started_at = ? WHERE thread_id = ? AND holder = ?",
                    (self.now(), thread_id, holder),
                )
            except Exception as error:  # the store is busy or gone: the lease still has time
                logger.warning("could not renew the turn on %s: %s", thread_id, error)

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
