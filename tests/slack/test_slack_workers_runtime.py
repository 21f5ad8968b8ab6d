"""``extend-agent slack --http`` with ``SLACK_AGENT_PROCESSES=1``: the worker design, for real.

The command runs in its own process (front + one agent worker process, the
built-in emulator, the offline model); Slack is the local mock. A mention is
answered, a retry is not answered twice, a signed Extend webhook becomes an
alert, and the command stops cleanly on SIGTERM.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from slack_app.server import EVENTS_PATH
from slack_app.settings import MAX_AUTO_AGENT_PROCESSES, load_slack_settings
from slack_app.testing.slack_requests import SlackSender, event_envelope, mention
from slack_app.testing.web_api import SlackMock
from slack_app.testing.workspace import BOT_TOKEN, CHANNEL, SIGNING_SECRET
from slack_app.webhooks.receiver import WEBHOOKS_PATH
from tests.support.extend_webhooks import (
    ALERT_CHANNEL,
    WEBHOOK_SECRET,
    deliver,
    outcome,
    run_event,
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_worker_design_from_the_command_line(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with SlackMock() as slack:
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.url,
            "SLACK_AGENT_PROCESSES": "1",
            "EXTEND_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "EXTEND_ALERT_CHANNEL": ALERT_CHANNEL,
            "EXTEND_AGENT_DATA_DIR": str(tmp_path / "data"),
        }
        command = [sys.executable, "-c", "from cli import main; main()"]
        args = ["slack", "--http", "--host", "127.0.0.1", "--port", str(port)]
        process = subprocess.Popen(
            [*command, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    if httpx.get(base + "/healthz", timeout=1).text == "ok":
                        break
                except httpx.HTTPError:
                    pass
                assert process.poll() is None, process.stdout.read().decode()  # type: ignore[union-attr]
                assert time.monotonic() < deadline, "the app did not start"
                time.sleep(0.2)
            sender = SlackSender(base + EVENTS_PATH)
            envelope = event_envelope(mention("What is the total on workflow_run_1234?"))
            assert sender.envelope(envelope).status_code == 200
            assert sender.envelope(envelope, retry_num=1).status_code == 200
            sender.close()
            ts = envelope["event"]["ts"]
            answers = slack.wait_for(lambda s: s.answers(CHANNEL, ts), timeout=60, what="answer")
            assert "$15,735.10" in answers[0]
            failed = {"id": "workflow_run_failed", "status": "FAILED", "stepRuns": "?"}
            with httpx.Client(trust_env=False) as http:
                reply = deliver(
                    http, base + WEBHOOKS_PATH, run_event("workflow_run.failed", failed)
                )
            assert outcome(reply) == "accepted"
            [alert] = slack.wait_for(lambda s: s.posts(channel=ALERT_CHANNEL), what="the alert")
            assert "the PDF is damaged" in "\n".join(alert.texts)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                raise
    assert len(slack.answers(CHANNEL, ts)) == 1
    assert _processes_with(env["EXTEND_AGENT_DATA_DIR"]) == []  # SIGTERM stopped the workers


def _processes_with(data_dir: str, wait_seconds: float = 10.0) -> list[int]:
    """Live processes started with ``data_dir`` in their environment (Linux ``/proc``)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    deadline = time.monotonic() + wait_seconds
    while True:
        found = []
        for entry in proc.iterdir():
            try:
                environ = (entry / "environ").read_bytes() if entry.name.isdigit() else b""
            except OSError:
                continue
            if f"EXTEND_AGENT_DATA_DIR={data_dir}".encode() in environ.split(b"\0"):
                found.append(int(entry.name))
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


@pytest.mark.parametrize(
    ("configured", "uses_emulator", "expected"),
    [
        (None, True, 0),  # trying the app on the built-in emulator: one process, one emulator
        (None, False, min(os.cpu_count() or 1, MAX_AUTO_AGENT_PROCESSES)),  # real Extend
        ("0", False, 0),  # asked for the in-process design
        ("3", True, 3),
    ],
)
def test_how_many_agent_workers_http_mode_starts(
    monkeypatch: pytest.MonkeyPatch, configured: str | None, uses_emulator: bool, expected: int
) -> None:
    if configured is None:
        monkeypatch.delenv("SLACK_AGENT_PROCESSES", raising=False)
    else:
        monkeypatch.setenv("SLACK_AGENT_PROCESSES", configured)
    assert load_slack_settings().agent_process_count(uses_emulator=uses_emulator) == expected


def _slack_cli_failing(
    tmp_path: Path, api_url: str, processes: str
) -> subprocess.CompletedProcess[str]:
    """``extend-agent slack --http`` with Slack's Web API at ``api_url`` (nothing listens)."""
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": api_url,
        "SLACK_AGENT_PROCESSES": processes,
        "EXTEND_AGENT_DATA_DIR": str(tmp_path / "data"),
    }
    command = [sys.executable, "-c", "from cli import main; main()"]
    args = ["slack", "--http", "--host", "127.0.0.1", "--port", str(free_port())]
    done = subprocess.run(
        [*command, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr + done.stdout
    return done


def test_a_worker_that_cannot_start_is_reported_without_a_traceback(tmp_path: Path) -> None:
    done = _slack_cli_failing(tmp_path, f"http://127.0.0.1:{free_port()}/", "1")
    assert "agent worker 0 could not start" in done.stderr
    assert "SLACK_API_URL" in done.stderr and "SLACK_AGENT_PROCESSES=0" in done.stderr


def test_an_unreachable_slack_is_named_in_one_line(tmp_path: Path) -> None:
    api_url = f"http://127.0.0.1:{free_port()}/"
    done = _slack_cli_failing(tmp_path, api_url, "0")
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(f"error: could not reach Slack's Web API at {api_url} (")
