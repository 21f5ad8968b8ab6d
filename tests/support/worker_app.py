"""The app as an agent worker process builds it, for the worker-design tests.

A module-level builder, so ``slack_app.workers.pool.AgentWorkers`` can pickle it
by name into spawned processes: ``open_app_on_mock`` (the production wiring, the
offline model) on the emulator at ``emulator_url`` and the Slack mock at
``slack_url``, state in ``data_dir``, the test approver allowed to approve.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from slack_bolt import App

from slack_app.testing.app_on_mock import open_app_on_mock
from slack_app.testing.workspace import APPROVER
from tools.client.clients import ExtendClient

EMULATOR_KEY = "test-emulator-key"


@contextmanager
def open_worker_app(slack_url: str, emulator_url: str, data_dir: str) -> Iterator[App]:
    with (
        ExtendClient(EMULATOR_KEY, base_url=emulator_url) as client,
        open_app_on_mock(slack_url, client, data_dir, approver_ids_text=APPROVER, workers=2) as app,
    ):
        yield app


@contextmanager
def open_idle_app() -> Iterator[object]:
    """A stand-in app for pool tests about the worker process itself (it dispatches nothing)."""
    yield object()
