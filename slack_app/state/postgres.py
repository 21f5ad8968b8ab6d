"""A ``StoreConnection`` on PostgreSQL, so several replicas share one store.

Each ``execute`` borrows a connection from a psycopg pool (autocommit: one
statement, one transaction, exactly as on SQLite), so the stores' guarantees
carry over unchanged: ``INSERT ... ON CONFLICT DO NOTHING`` claims a key once
across replicas, and a conditional ``UPDATE`` decides an approval once (under
READ COMMITTED the second ``UPDATE`` waits for the first, re-reads the row and
no longer matches). Stores write ``?`` placeholders; ``postgres_sql`` turns them
into psycopg's ``%s`` (outside quoted literals, with any ``%`` escaped).

``busy_timeout`` plays SQLite's part: it bounds the wait for a pooled
connection, PostgreSQL's ``lock_timeout`` and its ``statement_timeout``, so the ack
path fails fast (Slack retries) when the database is slow or a statement hangs;
that, a lost connection or a cancelled statement raises ``StoreBusyError``.
``setup_lock`` is a PostgreSQL advisory lock, so replicas starting together
migrate the schema one after another.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg_pool import PoolTimeout

from agent.database import describe_url, open_pool, setup_lock
from slack_app.state.connection import Result, StoreBusyError

SETUP_LOCK = "extend-agent:slack-state-setup"


class PostgresConnection:
    """A ``StoreConnection`` on a pool of up to ``max_size`` PostgreSQL connections."""

    def __init__(self, url: str, *, busy_timeout: float, max_size: int, name: str) -> None:
        self._where = describe_url(url)
        self._busy_timeout = busy_timeout
        self._pool = open_pool(
            url,
            name=name,
            max_size=max_size,
            configure=self._configure,
            wait_seconds=busy_timeout,
        )

    def _configure(self, connection: psycopg.Connection[Any]) -> None:
        milliseconds = max(1, int(self._busy_timeout * 1000))
        connection.execute(f"SET lock_timeout = {milliseconds}")
        connection.execute(f"SET statement_timeout = {milliseconds}")

    def execute(self, sql: str, params: Sequence[object] = ()) -> Result:
        try:
            with self._pool.connection() as connection:
                cursor = connection.execute(postgres_sql(sql), tuple(params))
                rows = [tuple(row) for row in cursor.fetchall()] if cursor.description else []
                return Result(rows=rows, rowcount=cursor.rowcount)
        except PoolTimeout as error:
            raise StoreBusyError(
                f"no free connection to PostgreSQL at {self._where} within {self._busy_timeout:g} s"
            ) from error
        except psycopg.OperationalError as error:  # lock timeout, cancelled, connection lost
            raise StoreBusyError(f"PostgreSQL at {self._where}: {error}".strip()) from error

    def table_columns(self, table: str) -> set[str]:
        found = self.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ?",
            (table,),
        )
        return {str(row[0]) for row in found.rows}

    @contextmanager
    def setup_lock(self) -> Iterator[None]:
        with setup_lock(self._pool, SETUP_LOCK):
            yield

    def close(self) -> None:
        self._pool.close()


@functools.lru_cache(maxsize=512)
def postgres_sql(sql: str) -> str:
    """``sql`` with ``?`` placeholders as ``%s`` and literal ``%`` doubled (quotes left alone)."""
    out: list[str] = []
    quoted = False
    for char in sql:
        if char == "'":
            quoted = not quoted
        if char == "%":
            out.append("%%")
        elif char == "?" and not quoted:
            out.append("%s")
        else:
            out.append(char)
    return "".join(out)
