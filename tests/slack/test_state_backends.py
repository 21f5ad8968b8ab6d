"""The Slack state's contract, on SQLite and on PostgreSQL (skipped where none is reachable).

Each "replica" is its own ``SlackState`` (its own connections) on the same store,
so every race here is decided by the database, not by a lock in this process.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, closing
from dataclasses import dataclass
from pathlib import Path

import pytest

from agent.database import DatabaseUnavailableError
from slack_app.state.approvals import DECISION_STALLED_SECONDS, Approval
from slack_app.state.connection import SqliteConnection, StoreBusyError, StoreConnection
from slack_app.state.postgres import PostgresConnection, postgres_sql
from slack_app.state.schema import Schema, SchemaTooNewError, migrate, schema_version
from slack_app.state.slack_state import SLACK_STATE_SCHEMA, SlackState
from slack_app.state.turns import TURN_LEASE_SECONDS
from tools.faces.run_change import RunChange


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Backend:
    """Opens replicas (and raw connections) on one shared store."""

    name: str
    replica: Callable[[Callable[[], float]], SlackState]
    connect: Callable[[], StoreConnection]
    opener: str  # Python that opens a replica in another process

    def start_process(self, body: str) -> subprocess.Popen[str]:
        """A replica in its own process running ``body`` with ``state`` open; stdout piped."""
        code = (
            "import sys, time\n"
            "from slack_app.state.slack_state import SlackState\n"
            f"with {self.opener} as state:\n"
            + "".join(f"    {line}\n" for line in body.splitlines())
        )
        return subprocess.Popen(
            [sys.executable, "-c", code],
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
        )

    def open(self, clock: Callable[[], float] = time.time) -> SlackState:
        return self.replica(clock)


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "sqlite":
        path = tmp_path / "s.sqlite3"
        return Backend(
            "sqlite",
            lambda clock: SlackState.open_file(path, clock=clock),
            lambda: SqliteConnection(path, busy_timeout=5.0),
            f"SlackState.open_file({str(path)!r})",
        )
    url: str = request.getfixturevalue("postgres_url")
    return Backend(
        "postgres",
        lambda clock: SlackState.open_postgres(url, clock=clock),
        lambda: PostgresConnection(url, busy_timeout=5.0, max_size=2, name="test-raw"),
        f"SlackState.open_postgres({url!r})",
    )


def add_approval(state: SlackState, **overrides: object) -> Approval:
    change = RunChange(run_id="workflow_run_1234", name_before=None, name_after="ACME March")
    fields: dict[str, object] = {
        "kind": "agent",
        "channel_id": "C1",
        "thread_ts": "1.0",
        "thread_id": "slack:T:C1:1.0",
        "run_id": "workflow_run_1234",
        "name": "ACME March",
        "metadata": {"vendor": "ACME", "note": "100% paid"},
        "add_tags": ["urgent"],
        "description": change.describe(),
        "requester": "U1",
        "change": change,
        "change_id": "interrupt-1",
    }
    fields.update(overrides)
    return state.approvals.add(**fields)  # type: ignore[arg-type]


def test_a_key_is_claimed_once_until_it_expires_or_is_released(backend: Backend) -> None:
    clock = Clock()
    with backend.open(clock) as one, backend.open(clock) as two:
        assert one.handled.claim("event:Ev1", ttl_seconds=60)
        assert not two.handled.claim("event:Ev1", ttl_seconds=60)
        two.handled.release("event:Ev1")
        assert two.handled.claim("event:Ev1", ttl_seconds=60)
        clock.now += 61
        assert one.handled.claim("event:Ev1", ttl_seconds=60)  # expired: a new delivery
        assert one.purge_expired() == 0


def test_dedupe_is_atomic_across_two_replicas(backend: Backend) -> None:
    with backend.open() as one, backend.open() as two, ThreadPoolExecutor(16) as pool:
        for n in range(30):
            key = f"event:Ev{n}"
            results = list(pool.map(lambda s, k=key: s.handled.claim(k), [one, two] * 8))
            assert results.count(True) == 1, (backend.name, key, results)
    with backend.open() as restarted:  # claims outlive the replicas that made them
        assert not restarted.handled.claim("event:Ev0")


def test_threads_the_bot_answered_in_are_shared(backend: Backend) -> None:
    with backend.open() as one, backend.open() as two:
        one.threads.remember("C1", "1.0")
        one.threads.remember("C1", "1.0")  # again: its expiry moves on
        assert two.threads.contains("C1", "1.0") and not two.threads.contains("C2", "1.0")


def test_a_decision_is_claimed_once_across_replicas_and_survives_a_restart(
    backend: Backend,
) -> None:
    with backend.open() as state:
        approval = add_approval(state)
        state.approvals.set_message_ts(approval.id, "2.0")
    with backend.open() as one, backend.open() as two, ThreadPoolExecutor(8) as pool:
        stored = two.approvals.get(approval.id)  # a pending approval outlives a restart
        assert (
            stored is not None and stored.message_ts == "2.0" and stored.change == approval.change
        )
        assert stored.metadata == {"vendor": "ACME", "note": "100% paid"}
        assert one.approvals.unsettled("slack:T:C1:1.0") == stored
        racers = [one, two] * 4
        wins = list(
            pool.map(lambda s: s.approvals.claim_decision(approval.id, "U1", approve=True), racers)
        )
        [won] = [w for w in wins if w is not None]
        assert won.status == "pending"
        one.approvals.finish_decision(approval.id, "approved", "done")
    with backend.open() as again:
        final = again.approvals.get(approval.id)
        assert final is not None and final.status == "approved" and final.outcome == "done"
        assert again.approvals.claim_decision(approval.id, "U2") is None
        assert again.approvals.unsettled("slack:T:C1:1.0") is None


def test_many_decisions_race_on_many_replicas(backend: Backend) -> None:
    with ExitStack() as stack, ThreadPoolExecutor(12) as pool:
        replicas = [stack.enter_context(backend.open()) for _ in range(3)]
        ids = [add_approval(replicas[0], thread_id=f"t{n}").id for n in range(10)]
        for approval_id in ids:
            racers = replicas * 4
            wins = list(
                pool.map(lambda s, a=approval_id: s.approvals.claim_decision(a, "U1"), racers)
            )
            assert sum(w is not None for w in wins) == 1


def test_a_stalled_claim_is_taken_over_by_another_replica(backend: Backend) -> None:
    clock = Clock()
    with backend.open(clock) as dead, backend.open(clock) as alive:
        approval = add_approval(dead, kind="command", thread_id=None, change_id=None)
        assert dead.approvals.claim_decision(approval.id, "U1", approve=False) is not None
        assert alive.approvals.claim_decision(approval.id, "U2", approve=True) is None
        clock.now += DECISION_STALLED_SECONDS
        retaken = alive.approvals.claim_decision(approval.id, "U2", approve=True)
        assert retaken is not None and retaken.status == "deciding"
        assert retaken.decided_by == "U1" and retaken.decision == "cancel"  # the dead claim's
        assert dead.approvals.claim_decision(approval.id, "U1") is None


def test_one_turn_per_thread_across_replicas_and_a_dead_replicas_turn_lapses(
    backend: Backend,
) -> None:
    clock = Clock()
    with backend.open(clock) as one, backend.open(clock) as two:
        with one.turns.hold("t1") as held:
            assert held
            with two.turns.hold("t1", wait_seconds=0.1) as busy:
                assert not busy
            with two.turns.hold("t2", wait_seconds=0) as other:
                assert other
        with two.turns.hold("t1", wait_seconds=0) as free:
            assert free
        with ExitStack() as crashed:
            assert crashed.enter_context(one.turns.hold("t3"))
            clock.now += TURN_LEASE_SECONDS - 1
            with two.turns.hold("t3", wait_seconds=0) as early:
                assert not early
            clock.now += 1
            with two.turns.hold("t3", wait_seconds=0) as lapsed:
                assert lapsed


def test_a_live_turn_longer_than_the_lease_is_renewed_not_taken_over(backend: Backend) -> None:
    clock = Clock()
    with backend.open(clock) as slow, backend.open(clock) as other:
        with slow.turns.hold("t-slow", renew_seconds=0.02) as held:
            assert held
            for _ in range(3):  # three leases' worth of a slow model's turn
                clock.now += TURN_LEASE_SECONDS - 1
                time.sleep(0.2)  # the holder renews meanwhile
                with other.turns.hold("t-slow", wait_seconds=0) as taken:
                    assert not taken
        with other.turns.hold("t-slow", wait_seconds=0) as free:
            assert free  # released at the end of the block, not left to lapse


def test_a_turn_held_by_a_killed_replica_is_taken_over_after_the_lease(backend: Backend) -> None:
    dying = backend.start_process(
        "with state.turns.hold('t-killed') as held:\n"
        "    print('held' if held else 'busy', flush=True)\n"
        "    time.sleep(600)"
    )
    try:
        assert dying.stdout is not None and dying.stdout.readline().strip() == "held"
    finally:
        dying.kill()  # SIGKILL: no cleanup runs, the turn stays behind
        dying.wait()
    shift = [0.0]
    with backend.open(lambda: time.time() + shift[0]) as survivor:
        with survivor.turns.hold("t-killed", wait_seconds=0) as held:
            assert not held  # the dead replica's turn is still fresh
        shift[0] = TURN_LEASE_SECONDS
        with survivor.turns.hold("t-killed", wait_seconds=0) as held:
            assert held  # lapsed: taken over


def test_a_decision_is_claimed_once_by_racing_processes(backend: Backend) -> None:
    with backend.open() as state:
        approval = add_approval(state)
    start = time.time() + 4.0  # every process is open and waiting by then
    racers = [
        backend.start_process(
            f"time.sleep(max(0.0, {start!r} - time.time()))\n"
            f"won = state.approvals.claim_decision({approval.id!r}, 'U{n}', approve=True)\n"
            "print('won' if won is not None else 'lost', flush=True)"
        )
        for n in range(4)
    ]
    results = [racer.communicate(timeout=60)[0].strip() for racer in racers]
    assert sorted(results) == ["lost", "lost", "lost", "won"]
    with backend.open() as state:
        decided = state.approvals.get(approval.id)
        assert decided is not None and decided.status == "deciding"


def test_turns_racing_on_two_replicas_never_overlap(backend: Backend) -> None:
    inside: list[int] = []
    overlaps: list[int] = []

    def turn(state: SlackState) -> bool:
        with state.turns.hold("busy-thread", wait_seconds=20) as held:
            if held:
                inside.append(1)
                if len(inside) > 1:
                    overlaps.append(1)
                time.sleep(0.01)
                inside.pop()
            return held

    with backend.open() as one, backend.open() as two, ThreadPoolExecutor(8) as pool:
        assert all(pool.map(turn, [one, two] * 8))
    assert overlaps == []


def test_the_schema_is_versioned_and_migrated_forward(backend: Backend) -> None:
    connection = backend.connect()
    try:
        first_release = Schema(SLACK_STATE_SCHEMA.name, SLACK_STATE_SCHEMA.steps[:1])
        assert migrate(connection, first_release) == 1
        assert schema_version(connection, "slack_state") == 1
        connection.execute(
            "INSERT INTO approvals (id, kind, channel_id, run_id, description, status, created_at)"
            " VALUES ('old1', 'command', 'C1', 'workflow_run_1234', 'd', 'pending', 1000.0)"
        )
        with backend.open(Clock()) as state:  # opening migrates to the latest version
            assert schema_version(connection, "slack_state") == SLACK_STATE_SCHEMA.latest
            old = state.approvals.get("old1")
            assert old is not None and old.status == "pending"
            assert state.approvals.claim_decision("old1", "U1") is not None
        assert migrate(connection, SLACK_STATE_SCHEMA) == 0  # nothing left to do
        newer = Schema("slack_state", (*SLACK_STATE_SCHEMA.steps, lambda c: None))
        assert migrate(connection, newer) == 1
        with pytest.raises(SchemaTooNewError, match="upgrade extend-run-agent"):
            backend.open()
    finally:
        connection.close()


def test_an_unversioned_store_from_an_earlier_release_gets_the_columns_added_since(
    backend: Backend,
) -> None:
    connection = backend.connect()
    try:
        connection.execute(
            "CREATE TABLE approvals (id TEXT PRIMARY KEY, kind TEXT NOT NULL, thread_id TEXT, "
            "channel_id TEXT NOT NULL, thread_ts TEXT, message_ts TEXT, requester TEXT, "
            "run_id TEXT NOT NULL, name TEXT, metadata TEXT, add_tags TEXT, "
            "description TEXT NOT NULL, change TEXT, status TEXT NOT NULL, decided_by TEXT, "
            "outcome TEXT, created_at DOUBLE PRECISION NOT NULL, decided_at DOUBLE PRECISION)"
        )
        connection.execute(
            "INSERT INTO approvals (id, kind, channel_id, run_id, description, status, created_at)"
            " VALUES ('old1', 'command', 'C1', 'workflow_run_1234', 'd', 'pending', 1000.0)"
        )
    finally:
        connection.close()
    with backend.open(Clock()) as state:
        claimed = state.approvals.claim_decision("old1", "U1", approve=True)
        assert claimed is not None and claimed.claimed_at is None
        decided = state.approvals.get("old1")
        assert decided is not None and decided.decision == "approve" and decided.claimed_at == 1000
        new = add_approval(state)
        assert state.approvals.get(new.id) == new


def test_replicas_starting_together_migrate_once(backend: Backend) -> None:
    with ThreadPoolExecutor(4) as pool:
        replicas = list(pool.map(lambda _: backend.open(), range(4)))
    try:
        connection = backend.connect()
        assert schema_version(connection, "slack_state") == SLACK_STATE_SCHEMA.latest
        connection.close()
    finally:
        for replica in replicas:
            replica.close()


def test_placeholders_become_psycopgs_and_percent_signs_are_escaped() -> None:
    assert postgres_sql("SELECT 1 WHERE a = ? AND b LIKE '50%?'") == (
        "SELECT 1 WHERE a = %s AND b LIKE '50%%?'"
    )


def test_an_unreachable_server_is_one_clear_error() -> None:
    with pytest.raises(DatabaseUnavailableError) as caught:
        SlackState.open_postgres("postgresql://nobody:secret@127.0.0.1:1/none")
    message = str(caught.value)
    assert "127.0.0.1:1/none" in message and "EXTEND_AGENT_DATABASE_URL" in message
    assert "secret" not in message


def test_a_connection_the_server_dropped_is_replaced_not_failed(postgres_url: str) -> None:
    import psycopg

    with SlackState.open_postgres(postgres_url) as state:
        [(pid,)] = state.handled.connection.execute("SELECT pg_backend_pid()").rows
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        assert state.handled.claim("event:after-a-restart")  # reconnected, not failed
        assert not state.handled.claim("event:after-a-restart")


def test_the_database_url_setting_picks_the_backend(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agent.settings import AgentSettings, SettingsError, load_settings

    settings = AgentSettings.model_validate({"EXTEND_AGENT_DATA_DIR": tmp_path / "data"})
    with SlackState.open_configured(settings) as state:  # unset: the data dir's file
        assert isinstance(state.approvals.connection, SqliteConnection)
    assert (tmp_path / "data" / "slack.sqlite3").is_file()
    monkeypatch.setenv("EXTEND_AGENT_DATABASE_URL", postgres_url)
    with SlackState.open_configured(load_settings()) as state:
        assert isinstance(state.approvals.connection, PostgresConnection)
    monkeypatch.setenv("EXTEND_AGENT_DATABASE_URL", "sqlite:///tmp/x.db")
    with pytest.raises(SettingsError, match=r"EXTEND_AGENT_DATABASE_URL: .*PostgreSQL URL"):
        load_settings()


def test_a_version_2_store_gains_tag_removals_on_approvals(backend: Backend) -> None:
    connection = backend.connect()
    try:
        release_2 = Schema(SLACK_STATE_SCHEMA.name, SLACK_STATE_SCHEMA.steps[:2])
        assert migrate(connection, release_2) == 2
        # Step 1 builds the table from today's columns; version 2 had no remove_tags.
        connection.execute("ALTER TABLE approvals DROP COLUMN remove_tags")
        assert "remove_tags" not in connection.table_columns("approvals")
        connection.execute(
            "INSERT INTO approvals (id, kind, channel_id, run_id, add_tags, description, status,"
            " created_at) VALUES ('old1', 'agent', 'C1', 'workflow_run_1234', '[\"q3\"]', 'd',"
            " 'pending', 1000.0)"
        )
        with backend.open(Clock()) as state:
            assert schema_version(connection, "slack_state") == SLACK_STATE_SCHEMA.latest == 3
            assert "remove_tags" in connection.table_columns("approvals")
            old = state.approvals.get("old1")
            assert old is not None and old.add_tags == ["q3"] and old.remove_tags is None
            new = add_approval(state, add_tags=None, remove_tags=["urgent", "Ünïcode"])
            assert state.approvals.get(new.id) == new
            assert new.remove_tags == ["urgent", "Ünïcode"]
        assert migrate(connection, SLACK_STATE_SCHEMA) == 0
    finally:
        connection.close()


@pytest.mark.parametrize("store", ["slack state", "conversations"])
def test_a_new_file_held_by_another_process_is_waited_for(tmp_path: Path, store: str) -> None:
    """Switching a new SQLite file to WAL answers "locked" at once instead of waiting out
    the busy timeout: agent workers starting side by side must retry it, not die."""
    from agent.checkpoint import open_checkpointer

    path = tmp_path / "store.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("CREATE TABLE other (x)")
    holder.execute("BEGIN IMMEDIATE")  # another process writing its tables, for a moment
    release = threading.Timer(0.3, holder.execute, ("COMMIT",))
    release.start()
    try:
        if store == "slack state":
            with SlackState.open_file(path) as state:
                assert state.handled.claim("k", 60)
        else:
            with open_checkpointer(path=path):
                pass
        with closing(sqlite3.connect(path)) as reader:
            assert reader.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        release.join()
        holder.close()


def test_a_hung_postgres_statement_fails_fast_on_the_ack_path(postgres_url: str) -> None:
    """``statement_timeout`` bounds a statement as ``lock_timeout`` bounds a lock wait."""
    connection = PostgresConnection(postgres_url, busy_timeout=0.3, max_size=1, name="test-ack")
    try:
        started = time.monotonic()
        with pytest.raises(StoreBusyError, match="statement timeout"):
            connection.execute("SELECT pg_sleep(5)")
        assert time.monotonic() - started < 3.0
        assert connection.execute("SELECT 1").rows == [(1,)]  # the connection is still usable
    finally:
        connection.close()
