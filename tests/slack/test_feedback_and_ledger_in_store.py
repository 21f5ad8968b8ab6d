"""Answer feedback and the webhook ledger live in the app's shared store, SQLite or PostgreSQL.

Each "replica" is its own ``SlackState`` (its own connections) on one store, so
what one records the other sees, and a webhook event claimed by one is a
duplicate for the other. PostgreSQL cases skip, saying why, where no server is
reachable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from slack_app.feedback.store import FEEDBACK_SCHEMA, FeedbackCounts, FeedbackStore
from slack_app.state.schema import schema_version
from slack_app.state.slack_state import STATE_FILE, SlackState
from slack_app.webhooks.ledger import EventLedger

Replica = Callable[[], SlackState]


@pytest.fixture(params=["sqlite", "postgres"])
def replica(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Replica]:
    """Opens a new replica of one store each call; all are closed after the test."""
    opened: list[SlackState] = []
    if request.param == "sqlite":

        def open_one() -> SlackState:
            opened.append(SlackState.in_data_dir(tmp_path))
            return opened[-1]
    else:
        url: str = request.getfixturevalue("postgres_url")

        def open_one() -> SlackState:
            opened.append(SlackState.open_postgres(url))
            return opened[-1]

    yield open_one
    for state in opened:
        state.close()


def test_votes_from_two_replicas_are_counted_together(replica: Replica) -> None:
    first = FeedbackStore(replica().work_connection)
    second = FeedbackStore(replica().work_connection)
    vote = {"thread_id": "slack:T:C1:1.0", "channel_id": "C1", "message_ts": "2.0"}
    first.record(**vote, user_id="U1", helpful=True)
    second.record(**vote, user_id="U2", helpful=False)
    second.record(**vote, user_id="U1", helpful=False)  # U1 changed their mind, elsewhere
    other = {"thread_id": "slack:T:C1:9.0", "channel_id": "C1", "message_ts": "9.1"}
    second.record(**other, user_id="U1", helpful=True)
    assert first.counts("slack:T:C1:1.0") == FeedbackCounts(helpful=0, not_helpful=2)
    assert first.counts() == second.counts() == FeedbackCounts(helpful=1, not_helpful=2)


def test_the_feedback_table_is_versioned_and_its_store_leaves_the_connection_open(
    replica: Replica,
) -> None:
    state = replica()
    with FeedbackStore(state.work_connection) as store:
        store.record(thread_id="t", channel_id="C", message_ts="1", user_id="U", helpful=True)
    assert schema_version(state.work_connection, FEEDBACK_SCHEMA.name) == FEEDBACK_SCHEMA.latest
    assert state.handled.claim("still-open")  # closing the store did not close the state's
    assert FeedbackStore(replica().work_connection).counts().helpful == 1  # a restart keeps it


def test_a_webhook_event_is_claimed_once_across_replicas(replica: Replica) -> None:
    ledgers = [EventLedger(replica().handled) for _ in range(3)]
    event_ids = [f"evt_{i}" for i in range(40)]
    jobs = [(ledger, event_id) for event_id in event_ids for ledger in ledgers]
    with ThreadPoolExecutor(6) as pool:
        won = list(pool.map(lambda job: job[0].claim(job[1]), jobs))
    assert sum(won) == len(event_ids)  # each event posted by exactly one replica
    ledgers[0].release("evt_3")  # its alert failed: the redelivery is handled, once
    assert [ledger.claim("evt_3") for ledger in ledgers] == [True, False, False]


def test_webhook_claims_do_not_collide_with_slack_event_keys(replica: Replica) -> None:
    state = replica()
    ledger = EventLedger(state.handled)
    assert state.handled.claim("Ev123")  # a Slack event id
    assert ledger.claim("Ev123")  # an Extend event id that happens to be the same text
    assert not ledger.claim("Ev123")


def test_no_separate_files_are_left_in_the_data_dir(tmp_path: Path) -> None:
    with SlackState.in_data_dir(tmp_path) as state:
        FeedbackStore(state.work_connection).record(
            thread_id="t", channel_id="C", message_ts="1", user_id="U", helpful=False
        )
        EventLedger(state.handled).claim("evt_1")
    names = {p.name for p in tmp_path.iterdir()}
    assert STATE_FILE in names
    assert not names & {"feedback.sqlite3", "webhook_events.sqlite3"}


def test_without_a_store_both_keep_to_memory() -> None:
    with FeedbackStore() as store, EventLedger() as ledger:
        store.record(thread_id="t", channel_id="C", message_ts="1", user_id="U", helpful=True)
        assert store.counts() == FeedbackCounts(helpful=1, not_helpful=0)
        assert ledger.claim("evt_1") and not ledger.claim("evt_1")
