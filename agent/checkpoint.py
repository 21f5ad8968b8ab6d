"""Where conversations live: one SQLite file in the data dir, shared by the CLI and Slack.

LangGraph's checkpointer stores each thread's messages and any pending approval
after every step, so a follow-up ("rename it to ...") and an unanswered "apply
this change?" both survive a restart. ``SqliteSaver`` serializes access to its
connection with a lock, and the connection is opened for use from any thread, so
one checkpointer can serve a thread pool (the Slack app). WAL mode and a busy
timeout let a CLI process and the Slack app share the file. ``synchronous=NORMAL``
(safe with WAL: a committed step survives a process crash, only an OS crash can
lose the last steps) makes a turn about 3x faster than fsyncing every step.

LangGraph keeps every checkpoint of a thread (one per step, each holding the whole
message list), so a long conversation would grow the file quadratically.
``prune_thread`` keeps only a thread's latest checkpoint and its pending writes
(a waiting approval lives there); the session calls it after each turn.

With ``EXTEND_AGENT_DATABASE_URL`` set (``agent.database``), conversations live in
PostgreSQL instead: LangGraph's ``PostgresSaver`` on a psycopg pool, its tables
created (and migrated) on start under an advisory lock so replicas starting
together don't race, and pruned with the saver's own ``prune``. Its connections
commit with ``synchronous_commit = off``, the counterpart of ``synchronous=NORMAL``:
a step is never half-written, but a crash of the database server (not of a
replica) can lose the last fraction of a second of steps; a turn is about 25%
faster. The Slack app's approvals and dedupe claims keep synchronous commits.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.sqlite import SqliteSaver

from agent.database import open_pool, setup_lock, use_wal, use_wal_async
from agent.settings import AgentSettings

if TYPE_CHECKING:
    from langgraph.checkpoint.postgres import PostgresSaver
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
    from psycopg import AsyncConnection, Connection

CONVERSATIONS_FILE = "conversations.sqlite3"
BUSY_TIMEOUT_SECONDS = 30.0
POSTGRES_POOL_SIZE = 4  # PostgresSaver runs one statement at a time per process anyway
SETUP_LOCK = "extend-agent:conversations-setup"


def conversations_path(settings: AgentSettings | None = None) -> Path:
    """``<data dir>/conversations.sqlite3`` (the directory is created if needed)."""
    settings = settings or AgentSettings()
    return settings.ensure_data_dir() / CONVERSATIONS_FILE


@contextmanager
def open_checkpointer(
    settings: AgentSettings | None = None, *, path: Path | str | None = None
) -> Iterator[SqliteSaver | PostgresSaver]:
    """A thread-safe checkpointer: PostgreSQL when the settings name one, else SQLite.

    SQLite: the data dir's conversation file (or ``path``, which always means SQLite).
    """
    settings = settings or AgentSettings()
    if path is None and settings.postgres_url is not None:
        with open_postgres_checkpointer(settings.postgres_url) as saver:
            yield saver
        return
    with _open_sqlite_checkpointer(settings, path) as sqlite_saver:
        yield sqlite_saver


@contextmanager
def open_postgres_checkpointer(url: str) -> Iterator[PostgresSaver]:
    """``PostgresSaver`` on a pool of connections to ``url``, its tables set up."""
    from langgraph.checkpoint.postgres import PostgresSaver
    from psycopg.rows import dict_row

    pool = open_pool(
        url,
        name="extend-agent-conversations",
        max_size=POSTGRES_POOL_SIZE,
        kwargs={"prepare_threshold": 0, "row_factory": dict_row},
        configure=_commit_without_waiting,
    )
    try:
        saver = PostgresSaver(pool)  # a dict_row pool, as it expects
        with setup_lock(pool, SETUP_LOCK):
            saver.setup()
        yield saver
    finally:
        pool.close()


def _commit_without_waiting(connection: Connection[Any]) -> None:
    """PostgreSQL's counterpart of SQLite's ``synchronous=NORMAL`` (see the module docstring)."""
    connection.execute("SET synchronous_commit = off")


async def _commit_without_waiting_async(connection: AsyncConnection[Any]) -> None:
    await connection.execute("SET synchronous_commit = off")


@contextmanager
def _open_sqlite_checkpointer(
    settings: AgentSettings, path: Path | str | None
) -> Iterator[SqliteSaver]:
    target = str(path) if path is not None else str(conversations_path(settings))
    conn = sqlite3.connect(target, check_same_thread=False, timeout=BUSY_TIMEOUT_SECONDS)
    try:
        use_wal(conn, timeout=BUSY_TIMEOUT_SECONDS)
        conn.execute("PRAGMA synchronous=NORMAL")
        saver = SqliteSaver(conn)
        saver.setup()
        yield saver
    finally:
        conn.close()


@asynccontextmanager
async def open_async_checkpointer(
    settings: AgentSettings | None = None, *, path: Path | str | None = None
) -> AsyncIterator[AsyncSqliteSaver | AsyncPostgresSaver]:
    """The same store for asyncio code (``AsyncSqliteSaver`` / ``AsyncPostgresSaver``)."""
    settings = settings or AgentSettings()
    if path is None and settings.postgres_url is not None:
        async with _open_async_postgres_checkpointer(settings.postgres_url) as saver:
            yield saver
        return
    async with _open_async_sqlite_checkpointer(settings, path) as sqlite_saver:
        yield sqlite_saver


@asynccontextmanager
async def _open_async_postgres_checkpointer(url: str) -> AsyncIterator[AsyncPostgresSaver]:
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
    from psycopg.rows import dict_row
    from psycopg_pool import AsyncConnectionPool

    setup_pool = open_pool(url, name="extend-agent-setup", max_size=2)  # clear error if down
    pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
        url,
        name="extend-agent-conversations",
        min_size=1,
        max_size=POSTGRES_POOL_SIZE,
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
        check=AsyncConnectionPool.check_connection,
        configure=_commit_without_waiting_async,
        open=False,
    )
    try:
        await pool.open(wait=True)
        saver = AsyncPostgresSaver(pool)
        with setup_lock(setup_pool, SETUP_LOCK):
            await saver.setup()
        setup_pool.close()
        yield saver
    finally:
        setup_pool.close()
        await pool.close()


@asynccontextmanager
async def _open_async_sqlite_checkpointer(
    settings: AgentSettings, path: Path | str | None
) -> AsyncIterator[AsyncSqliteSaver]:
    import aiosqlite
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    target = str(path) if path is not None else str(conversations_path(settings))
    async with aiosqlite.connect(target, timeout=BUSY_TIMEOUT_SECONDS) as conn:
        await use_wal_async(conn, timeout=BUSY_TIMEOUT_SECONDS)
        await conn.execute("PRAGMA synchronous=NORMAL")
        saver = AsyncSqliteSaver(conn)
        await saver.setup()
        yield saver


def prune_thread(checkpointer: BaseCheckpointSaver[Any] | None, thread_id: str) -> None:
    """Delete a thread's checkpoints older than its latest one, and their writes.

    The latest checkpoint holds the whole conversation state and the writes of a
    step still waiting (an approval), so nothing a later turn needs is lost. Only
    history (time travel) goes, which this product does not use. Safe because the
    agent's ``messages`` channel is a plain reducer channel, not a ``DeltaChannel``
    (whose latest checkpoint would need its ancestors). Other savers: their own
    ``prune`` if they have one, else nothing.
    """
    if isinstance(checkpointer, SqliteSaver):
        with checkpointer.cursor() as cur:
            latest = cur.execute(
                "SELECT checkpoint_ns, MAX(checkpoint_id) FROM checkpoints "
                "WHERE thread_id = ? GROUP BY checkpoint_ns",
                (thread_id,),
            ).fetchall()
            for namespace, checkpoint_id in latest:
                for table in ("checkpoints", "writes"):
                    cur.execute(
                        f"DELETE FROM {table} WHERE thread_id = ? AND checkpoint_ns = ? "
                        "AND checkpoint_id < ?",
                        (thread_id, namespace, checkpoint_id),
                    )
    elif checkpointer is not None:
        try:
            checkpointer.prune([thread_id], strategy="keep_latest")
        except NotImplementedError:
            return
