"""Where runs live: one SQLite database, in memory or in ``<data_dir>/emulator.sqlite3``.

Using SQLite for both cases keeps one code path: tests get a fresh in-memory
store per server, the CLI gets a file so a rename survives a restart. Every
access holds one lock (the HTTP server is threaded, and sqlite3 connections are
not safe to share without one); runs are stored as canonical JSON text.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from extend_emulator.replies import ApiError

Run = dict[str, Any]
DB_FILENAME = "emulator.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class RunStore:
    """Thread-safe run storage; ``initial_runs`` gives the state ``reset`` restores."""

    def __init__(
        self,
        data_dir: str | Path | None,
        initial_runs: Callable[[], list[Run]],
        *,
        reset: bool = False,
    ) -> None:
        self._initial_runs = initial_runs
        self._lock = threading.Lock()
        if data_dir is None:
            self.path: Path | None = None
            target = ":memory:"
        else:
            Path(data_dir).mkdir(parents=True, exist_ok=True)
            self.path = Path(data_dir) / DB_FILENAME
            target = str(self.path)
        self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self._closed = False
        with self._lock:
            self._db.executescript(_SCHEMA)
            seeded = self._db.execute("SELECT 1 FROM meta WHERE key = 'seeded'").fetchone()
            if reset or not seeded:
                self._reset_locked()
            else:
                self._add_missing_locked()

    def get(self, run_id: str) -> Run | None:
        with self._lock:
            self._check_open()
            row = self._db.execute("SELECT data FROM runs WHERE id = ?", (run_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def all(self) -> list[Run]:
        with self._lock:
            self._check_open()
            rows = self._db.execute("SELECT data FROM runs").fetchall()
        return [json.loads(row[0]) for row in rows]

    def count(self) -> int:
        with self._lock:
            self._check_open()
            return int(self._db.execute("SELECT COUNT(*) FROM runs").fetchone()[0])

    def modify(self, run_id: str, change: Callable[[Run], Run]) -> Run | None:
        """Atomically replace run ``run_id`` with ``change(run)``; None if there is no such run."""
        with self._lock:
            self._check_open()
            row = self._db.execute("SELECT data FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                return None
            updated = change(json.loads(row[0]))
            self._db.execute("UPDATE runs SET data = ? WHERE id = ?", (json.dumps(updated), run_id))
            return updated

    def reset(self) -> None:
        """Drop every run and restore the initial ones."""
        with self._lock:
            self._check_open()
            self._reset_locked()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._db.close()

    def _check_open(self) -> None:
        """Requests still in flight when the server stops get a 503, not a crash."""
        if self._closed:
            raise ApiError(503, "The emulator is shutting down.")

    def _reset_locked(self) -> None:
        self._db.execute("BEGIN")
        self._db.execute("DELETE FROM runs")
        self._db.executemany(
            "INSERT OR REPLACE INTO runs (id, data) VALUES (?, ?)",
            [(run["id"], json.dumps(run)) for run in self._initial_runs()],
        )
        self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('seeded', '1')")
        self._db.execute("COMMIT")

    def _add_missing_locked(self) -> None:
        """Add initial runs a persisted store lacks (new samples or fixtures), keep the rest."""
        self._db.execute("BEGIN")
        self._db.executemany(
            "INSERT OR IGNORE INTO runs (id, data) VALUES (?, ?)",
            [(run["id"], json.dumps(run)) for run in self._initial_runs()],
        )
        self._db.execute("COMMIT")
