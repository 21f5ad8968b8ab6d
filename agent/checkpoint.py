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
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.sqlite import SqliteSaver

from agent.settings import AgentSettings

if TYPE_CHECKING:
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

CONVERSATIONS_FILE = "conversations.sqlite3"
BUSY_TIMEOUT_SECONDS = 30.0


def conversations_path(settings: AgentSettings | None = None) -> Path:
    """``<data dir>/conversations.sqlite3`` (the directory is created if needed)."""
    settings = settings or AgentSettings()
    return settings.ensure_data_dir() / CONVERSATIONS_FILE


@contextmanager
def open_checkpointer(
    settings: AgentSettings | None = None, *, path: Path | str | None = None
) -> Iterator[SqliteSaver]:
    """A thread-safe SQLite checkpointer on the data dir's conversation file (or ``path``)."""
    target = str(path) if path is not None else str(conversations_path(settings))
    conn = sqlite3.connect(target, check_same_thread=False, timeout=BUSY_TIMEOUT_SECONDS)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        saver = SqliteSaver(conn)
        saver.setup()
        yield saver
    finally:
        conn.close()


@asynccontextmanager
async def open_async_checkpointer(
    settings: AgentSettings | None = None, *, path: Path | str | None = None
) -> AsyncIterator[AsyncSqliteSaver]:
    """The same store for asyncio code (``AsyncSqliteSaver`` on ``aiosqlite``)."""
    import aiosqlite
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    target = str(path) if path is not None else str(conversations_path(settings))
    async with aiosqlite.connect(target, timeout=BUSY_TIMEOUT_SECONDS) as conn:
        await conn.execute("PRAGMA journal_mode=WAL")
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
