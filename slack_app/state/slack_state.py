"""``SlackState``: the store every part of the app shares (one per process), and its parts.

It opens the store (a SQLite file in the data dir, or the PostgreSQL database
named by ``EXTEND_AGENT_DATABASE_URL``: ``open_configured``), creates or migrates
its tables (``SLACK_STATE_SCHEMA``, versioned by ``schema.migrate``) and gives
each part the connection it works on:

- the **ack connection**, used inside Slack's request before the ack goes back
  (``handled`` keys, bot ``threads``), waits at most ``ACK_BUSY_TIMEOUT_SECONDS``
  for another process's write lock (or a pooled PostgreSQL connection and its
  row locks), so a busy store makes that request fail fast
  (Slack retries) instead of missing the 3-second ack;
- the **work connection**, used by the background work (``turns``,
  ``approvals``), waits longer.

A new table or column is a new step at the end of ``SLACK_STATE_SCHEMA`` (never
an edit to an old step): version 1 is the tables as they stood when versioning
began (and brings an unversioned file from an earlier release up to them).

Expired rows are purged when the store is opened (``purge_expired``); expired
keys and threads also every ``PURGE_EVERY`` claims.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from agent.settings import AgentSettings
from slack_app.state.approvals import ApprovalStore
from slack_app.state.connection import SqliteConnection, StoreConnection
from slack_app.state.handled import HandledKeys
from slack_app.state.schema import Schema, migrate
from slack_app.state.threads import BotThreads
from slack_app.state.turns import ThreadTurns

STATE_FILE = "slack.sqlite3"
ACK_BUSY_TIMEOUT_SECONDS = 1.0
WORK_BUSY_TIMEOUT_SECONDS = 30.0
APPROVAL_RETENTION_SECONDS = 90 * 24 * 3600.0
ACK_POOL_SIZE = 8
WORK_POOL_SIZE = 16


def _first_tables(connection: StoreConnection) -> None:
    """Version 1: dedupe keys, bot threads, turns and approvals (with every column since)."""
    for part in (
        HandledKeys(connection, clock=time.time),
        BotThreads(connection, clock=time.time),
        ThreadTurns(connection, clock=time.time),
        ApprovalStore(connection, clock=time.time),
    ):
        part.create_tables()


def _purge_indexes(connection: StoreConnection) -> None:
    """Version 2: indexes for the purges, which otherwise scan whole tables."""
    for table, column in (
        ("seen", "expires_at"),
        ("threads", "expires_at"),
        ("turns", "started_at"),
        ("approvals", "created_at"),
    ):
        connection.execute(f"CREATE INDEX IF NOT EXISTS {table}_by_{column} ON {table} ({column})")


def _approval_tag_removals(connection: StoreConnection) -> None:
    """Version 3: approvals carry the tags a change removes (``remove_tags``)."""
    ApprovalStore(connection, clock=time.time).add_columns("remove_tags")


SLACK_STATE_SCHEMA = Schema(
    name="slack_state", steps=(_first_tables, _purge_indexes, _approval_tag_removals)
)


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
        migrate(work, SLACK_STATE_SCHEMA)
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
    def open_postgres(cls, url: str, *, clock: Callable[[], float] = time.time) -> SlackState:
        """The store in the PostgreSQL database at ``url`` (tables created or migrated)."""
        from slack_app.state.postgres import PostgresConnection

        work = PostgresConnection(
            url, busy_timeout=WORK_BUSY_TIMEOUT_SECONDS, max_size=WORK_POOL_SIZE, name="slack-work"
        )
        try:
            ack = PostgresConnection(
                url, busy_timeout=ACK_BUSY_TIMEOUT_SECONDS, max_size=ACK_POOL_SIZE, name="slack-ack"
            )
        except BaseException:
            work.close()
            raise
        try:
            return cls(ack=ack, work=work, clock=clock)
        except BaseException:
            ack.close()
            work.close()
            raise

    @classmethod
    def open_configured(
        cls, settings: AgentSettings, *, clock: Callable[[], float] = time.time
    ) -> SlackState:
        """PostgreSQL when ``EXTEND_AGENT_DATABASE_URL`` is set, else the data dir's file."""
        if settings.postgres_url is not None:
            return cls.open_postgres(settings.postgres_url, clock=clock)
        return cls.in_data_dir(settings.ensure_data_dir(), clock=clock)

    @classmethod
    def in_data_dir(cls, data_dir: Path, *, clock: Callable[[], float] = time.time) -> SlackState:
        return cls.open_file(Path(data_dir) / STATE_FILE, clock=clock)

    @property
    def work_connection(self) -> StoreConnection:
        """The work connection, for a store of another module on the same database
        (it declares its own ``schema.Schema``, as ``slack_app.feedback.store`` does)."""
        return self._connections[1]

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
