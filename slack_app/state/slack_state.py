"""``SlackState``: the store every part of the app shares (one per process), and its parts.

It opens the store's file and gives each part the connection it works on:

- the **ack connection**, used inside Slack's request before the ack goes back
  (``handled`` keys, bot ``threads``), waits at most ``ACK_BUSY_TIMEOUT_SECONDS``
  for another process's write lock, so a busy file makes that request fail fast
  (Slack retries) instead of missing the 3-second ack;
- the **work connection**, used by the background work (``turns``,
  ``approvals``), waits longer.

Expired rows are purged when the store is opened (``purge_expired``); expired
keys and threads also every ``PURGE_EVERY`` claims.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from slack_app.state.approvals import ApprovalStore
from slack_app.state.connection import SqliteConnection, StoreConnection
from slack_app.state.handled import HandledKeys
from slack_app.state.threads import BotThreads
from slack_app.state.turns import ThreadTurns

STATE_FILE = "slack.sqlite3"
ACK_BUSY_TIMEOUT_SECONDS = 1.0
WORK_BUSY_TIMEOUT_SECONDS = 30.0
APPROVAL_RETENTION_SECONDS = 90 * 24 * 3600.0


class SlackState:
    """The app's store, given its two connections; a context manager that closes them."""

    def __init__(
        self,
        *,
        ack: StoreConnection,
        work: StoreConnection,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._connections = (ack, work)
        self.now = clock
        self.threads = BotThreads(ack, clock=clock)
        self.handled = HandledKeys(ack, clock=clock, also_purge=self.threads.purge)
        self.turns = ThreadTurns(work, clock=clock)
        self.approvals = ApprovalStore(work, clock=clock)
        for part in (self.handled, self.threads, self.turns, self.approvals):
            part.create_tables()
        self.purge_expired()

    @classmethod
    def open_file(cls, path: Path | str, *, clock: Callable[[], float] = time.time) -> SlackState:
        """The store in a SQLite file (created with its tables if new)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        work = SqliteConnection(path, busy_timeout=WORK_BUSY_TIMEOUT_SECONDS)
        ack = SqliteConnection(path, busy_timeout=ACK_BUSY_TIMEOUT_SECONDS)
        return cls(ack=ack, work=work, clock=clock)

    @classmethod
    def in_data_dir(cls, data_dir: Path, *, clock: Callable[[], float] = time.time) -> SlackState:
        return cls.open_file(Path(data_dir) / STATE_FILE, clock=clock)

    def __enter__(self) -> SlackState:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def purge_expired(self) -> int:
        """Delete expired keys, threads, lapsed turns and old approvals; how many rows went."""
        now = self.now()
        removed = self.handled.purge(now) + self.threads.purge(now) + self.turns.purge(now)
        return removed + self.approvals.purge(now - APPROVAL_RETENTION_SECONDS)

    def close(self) -> None:
        for connection in self._connections:
            connection.close()
