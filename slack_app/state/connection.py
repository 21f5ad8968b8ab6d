"""The connection a store is given: run one statement, read its rows; SQLite or PostgreSQL.

Stores speak to ``StoreConnection`` only: ``execute`` runs one statement (``?``
placeholders, the one style every store writes) in its own transaction and
returns the rows and the row count; ``table_columns`` lists a table's columns
(for adding those a newer version needs); ``setup_lock`` is held while the
schema is created or migrated (``schema.migrate``).

``SqliteConnection`` shares one ``sqlite3`` connection among the process's
threads behind a lock, in autocommit mode with WAL, so readers and one writer
work at once across processes; its ``busy_timeout`` is how long a statement
waits for another process's write lock before raising ``StoreBusyError``. Its
``setup_lock`` only serializes the process's threads: SQLite already serializes
DDL across processes, and every migration step is idempotent.
``postgres.PostgresConnection`` implements the same protocol.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from agent.database import is_busy, use_wal

_SQLITE_SETUP_LOCK = threading.Lock()


class StoreBusyError(RuntimeError):
    """The store stayed locked by another writer for longer than the connection waits."""


@dataclass(frozen=True)
class Result:
    """What a statement gave back: its rows (if it returns any) and how many rows it touched."""

    rows: list[tuple[Any, ...]]
    rowcount: int

    def first(self) -> tuple[Any, ...] | None:
        return self.rows[0] if self.rows else None


class StoreConnection(Protocol):
    """One connection to the store, safe to share between threads."""

    def execute(self, sql: str, params: Sequence[object] = ()) -> Result: ...

    def table_columns(self, table: str) -> set[str]: ...

    def setup_lock(self) -> AbstractContextManager[None]:
        """Held while the schema is created or migrated: one process at a time does it."""
        ...

    def close(self) -> None: ...


class SqliteConnection:
    """A ``StoreConnection`` on a SQLite file; one statement at a time, each its own transaction."""

    def __init__(self, path: Path | str, *, busy_timeout: float) -> None:
        self._connection = sqlite3.connect(
            str(path), check_same_thread=False, timeout=busy_timeout, isolation_level=None
        )
        self._lock = threading.Lock()
        use_wal(self._connection, timeout=busy_timeout)
        self._connection.execute("PRAGMA synchronous=NORMAL")

    def execute(self, sql: str, params: Sequence[object] = ()) -> Result:
        with self._lock:
            try:
                cursor = self._connection.execute(sql, tuple(params))
                rows = cursor.fetchall()
            except sqlite3.OperationalError as error:
                if is_busy(error):
                    raise StoreBusyError(str(error)) from error
                raise
            return Result(rows=rows, rowcount=cursor.rowcount)

    def table_columns(self, table: str) -> set[str]:
        return {row[1] for row in self.execute(f"PRAGMA table_info({table})").rows}

    @contextmanager
    def setup_lock(self) -> Iterator[None]:
        with _SQLITE_SETUP_LOCK:
            yield

    def close(self) -> None:
        with self._lock:
            self._connection.close()


def add_missing_columns(
    connection: StoreConnection, table: str, declarations: Sequence[tuple[str, str]]
) -> None:
    """``ALTER TABLE ... ADD COLUMN`` for each (name, declaration) the table lacks."""
    for name, declaration in declarations:
        if name in connection.table_columns(table):
            continue
        try:
            connection.execute(f"ALTER TABLE {table} ADD COLUMN {name} {declaration}")
        except Exception:
            if name not in connection.table_columns(table):
                raise
            # another process added it just now
