"""The Slack app's SQLite state: dedupe claims, threads, approvals decided exactly once."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, closing
from pathlib import Path

from slack_app.state.approvals import DECISION_STALLED_SECONDS
from slack_app.state.slack_state import SlackState
from slack_app.state.turns import TURN_LEASE_SECONDS
from tools.faces.run_change import RunChange


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def rows(path: Path, table: str) -> int:
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_a_key_is_claimed_once_until_it_expires(tmp_path: Path) -> None:
    clock = Clock()
    with SlackState.open_file(tmp_path / "s.sqlite3", clock=clock) as state:
        assert state.handled.claim("event:Ev1", ttl_seconds=60)
        assert not state.handled.claim("event:Ev1", ttl_seconds=60)
        assert state.handled.claim("event:Ev2", ttl_seconds=60)
        clock.now += 61
        assert state.handled.claim(
            "event:Ev1", ttl_seconds=60
        )  # expired: a new delivery, new claim


def test_expired_rows_are_purged_on_open_and_as_claims_go_by(tmp_path: Path) -> None:
    path, clock = tmp_path / "s.sqlite3", Clock()
    with SlackState.open_file(path, clock=clock) as state:
        for n in range(10):
            assert state.handled.claim(f"event:Old{n}", ttl_seconds=60)
        state.threads.remember("C1", "1.0")
        assert rows(path, "seen") == 10 and rows(path, "threads") == 1
        clock.now += 61
        assert state.purge_expired() == 10  # the keys expired; the thread is kept 30 days
        assert rows(path, "seen") == 0 and rows(path, "threads") == 1
        for n in range(10):
            state.handled.claim(f"event:Old{n}", ttl_seconds=60)
    clock.now += 31 * 24 * 3600
    with SlackState.open_file(path, clock=clock) as state:  # opening the file purges it
        assert rows(path, "seen") == 0 and rows(path, "threads") == 0
        for n in range(499):  # and so does every 500th claim
            state.handled.claim(f"event:New{n}", ttl_seconds=60)
        clock.now += 61
        assert rows(path, "seen") == 499
        state.handled.claim("event:the-500th", ttl_seconds=60)
        assert rows(path, "seen") == 1


def test_a_released_key_can_be_claimed_again(tmp_path: Path) -> None:
    with SlackState.open_file(tmp_path / "s.sqlite3") as state:
        assert state.handled.claim("message:C1:1.0")
        state.handled.release("message:C1:1.0")
        assert state.handled.claim("message:C1:1.0")
        assert not state.handled.claim("message:C1:1.0")


def test_claims_survive_a_restart_and_are_shared_by_processes(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    with SlackState.open_file(path) as first:
        assert first.handled.claim("message:C1:1.0")
    with SlackState.open_file(path) as again, SlackState.open_file(path) as other:
        assert not again.handled.claim("message:C1:1.0")
        assert not other.handled.claim("message:C1:1.0")


def test_concurrent_claims_on_two_connections_have_one_winner(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    with (
        SlackState.open_file(path) as one,
        SlackState.open_file(path) as two,
        ThreadPoolExecutor(16) as pool,
    ):
        for n in range(20):
            key = f"event:Ev{n}"
            results = list(pool.map(lambda s, k=key: s.handled.claim(k), [one, two] * 8))
            assert results.count(True) == 1


def test_threads_the_bot_answered_in_are_remembered(tmp_path: Path) -> None:
    with SlackState.open_file(tmp_path / "s.sqlite3") as state:
        assert not state.threads.contains("C1", "1.0")
        state.threads.remember("C1", "1.0")
        assert state.threads.contains("C1", "1.0") and not state.threads.contains("C2", "1.0")


def test_an_approval_round_trips_and_is_decided_once(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    change = RunChange(run_id="workflow_run_1234", name_before=None, name_after="ACME March")
    with SlackState.open_file(path) as state:
        approval = state.approvals.add(
            kind="agent",
            channel_id="C1",
            thread_ts="1.0",
            thread_id="slack:T:C1:1.0",
            run_id="workflow_run_1234",
            name="ACME March",
            metadata={"vendor": "ACME"},
            add_tags=["urgent"],
            description=change.describe(),
            requester="U1",
            change=change,
        )
        state.approvals.set_message_ts(approval.id, "2.0")
    with (
        SlackState.open_file(path) as one,
        SlackState.open_file(path) as two,
        ThreadPoolExecutor(8) as pool,
    ):
        stored = one.approvals.get(approval.id)
        assert stored is not None and stored.change == change and stored.message_ts == "2.0"
        assert stored.metadata == {"vendor": "ACME"} and stored.add_tags == ["urgent"]
        assert one.approvals.unsettled("slack:T:C1:1.0") == stored
        claims = [one, two] * 4
        wins = list(
            pool.map(lambda s: s.approvals.claim_decision(approval.id, "U1", approve=True), claims)
        )
        [won] = [w for w in wins if w is not None]
        assert won.status == "pending"  # as it stood before the claim
        deciding = two.approvals.get(approval.id)
        assert deciding.status == "deciding" and deciding.decision == "approve"
        assert not deciding.is_final and not two.approvals.stalled(deciding)
        one.approvals.finish_decision(approval.id, "approved", "done")
        final = two.approvals.get(approval.id)
        assert final.status == "approved" and final.is_final and final.decided_by == "U1"
        assert final.outcome == "done"
        assert one.approvals.unsettled("slack:T:C1:1.0") is None
        assert one.approvals.claim_decision(approval.id, "U1") is None
        assert one.approvals.get("nope") is None


def test_a_claim_whose_owner_died_can_be_taken_over_after_a_while(tmp_path: Path) -> None:
    clock = Clock()
    with SlackState.open_file(tmp_path / "s.sqlite3", clock=clock) as state:
        approval = state.approvals.add(
            kind="command",
            channel_id="C1",
            run_id="workflow_run_1234",
            description="d",
            requester="U1",
            name="ACME March",
            change_id=None,
        )
        assert state.approvals.claim_decision(approval.id, "U1", approve=False) is not None
        assert (
            state.approvals.claim_decision(approval.id, "U2", approve=True) is None
        )  # still fresh
        clock.now += DECISION_STALLED_SECONDS
        stalled = state.approvals.get(approval.id)
        assert stalled is not None and state.approvals.stalled(stalled)
        retaken = state.approvals.claim_decision(approval.id, "U2", approve=True)
        assert retaken is not None and retaken.status == "deciding"
        assert retaken.decided_by == "U1" and retaken.decision == "cancel"  # the dead claim's
        assert state.approvals.get(approval.id).decided_by == "U2"


def test_one_turn_at_a_time_per_thread(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / "s.sqlite3"
    with (
        SlackState.open_file(path, clock=clock) as one,
        SlackState.open_file(path, clock=clock) as two,
    ):
        with one.turns.hold("t1") as held:
            assert held
            with two.turns.hold("t1", wait_seconds=0) as busy:
                assert not busy  # the other replica waits for it
            with two.turns.hold("t2", wait_seconds=0) as other:
                assert other  # other threads run in parallel
        with two.turns.hold("t1", wait_seconds=0) as free:
            assert free
        with ExitStack() as crashed:  # a turn whose process died lapses after a while
            assert crashed.enter_context(one.turns.hold("t3"))
            clock.now += TURN_LEASE_SECONDS
            with two.turns.hold("t3", wait_seconds=0) as lapsed:
                assert lapsed


def test_a_file_from_the_first_release_gets_the_columns_added_since(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    with closing(sqlite3.connect(path)) as old:  # the approvals table as first released
        old.execute(
            "CREATE TABLE approvals (id TEXT PRIMARY KEY, kind TEXT NOT NULL, thread_id TEXT, "
            "channel_id TEXT NOT NULL, thread_ts TEXT, message_ts TEXT, requester TEXT, "
            "run_id TEXT NOT NULL, name TEXT, metadata TEXT, add_tags TEXT, "
            "description TEXT NOT NULL, change TEXT, status TEXT NOT NULL, decided_by TEXT, "
            "outcome TEXT, created_at REAL NOT NULL, decided_at REAL)"
        )
        old.execute(
            "INSERT INTO approvals (id, kind, channel_id, run_id, description, status, created_at) "
            "VALUES ('old1', 'command', 'C1', 'workflow_run_1234', 'd', 'pending', 1000.0)"
        )
        old.commit()
    with SlackState.open_file(path, clock=Clock()) as state:
        stored = state.approvals.get("old1")
        assert stored is not None and stored.status == "pending" and stored.change_id is None
        claimed = state.approvals.claim_decision("old1", "U1", approve=True)
        assert claimed is not None and claimed.claimed_at is None
        decided = state.approvals.get("old1")
        assert decided is not None and decided.decision == "approve"
        assert decided.claimed_at == 1_000.0
        new = state.approvals.add(
            kind="agent",
            channel_id="C1",
            run_id="r",
            description="d",
            requester="U1",
            change_id="c",
        )
        assert state.approvals.get(new.id) == new
