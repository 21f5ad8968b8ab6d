"""Benchmark of Slack app replicas sharing PostgreSQL, next to one process on SQLite.

    python bench/slack_replicas_bench.py [--events 300] [--replicas 3] [--database-url URL]

The same burst as ``bench/slack_bench.py`` (signed ``app_mention`` events, a share
re-delivered as Slack retries, ``concurrency`` in flight), sent round-robin by a
small load balancer to each scenario's app processes, in one run:

- 1 process on SQLite (the default deployment);
- 1 replica on PostgreSQL (``EXTEND_AGENT_DATABASE_URL``);
- ``--replicas`` replicas on PostgreSQL: a retry usually lands on another
  replica than the original, so dedupe across replicas is what keeps answers single.

Figures as in ``slack_bench``: ack p50/p99, answers per second, duplicates
(must be 0). PostgreSQL is ``--database-url`` or the local test server
(``slack_app.testing.postgres``); each scenario works in its own schema, dropped after.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench.slack_bench import _cell, _in_process, _serve_app, _serve_emulator, run_scenario
from slack_app.server import EVENTS_PATH
from slack_app.settings import CPU_BOUND_WORKERS
from slack_app.testing.postgres import fresh_schema
from slack_app.testing.slack_requests import SlackSender
from slack_app.testing.web_api import SlackMock

BENCH_KEY = "bench-key"


class RoundRobin:
    """A load balancer in front of the replicas: each delivery goes to the next one."""

    def __init__(self, urls: list[str]) -> None:
        self._senders = [SlackSender(url + EVENTS_PATH) for url in urls]
        self._next = itertools.cycle(self._senders)
        self._lock = threading.Lock()

    def envelope(self, envelope: dict[str, Any], *, retry_num: int | None = None) -> httpx.Response:
        with self._lock:
            sender = next(self._next)
        return sender.envelope(envelope, retry_num=retry_num)

    def close(self) -> None:
        for sender in self._senders:
            sender.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--retry-share", type=float, default=0.3)
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--workers", type=int, default=CPU_BOUND_WORKERS)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--timeout", type=float, default=180.0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    base_url = args.database_url
    if base_url is None:
        from slack_app.testing.postgres import find_postgres

        base_url, reason = find_postgres()
        if base_url is None:
            print(f"error: {reason}; pass --database-url", file=sys.stderr)
            return 2
    scenarios = [("SQLite, 1 process", 1, False), ("PostgreSQL, 1 replica", 1, True)]
    scenarios.append((f"PostgreSQL, {args.replicas} replicas", args.replicas, True))
    rows = []
    with tempfile.TemporaryDirectory() as tmp, _in_process(_serve_emulator) as emulator_url:
        for index, (name, replicas, on_postgres) in enumerate(scenarios):
            with ExitStack() as stack:
                slack = stack.enter_context(SlackMock())
                if on_postgres:
                    url = stack.enter_context(fresh_schema(base_url, prefix="extend_bench"))
                    with ThreadPoolExecutor(replicas) as starting:
                        urls = list(
                            starting.map(
                                lambda _, slack_url=slack.url, url=url: stack.enter_context(
                                    _in_process(
                                        _serve_replica, slack_url, emulator_url, url, args.workers
                                    )
                                ),
                                range(replicas),
                            )
                        )
                else:
                    data_dir = str(Path(tmp) / f"app{index}")
                    app = _in_process(
                        _serve_app, slack.url, emulator_url, data_dir, args.workers, 0
                    )
                    urls = [stack.enter_context(app)]
                balancer = RoundRobin(urls)
                stack.callback(balancer.close)
                figures = run_scenario(
                    slack,
                    balancer,  # type: ignore[arg-type]  # sends envelopes like a SlackSender
                    events=args.events,
                    concurrency=args.concurrency,
                    retry_share=args.retry_share,
                    timeout=args.timeout,
                )
                rows.append((name, figures))
    print(
        f"Slack app, HTTP mode, offline model + emulator, loopback: {args.events} events, "
        f"{args.retry_share:.0%} retried, {args.concurrency} in flight, sent round-robin; "
        f"{args.workers} work threads per app process"
    )
    print(f"{'':<18}" + "".join(f"{name:>26}" for name, _ in rows))
    for key in rows[0][1]:
        print(f"{key:<18}" + "".join(f"{_cell(figures[key]):>26}" for _, figures in rows))
    ok = all(f["answers_posted"] == f["distinct_events"] and f["duplicates"] == 0 for _, f in rows)
    print("PASS: every event answered once" if ok else "FAIL: missing or duplicate answers")
    return 0 if ok else 1


def _serve_replica(
    slack_url: str, emulator_url: str, database_url: str, workers: int, ready: Any, stop: Any
) -> None:
    """One replica: the production wiring with its conversations and state in PostgreSQL."""
    from agent.offline.chat_model import OfflineChatModel
    from agent.testing import postgres_agent_session
    from slack_app.app import build_app, make_web_client
    from slack_app.server import create_asgi_app
    from slack_app.settings import SlackSettings
    from slack_app.state.slack_state import SlackState
    from slack_app.testing.serving import serve_in_thread
    from slack_app.testing.workspace import BOT_TOKEN, SIGNING_SECRET
    from tools.client.clients import ExtendClient

    logging.basicConfig(level=logging.WARNING)
    settings = SlackSettings(
        bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET, api_url=slack_url, workers=workers
    )
    executor = ThreadPoolExecutor(workers, thread_name_prefix="slack-work")
    with (
        ExtendClient(BENCH_KEY, base_url=emulator_url) as client,
        postgres_agent_session(client, OfflineChatModel(), database_url) as session,
        SlackState.open_postgres(database_url) as state,
    ):
        app = build_app(
            settings,
            session,
            session.run_tools,
            make_web_client(settings),
            state=state,
            executor=executor,
        )
        with serve_in_thread(create_asgi_app(app)) as url:
            ready.put(url)
            stop.wait()
        executor.shutdown(wait=True)


if __name__ == "__main__":
    sys.exit(main())
