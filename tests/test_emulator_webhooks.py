"""The emulator's webhooks: signed events on a status change, retries, large payloads as URLs."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from extend_emulator import EmulatorServer

SECRET = "whsec_emulator_test"


class Recorder:
    """A webhook endpoint on loopback: records each delivery, answers with scripted statuses."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = list(statuses or [])
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.lock = threading.Lock()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with recorder.lock:
                    recorder.received.append(
                        ({k.lower(): v for k, v in self.headers.items()}, body)
                    )
                    status = recorder.statuses.pop(0) if recorder.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def wait(self, count: int, timeout: float = 10) -> list[tuple[dict[str, str], bytes]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.01)
        raise AssertionError(f"expected {count} deliveries, got {len(self.received)}")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    endpoint = Recorder()
    yield endpoint
    endpoint.close()


def configure(emulator: EmulatorServer, **target: Any) -> httpx.Response:
    return httpx.post(f"{emulator.url}/_emulator/webhooks", json=target)


def move(emulator: EmulatorServer, run_id: str, **body: Any) -> httpx.Response:
    return httpx.post(f"{emulator.url}/_emulator/runs/{run_id}/status", json=body)


def state_of(emulator: EmulatorServer, run_id: str) -> str:
    stored = emulator.get_run_state(run_id)
    assert stored is not None
    return str(stored["status"])


def check_signature(headers: dict[str, str], body: bytes) -> None:
    ts = headers["x-extend-request-timestamp"]
    assert abs(int(ts) - time.time()) < 60
    expected = hmac.new(SECRET.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["x-extend-request-signature"], expected)


def test_a_status_change_delivers_a_signed_event_with_the_run(
    emulator: EmulatorServer, recorder: Recorder
) -> None:
    assert configure(emulator, url=recorder.url, secret=SECRET).json()["secretSet"] is True
    rules = [{"name": "total_matches_lines", "valid": False}, {"name": "has_vendor", "valid": True}]
    reply = move(emulator, "workflow_run_1234", status="NEEDS_REVIEW", validationRules=rules)
    assert reply.status_code == 200, reply.text
    sent = reply.json()
    assert sent["eventType"] == "workflow_run.needs_review" and sent["delivery"] == "queued"
    [(headers, body)] = recorder.wait(1)
    check_signature(headers, body)
    event = json.loads(body)
    assert event["eventId"] == sent["eventId"]
    assert event["eventType"] == "workflow_run.needs_review"
    run = event["payload"]
    assert run["id"] == "workflow_run_1234" and run["status"] == "NEEDS_REVIEW"
    [validation] = [s for s in run["stepRuns"] if s["stepType"] == "RULE_VALIDATION"]
    assert validation["result"]["allPassed"] is False
    assert validation["result"]["rules"][0]["failureReason"] == "RULE_FAILED"
    # The run itself moved, as a read shows.
    assert state_of(emulator, "workflow_run_1234") == "NEEDS_REVIEW"


def test_failed_and_processed_map_to_their_events(
    emulator: EmulatorServer, recorder: Recorder
) -> None:
    configure(emulator, url=recorder.url, secret=SECRET, apiVersion="2024-12-23")
    move(emulator, "workflow_run_1234", status="FAILED", failureMessage="Page 2 is blank.")
    move(emulator, "workflow_run_1234", status="PROCESSED")
    deliveries = [json.loads(body) for _, body in recorder.wait(2)]
    by_type = {e["eventType"]: e["payload"] for e in deliveries}
    failed = by_type["workflow_run.failed"]
    assert failed["status"] == "FAILED" and failed["failureMessage"] == "Page 2 is blank."
    assert "outputs" in failed  # the 2024-12-23 shape, as configured
    assert by_type["workflow_run.completed"]["status"] == "PROCESSED"
    assert "failureMessage" not in by_type["workflow_run.completed"]


def test_a_refused_delivery_is_retried_with_a_fresh_signature(emulator: EmulatorServer) -> None:
    endpoint = Recorder(statuses=[503, 500])
    try:
        configure(emulator, url=endpoint.url, secret=SECRET, retryDelaySeconds=0.05)
        event_id = move(emulator, "workflow_run_1234", status="FAILED").json()["eventId"]
        received = endpoint.wait(3)
        emulator.app.webhooks.wait_idle()
        for headers, body in received:
            check_signature(headers, body)
            assert json.loads(body)["eventId"] == event_id
        log = httpx.get(f"{emulator.url}/_emulator/webhooks/deliveries").json()["deliveries"]
        assert [(d["attempt"], d["status"]) for d in log] == [(1, 503), (2, 500), (3, 200)]
    finally:
        endpoint.close()


def test_an_unreachable_target_is_retried_then_given_up(emulator: EmulatorServer) -> None:
    endpoint = Recorder()
    endpoint.close()  # nothing listens on its port any more
    configure(emulator, url=endpoint.url, secret=SECRET, retryDelaySeconds=0.01, maxAttempts=3)
    move(emulator, "workflow_run_1234", status="FAILED")
    emulator.app.webhooks.wait_idle()
    log = httpx.get(f"{emulator.url}/_emulator/webhooks/deliveries").json()["deliveries"]
    assert [d["attempt"] for d in log] == [1, 2, 3]
    assert all(d["status"] == 0 and d["error"] for d in log)


def test_a_large_event_is_sent_as_a_signed_download_url(
    emulator: EmulatorServer, recorder: Recorder
) -> None:
    configure(emulator, url=recorder.url, secret=SECRET, inlineLimitBytes=500)
    move(emulator, "workflow_run_needs_review", status="NEEDS_REVIEW")
    [(headers, body)] = recorder.wait(1)
    check_signature(headers, body)
    event = json.loads(body)
    url = event["payload"]["data"]
    assert set(event["payload"]) == {"data"}
    downloaded = httpx.get(url).json()
    assert downloaded["eventId"] == event["eventId"]
    assert downloaded["payload"]["id"] == "workflow_run_needs_review"
    assert httpx.get(url.replace("signature=", "signature=0")).status_code == 404


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"status": "DONE"}, 400, "status must be one of"),
        ({"status": "FAILED", "colour": "red"}, 400, "Unknown key"),
        ({"status": "FAILED", "validationRules": [{"name": 3}]}, 400, "validationRules"),
        ({"status": "FAILED", "failureMessage": 7}, 400, "failureMessage"),
    ],
)
def test_bad_status_changes_are_refused(
    emulator: EmulatorServer, body: dict[str, Any], status: int, words: str
) -> None:
    reply = move(emulator, "workflow_run_1234", **body)
    assert reply.status_code == status and words in reply.json()["message"]
    assert state_of(emulator, "workflow_run_1234") == "PROCESSED"


def test_unknown_runs_and_bad_targets_are_refused(emulator: EmulatorServer) -> None:
    assert move(emulator, "workflow_run_nope", status="FAILED").status_code == 404
    assert configure(emulator, url="ftp://x", secret="s").status_code == 400
    assert configure(emulator, url="http://127.0.0.1:9/x").status_code == 400  # no secret
    assert configure(emulator, maxAttempts="3").status_code == 400
    shown = httpx.get(f"{emulator.url}/_emulator/webhooks").json()
    assert shown["url"] is None and "secret" not in shown


def test_without_a_target_the_status_still_changes(emulator: EmulatorServer) -> None:
    reply = move(emulator, "workflow_run_1234", status="FAILED")
    assert reply.json()["delivery"] == "off"
    assert state_of(emulator, "workflow_run_1234") == "FAILED"
