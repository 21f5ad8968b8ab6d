"""The Slack app's SQLite state: dedupe claims, threads, approvals decided exactly once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from slack_app.state import SlackState
from tools.run_tools import RunChange


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_a_key_is_claimed_once_until_it_expires(tmp_path: Path) -> None:
    clock = Clock()
    with SlackState(tmp_path / "s.sqlite3", clock=clock) as state:
        assert state.claim("event:Ev1", ttl_seconds=60)
        assert not state.claim("event:Ev1", ttl_seconds=60)
        assert state.claim("event:Ev2", ttl_seconds=60)
        clock.now += 61
        assert state.claim("event:Ev1", ttl_seconds=60)  # expired: a new delivery, new claim
        state.purge_expired()


def test_claims_survive_a_restart_and_are_shared_by_processes(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    with SlackState(path) as first:
        assert first.claim("message:C1:1.0")
    with SlackState(path) as again, SlackState(path) as other:
        assert not again.claim("message:C1:1.0")
        assert not other.claim("message:C1:1.0")


def test_concurrent_claims_on_two_connections_have_one_winner(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    with SlackState(path) as one, SlackState(path) as two, ThreadPoolExecutor(16) as pool:
        for n in range(20):
            key = f"event:Ev{n}"
            results = list(pool.map(lambda s, k=key: s.claim(k), [one, two] * 8))
            assert results.count(True) == 1


def test_threads_the_bot_answered_in_are_remembered(tmp_path: Path) -> None:
    with SlackState(tmp_path / "s.sqlite3") as state:
        assert not state.in_thread("C1", "1.0")
        state.remember_thread("C1", "1.0")
        assert state.in_thread("C1", "1.0") and not state.in_thread("C2", "1.0")


def test_an_approval_round_trips_and_is_decided_once(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    change = RunChange(run_id="workflow_run_1234", name_before=None, name_after="ACME March")
    with SlackState(path) as state:
        approval = state.add_approval(
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
        state.set_message_ts(approval.id, "2.0")
    with SlackState(path) as one, SlackState(path) as two, ThreadPoolExecutor(8) as pool:
        stored = one.approval(approval.id)
        assert stored is not None and stored.change == change and stored.message_ts == "2.0"
        assert stored.metadata == {"vendor": "ACME"} and stored.add_tags == ["urgent"]
        assert one.unsettled_approval("slack:T:C1:1.0") == stored
        wins = list(pool.map(lambda s: s.claim_decision(approval.id, "U1"), [one, two] * 4))
        assert wins.count(True) == 1
        assert two.approval(approval.id).status == "deciding"
        one.finish_decision(approval.id, "approved", "done")
        final = two.approval(approval.id)
        assert final.status == "approved" and final.is_final and final.decided_by == "U1"
        assert one.unsettled_approval("slack:T:C1:1.0") is None
        assert not one.claim_decision(approval.id, "U1")
        assert one.approval("nope") is None
