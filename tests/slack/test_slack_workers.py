"""The worker design: a front that acks at once, agent workers in other processes.

Real processes: the front serves ``/slack/events`` over HTTP; two spawned
workers each build the app (offline model, the emulator, the Slack mock, the
same SQLite state) and answer. Checks: answers arrive, each once, through
Slack's retries; a change still waits for approval and is applied once; bad
requests are refused by the front and reach no worker.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from extend_emulator import EmulatorServer
from slack_app.change_view import APPROVE_ACTION
from slack_app.server import EVENTS_PATH
from slack_app.state.slack_state import SlackState
from slack_app.testing.serving import serve_in_thread
from slack_app.testing.slack_requests import (
    SlackSender,
    block_action,
    event_envelope,
    mention,
    signature_headers,
)
from slack_app.testing.web_api import SlackMock
from slack_app.testing.workspace import APPROVER, CHANNEL, SIGNING_SECRET
from slack_app.workers.front import create_front_app
from slack_app.workers.pool import PARENT_CHECK_SECONDS, AgentWorkers
from tests.support.agent_helpers import writes
from tests.support.slack_stack import proposals
from tests.support.worker_app import open_worker_app


@pytest.fixture
def front_url(slack: SlackMock, emulator: EmulatorServer, tmp_path: Path) -> Iterator[str]:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    with (
        SlackState.in_data_dir(data_dir) as state,
        AgentWorkers(
            open_worker_app, (slack.url, emulator.url, str(data_dir)), processes=2
        ) as workers,
    ):
        front = create_front_app(
            signing_secret=SIGNING_SECRET,
            state=state,
            forward=workers.put,
            dedupe_ttl_seconds=3600,
        )
        with serve_in_thread(front) as url:
            yield url + EVENTS_PATH


def test_mentions_are_answered_once_through_retries(slack: SlackMock, front_url: str) -> None:
    sender = SlackSender(front_url)
    try:
        events = [
            event_envelope(mention("What is the total on workflow_run_1234?")) for _ in range(4)
        ]
        for envelope in events:
            assert sender.envelope(envelope).status_code == 200
            assert sender.envelope(envelope, retry_num=1).status_code == 200
        for envelope in events:
            answers = slack.wait_for(answered(envelope["event"]["ts"]), what="answer")
            assert "$15,735.10" in answers[0]
        assert sender.envelope(events[0], retry_num=2).status_code == 200
        slack.wait_for(lambda s: len(s.calls("chat.stopStream")) >= 4, what="streams")
    finally:
        sender.close()
    assert len(slack.calls("chat.stopStream")) == 4


def answered(thread_ts: str) -> Callable[[SlackMock], list[str]]:
    def check(mock: SlackMock) -> list[str]:
        return mock.answers(CHANNEL, thread_ts)

    return check


def test_a_change_still_waits_for_approval_and_is_applied_once(
    slack: SlackMock, emulator: EmulatorServer, front_url: str
) -> None:
    sender = SlackSender(front_url)
    try:
        event = mention("Rename workflow_run_1234 to ACME March")
        sender.event(event)
        [proposal] = slack.wait_for(lambda s: proposals(s, CHANNEL), what="the proposal")
        assert writes(emulator, "workflow_run_1234") == []
        payload = block_action(
            APPROVE_ACTION,
            proposal.approval_id,
            user=APPROVER,
            channel=proposal.channel,
            message_ts=proposal.message_ts,
            thread_ts=proposal.thread_ts,
            response_url=slack.response_url("approve"),
        )
        assert sender.click(payload).status_code == 200
        assert sender.click(payload).status_code == 200  # a double click
        slack.wait_for(lambda s: writes(emulator, "workflow_run_1234"), what="the write")
    finally:
        sender.close()
    assert len(writes(emulator, "workflow_run_1234")) == 1


def test_the_front_refuses_bad_requests_and_answers_url_verification(
    slack: SlackMock, front_url: str
) -> None:
    body = json.dumps(event_envelope(mention("What is the total on workflow_run_1234?")))
    with httpx.Client(trust_env=False) as http:
        unsigned = http.post(front_url, content=body, headers={"Content-Type": "application/json"})
        forged = http.post(
            front_url,
            content=body,
            headers={"Content-Type": "application/json", **signature_headers(body, secret="x")},
        )
        garbled = http.post(
            front_url,
            content="[1, 2]",
            headers={"Content-Type": "application/json", **signature_headers("[1, 2]")},
        )
        challenge = json.dumps({"type": "url_verification", "challenge": "abc123"})
        verified = http.post(
            front_url,
            content=challenge,
            headers={"Content-Type": "application/json", **signature_headers(challenge)},
        )
    assert (unsigned.status_code, forged.status_code, garbled.status_code) == (401, 401, 400)
    assert verified.json() == {"challenge": "abc123"}
    assert slack.calls("chat.postMessage") == [] and slack.calls("chat.startStream") == []


@contextmanager
def _front_with_claim(
    tmp_path: Path, claim: Callable[..., bool], forwarded: list[str]
) -> Iterator[SlackSender]:
    """A front (store in ``tmp_path``, ``claim`` wrapping the real one) recording what it queues;
    yields a sender to it."""
    with SlackState.in_data_dir(tmp_path) as state:
        real_claim = state.handled.claim
        state.handled.claim = lambda key, ttl_seconds=60.0: claim(real_claim, key, ttl_seconds)  # type: ignore[method-assign]
        front = create_front_app(
            signing_secret=SIGNING_SECRET,
            state=state,
            forward=lambda body, headers: forwarded.append(json.loads(body)["event_id"]),
            dedupe_ttl_seconds=3600,
        )
        with serve_in_thread(front) as url, SlackSender(url + EVENTS_PATH) as sender:
            yield sender


def _wait_for(forwarded: list[str]) -> None:
    deadline = time.monotonic() + 10
    while not forwarded and time.monotonic() < deadline:
        time.sleep(0.01)


def test_the_ack_does_not_wait_on_the_dedupe_store(tmp_path: Path) -> None:
    """The claim is made after the ack: a stuck store holds back the queueing, not Slack."""
    release = threading.Event()
    forwarded: list[str] = []

    def slow_claim(real: Callable[[str, float], bool], key: str, ttl: float) -> bool:
        release.wait(timeout=10)
        return real(key, ttl)

    envelope = event_envelope(mention("What is the total on workflow_run_1234?"))
    with _front_with_claim(tmp_path, slow_claim, forwarded) as sender:
        first = sender.envelope(envelope)
        retry = sender.envelope(envelope, retry_num=1)
        assert (first.status_code, retry.status_code) == (200, 200)
        assert forwarded == []  # both acked while the store was stuck
        release.set()
        _wait_for(forwarded)
        time.sleep(0.2)  # a wrong second forward would land by now
    assert forwarded == [envelope["event_id"]]


def test_a_broken_dedupe_store_still_queues_the_delivery(tmp_path: Path) -> None:
    """Without the front's claim the worker's own durable claim dedupes: nothing is lost."""
    forwarded: list[str] = []

    def broken_claim(real: Callable[[str, float], bool], key: str, ttl: float) -> bool:
        raise RuntimeError("database is locked")

    envelope = event_envelope(mention("What is the total on workflow_run_1234?"))
    with _front_with_claim(tmp_path, broken_claim, forwarded) as sender:
        assert sender.envelope(envelope).status_code == 200
        _wait_for(forwarded)
    assert forwarded == [envelope["event_id"]]


def test_workers_exit_when_their_front_is_killed(tmp_path: Path) -> None:
    """A front killed outright (SIGKILL, out of memory) leaves no agent worker running."""
    pids_file = tmp_path / "pids"
    code = (
        "import os, sys, time\n"
        "from slack_app.workers.pool import AgentWorkers\n"
        "from tests.support.worker_app import open_idle_app\n"
        "with AgentWorkers(open_idle_app, (), processes=2) as workers:\n"
        "    pids = ' '.join(str(p.pid) for p in workers._processes)\n"
        f"    open({str(pids_file)!r}, 'w').write(pids)\n"
        "    print('ready', flush=True)\n"
        "    time.sleep(600)\n"
    )
    front = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert front.stdout is not None and front.stdout.readline().strip() == "ready"
        pids = [int(p) for p in pids_file.read_text().split()]
    finally:
        front.kill()
        front.wait()
    deadline = time.monotonic() + PARENT_CHECK_SECONDS * 5
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in pids)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    status = Path(f"/proc/{pid}/status")  # a zombie (exited, not yet reaped) is not running
    return not (status.exists() and "State:\tZ" in status.read_text())


def test_deliveries_acked_before_shutdown_are_queued_before_the_front_exits(
    tmp_path: Path,
) -> None:
    """The claim thread hands on what it was given after the ack, even at shutdown."""
    from starlette.testclient import TestClient

    forwarded: list[str] = []

    def slow_forward(body: str, headers: dict[str, str]) -> None:
        time.sleep(0.05)
        forwarded.append(json.loads(body)["event_id"])

    envelopes = [event_envelope(mention(f"total on workflow_run_{n}?")) for n in range(5)]
    with SlackState.in_data_dir(tmp_path) as state:
        front = create_front_app(
            signing_secret=SIGNING_SECRET,
            state=state,
            forward=slow_forward,
            dedupe_ttl_seconds=3600,
        )
        with TestClient(front) as client:  # runs the lifespan: shutdown drains the claims
            for envelope in [*envelopes, envelopes[0]]:  # the last one is Slack's retry
                body = json.dumps(envelope)
                headers = {"content-type": "application/json", **signature_headers(body)}
                response = client.post(EVENTS_PATH, content=body, headers=headers)
                assert response.status_code == 200
    assert forwarded == [e["event_id"] for e in envelopes]  # in order, the retry once
