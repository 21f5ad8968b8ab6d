"""What the Slack app remembers between requests, replicas and restarts: one SQLite file.

``SlackState`` is the store every part of the app shares (one per process):

- ``seen``: keys already handled (a Slack ``event_id``, a ``channel:ts`` message),
  each with an expiry. ``claim`` inserts a key and says whether this caller was
  first, so Slack's retries and the ``app_mention`` + ``message`` pair for one
  message are answered once, even across processes sharing the file; ``release``
  gives a key back when handling failed, so Slack's retry is handled.
- ``threads``: threads the bot has answered in, so a follow-up there needs no
  new mention.
- ``turns``: one turn at a time per conversation thread (``thread_turn``): a
  message or a click in a thread waits while another is between asking the agent
  and storing the change it proposed, so nothing can decide a change nobody has
  been shown yet. A turn left behind by a dead process lapses after
  ``TURN_LEASE_SECONDS``.
- ``approvals``: see ``slack_app.approval_store``.

Expired rows are purged when the file is opened (``purge_expired``); expired keys
and threads also every ``_PURGE_EVERY`` claims.
"""

from __future__ import annotations

import logging
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from slack_app.approval_store import ApprovalTables
from slack_app.state_file import STATE_FILE

logger = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 24 * 3600.0
THREAD_TTL_SECONDS = 30 * 24 * 3600.0
APPROVAL_RETENTION_SECONDS = 90 * 24 * 3600.0
TURN_LEASE_SECONDS = 120.0
TURN_WAIT_SECONDS = 30.0
TURN_POLL_SECONDS = 0.02
_PURGE_EVERY = 500


class SlackState(ApprovalTables):
    """The SQLite store; one per process, shared by all its threads."""

    def __init__(self, path: Path | str, *, clock: Callable[[], float] = time.time) -> None:
        super().__init__(path, clock=clock)
        self._claims = 0
        self.purge_expired()

    @classmethod
    def in_data_dir(cls, data_dir: Path, *, clock: Callable[[], float] = time.time) -> SlackState:
        return cls(Path(data_dir) / STATE_FILE, clock=clock)

    def __enter__(self) -> SlackState:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- dedupe (inside Slack's request: the ack connection) ----------------------------

    def claim(self, key: str, ttl_seconds: float = DEFAULT_TTL_SECONDS) -> bool:
        """True for the first caller with ``key`` (until it expires), False for repeats."""
        now = self.now()
        with self._ack_lock:
            self._ack.execute("DELETE FROM seen WHERE key = ? AND expires_at <= ?", (key, now))
            cursor = self._ack.execute(
                "INSERT OR IGNORE INTO seen (key, expires_at) VALUES (?, ?)",
                (key, now + ttl_seconds),
            )
            self._claims += 1
            if self._claims % _PURGE_EVERY == 0:
                self._purge_seen_locked(now)
        return cursor.rowcount == 1

    def release(self, key: str) -> None:
        """Forget a claimed ``key`` (its handling failed), so a redelivery is handled."""
        with self._ack_lock:
            self._ack.execute("DELETE FROM seen WHERE key = ?", (key,))

    def purge_expired(self) -> int:
        """Delete expired keys, threads, lapsed turns and old approvals; how many rows went."""
        now = self.now()
        with self._work_lock:
            removed = self._work.execute("DELETE FROM seen WHERE expires_at <= ?", (now,)).rowcount
            removed += self._work.execute(
                "DELETE FROM threads WHERE expires_at <= ?", (now,)
            ).rowcount
            removed += self._work.execute(
                "DELETE FROM turns WHERE started_at <= ?", (now - TURN_LEASE_SECONDS,)
            ).rowcount
        return removed + self._purge_approvals(now - APPROVAL_RETENTION_SECONDS)

    def _purge_seen_locked(self, now: float) -> None:
        """Expired keys and threads, on the ack path: best effort, never failing a claim."""
        try:
            self._ack.execute("DELETE FROM seen WHERE expires_at <= ?", (now,))
            self._ack.execute("DELETE FROM threads WHERE expires_at <= ?", (now,))
        except sqlite3.OperationalError:
            logger.info("skipped purging expired keys: the state file is busy")

    # -- threads the bot is in ----------------------------------------------------------

    def remember_thread(self, channel_id: str, thread_ts: str) -> None:
        with self._ack_lock:
            self._ack.execute(
                "INSERT OR REPLACE INTO threads (channel_id, thread_ts, expires_at) "
                "VALUES (?, ?, ?)",
                (channel_id, thread_ts, self.now() + THREAD_TTL_SECONDS),
            )

    def in_thread(self, channel_id: str, thread_ts: str) -> bool:
        with self._ack_lock:
            row = self._ack.execute(
                "SELECT 1 FROM threads WHERE channel_id = ? AND thread_ts = ? AND expires_at > ?",
                (channel_id, thread_ts, self.now()),
            ).fetchone()
        return row is not None

    # -- one turn at a time per conversation thread ----------------------------------------

    @contextmanager
    def thread_turn(
        self, thread_id: str, *, wait_seconds: float = TURN_WAIT_SECONDS
    ) -> Iterator[bool]:
        """Hold ``thread_id``'s turn while the block runs; yields False if it stayed busy.

        Waits up to ``wait_seconds`` for a turn held by another worker or replica.
        """
        holder = uuid.uuid4().hex
        deadline = time.monotonic() + wait_seconds
        while not self._begin_turn(thread_id, holder):
            if time.monotonic() >= deadline:
                yield False
                return
            time.sleep(TURN_POLL_SECONDS)
        try:
            yield True
        finally:
            with self._work_lock:
                self._work.execute(
                    "DELETE FROM turns WHERE thread_id = ? AND holder = ?", (thread_id, holder)
                )

    def _begin_turn(self, thread_id: str, holder: str) -> bool:
        now = self.now()
        with self._work_lock:
            self._work.execute(
                "DELETE FROM turns WHERE thread_id = ? AND started_at <= ?",
                (thread_id, now - TURN_LEASE_SECONDS),
            )
            cursor = self._work.execute(
                "INSERT OR IGNORE INTO turns (thread_id, holder, started_at) VALUES (?, ?, ?)",
                (thread_id, holder, now),
            )
        return cursor.rowcount == 1
