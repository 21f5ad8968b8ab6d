"""Which database holds the state: SQLite files in the data dir (the default) or PostgreSQL.

``EXTEND_AGENT_DATABASE_URL`` unset keeps every store in its own SQLite file in
the data dir, which is right for one machine. A ``postgresql://`` URL puts the
conversations (LangGraph's ``PostgresSaver``) and the Slack app's state (dedupe
claims, thread turns, approvals) in that one database, so several replicas
behind a load balancer share them. A schema other than the default is chosen in
the URL itself (``?options=-csearch_path%3Dextend_agent``; the schema must exist).

This module holds what the agent's checkpointer and the Slack app's store both
need: switching a SQLite file to WAL even while another process is creating it,
recognising the URL, opening a psycopg pool on it with a clear error when
the server can't be reached (each connection is checked as it leaves the pool, so
after a server restart or failover the next statement reconnects instead of
failing), and a cross-replica lock for one-time setup (two
replicas starting at once must not both create the same table).
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from psycopg import Connection
    from psycopg_pool import ConnectionPool

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
WAL_RETRY_SECONDS = 0.02


def use_wal(connection: sqlite3.Connection, *, timeout: float) -> None:
    """``PRAGMA journal_mode=WAL``, retried for up to ``timeout`` while the file is busy.

    Switching a new database to WAL takes an exclusive lock, and SQLite answers
    "database is locked" at once instead of waiting out its busy timeout, so two
    processes opening the same new file together (agent workers starting side by
    side) would otherwise fail.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if not is_busy(error) or time.monotonic() >= deadline:
                raise
            time.sleep(WAL_RETRY_SECONDS)


async def use_wal_async(connection: Any, *, timeout: float) -> None:
    """``use_wal`` for an ``aiosqlite`` connection."""
    import asyncio

    deadline = time.monotonic() + timeout
    while True:
        try:
            await connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if not is_busy(error) or time.monotonic() >= deadline:
                raise
            await asyncio.sleep(WAL_RETRY_SECONDS)


def is_busy(error: sqlite3.OperationalError) -> bool:
    """True for SQLite's "database is locked" / "busy": wait and retry, nothing is wrong."""
    return "locked" in str(error) or "busy" in str(error)


CONNECT_TIMEOUT_SECONDS = 10.0
URL_SETTING = "EXTEND_AGENT_DATABASE_URL"
SETUP_POLL_SECONDS = 0.05


class DatabaseUnavailableError(ConnectionError):
    """The PostgreSQL server named by ``EXTEND_AGENT_DATABASE_URL`` could not be reached."""


def is_postgres_url(url: str | None) -> bool:
    return url is not None and url.strip().lower().startswith(POSTGRES_SCHEMES)


def check_database_url(url: str | None) -> str | None:
    """The URL stripped (None when blank); a ValueError saying what is accepted otherwise."""
    if url is None or not url.strip():
        return None
    if not is_postgres_url(url):
        raise ValueError(
            "must be a PostgreSQL URL such as postgresql://user:password@host:5432/database "
            "(leave it unset to keep SQLite files in the data dir)"
        )
    return url.strip()


def describe_url(url: str) -> str:
    """``host:port/database`` of ``url``, without the user or password (for messages)."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(url)
    except Exception:
        return "the configured server"
    host = str(parts.get("host") or "localhost")
    port = str(parts.get("port") or "5432")
    return f"{host}:{port}/{parts.get('dbname') or ''}"


def open_pool(
    url: str,
    *,
    name: str,
    max_size: int,
    kwargs: Mapping[str, Any] | None = None,
    configure: Callable[[Connection[Any]], None] | None = None,
    wait_seconds: float = 30.0,
) -> ConnectionPool[Connection[Any]]:
    """An open pool of autocommit connections to ``url``; ``DatabaseUnavailableError`` if down.

    ``wait_seconds`` is how long a caller waits for a free connection.
    """
    import psycopg
    from psycopg_pool import ConnectionPool, PoolTimeout

    options: dict[str, Any] = {"autocommit": True, "connect_timeout": int(CONNECT_TIMEOUT_SECONDS)}
    options.update(kwargs or {})
    try:  # one plain connection first: a down server or a refused login fails fast, and says why
        psycopg.connect(url, autocommit=True, connect_timeout=int(CONNECT_TIMEOUT_SECONDS)).close()
    except psycopg.Error as error:
        reason = (str(error).strip().splitlines() or ["no reason given"])[0].strip()
        raise DatabaseUnavailableError(_unreachable(url, reason)) from None
    pool: ConnectionPool[Connection[Any]] = ConnectionPool(
        url,
        name=name,
        min_size=1,
        max_size=max(2, max_size),  # setup_lock holds one while setup uses another
        kwargs=options,
        configure=configure,
        check=ConnectionPool.check_connection,  # a server restart costs a reconnect, not an error
        timeout=wait_seconds,
        open=False,
    )
    try:
        pool.open(wait=True, timeout=CONNECT_TIMEOUT_SECONDS)
    except PoolTimeout:
        pool.close()
        raise DatabaseUnavailableError(_unreachable(url, "timed out")) from None
    return pool


def _unreachable(url: str, reason: str) -> str:
    return (
        f"could not connect to PostgreSQL at {describe_url(url)} ({reason}): check "
        f"{URL_SETTING} and that the server is running and accepts this user."
    )


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory lock key for ``name``."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def setup_lock(pool: ConnectionPool[Connection[Any]], name: str) -> Iterator[None]:
    """Hold PostgreSQL's session advisory lock ``name`` (across replicas) while the block runs.

    Taken with ``pg_try_advisory_lock`` polled, not a blocking ``pg_advisory_lock``:
    a session waiting inside a statement holds a snapshot, and LangGraph's setup
    runs ``CREATE INDEX CONCURRENTLY``, which waits for every snapshot to go, so
    the holder and the waiters would wait for each other forever.
    """
    from psycopg.rows import tuple_row

    key = lock_key(name)
    with pool.connection() as connection, connection.cursor(row_factory=tuple_row) as cursor:
        while True:
            row = cursor.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
            if row is not None and row[0]:
                break
            time.sleep(SETUP_POLL_SECONDS)
        try:
            yield
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", (key,))
