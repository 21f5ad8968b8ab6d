"""Benchmark of the Slack app in HTTP mode under a burst of events, on loopback.

    python bench/slack_bench.py [--events 300] [--concurrency 50] [--retry-share 0.3]

The app built by ``build_app`` is served by uvicorn with the offline model and
the Extend emulator, its Web API calls going to the recording Slack mock. Signed
``app_mention`` events (each a new thread, questions about the sample runs) are
sent with ``concurrency`` in flight. Figures, per scenario:

- ack latency p50/p99: send -> HTTP response (Slack wants it within 3 s);
- time to answer p50/p99: send -> the mock receiving the finished answer
  (``chat.stopStream``, or ``chat.postMessage`` when not streamed);
- answers posted (must equal the distinct events) and duplicates (must be 0).

The second scenario re-delivers a share of the events as Slack retries (same
``event_id``, ``X-Slack-Retry-Num: 1``), mixed in among the other sends. The
third runs the same retried burst against the worker design
(``slack_app.workers``: a front process that checks, dedupes and queues, and
``--agent-processes`` worker processes running the app), so both designs are
measured in the same run; ``answers_per_s`` is answers posted over the wall
time. Bounded in count and time (``--timeout``); loopback only.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import queue
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extend_emulator import EmulatorServer
from slack_app.server import EVENTS_PATH
from slack_app.settings import CPU_BOUND_WORKERS
from slack_app.testing.slack_requests import SlackSender, event_envelope, mention
from slack_app.testing.web_api import SlackMock
from slack_app.testing.workspace import CHANNEL
from tools.client.clients import ExtendClient

BENCH_KEY = "bench-key"
QUIET_SECONDS = 0.5  # no Slack call for this long: the app has finished its work
QUIET_DEADLINE_SECONDS = 30.0
QUESTIONS = (
    "What is the total on workflow_run_1234 and where does it come from?",
    "Which fields on workflow_run_needs_review have low confidence?",
    "What is the invoice number on workflow_run_invoice_multipage?",
    "What's the status of workflow_run_processing?",
    "What did the reviewer change on workflow_run_reviewed_corrections?",
)


@dataclass
class Delivery:
    envelope: dict[str, Any]
    retry: bool = False
    sent_at: float = 0.0
    acked_at: float = 0.0
    status: int = 0


def run_scenario(
    slack: SlackMock,
    url: str,
    *,
    events: int,
    concurrency: int,
    retry_share: float,
    timeout: float,
) -> dict[str, Any]:
    """Send the events (and retries) to ``url``, wait for the answers, return the figures."""
    rng = random.Random(7)
    originals = [
        Delivery(event_envelope(mention(QUESTIONS[i % len(QUESTIONS)]))) for i in range(events)
    ]
    deliveries = list(originals)
    for original in rng.sample(originals, round(events * retry_share)):
        retry = Delivery(original.envelope, retry=True)
        position = deliveries.index(original) + rng.randint(1, concurrency)
        deliveries.insert(min(position, len(deliveries)), retry)

    started = time.perf_counter()
    timings = _send_in_own_process(url, [(d.envelope, d.retry) for d in deliveries], concurrency)
    for delivery, (sent_at, acked_at, status) in zip(deliveries, timings, strict=True):
        delivery.sent_at, delivery.acked_at, delivery.status = sent_at, acked_at, status
    threads = {d.envelope["event"]["ts"]: d for d in originals}

    def answered(slack: SlackMock) -> bool:
        return len({ts for ts in _answer_times(slack) if ts in threads}) >= len(threads)

    deadline = time.monotonic() + timeout
    while not answered(slack) and time.monotonic() < deadline:
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    _wait_until_quiet(slack, deadline=time.monotonic() + QUIET_DEADLINE_SECONDS)
    times = _answer_times(slack)
    counts = Counter({ts: len(times.get(ts, [])) for ts in threads})
    to_answer = [min(times[ts]) - threads[ts].sent_at for ts in threads if times.get(ts)]
    acks = [d.acked_at - d.sent_at for d in deliveries]
    return {
        "deliveries": len(deliveries),
        "retries": sum(d.retry for d in deliveries),
        "non_200": sum(d.status != 200 for d in deliveries),
        "ack_p50_ms": _pct(acks, 50) * 1000,
        "ack_p99_ms": _pct(acks, 99) * 1000,
        "ack_max_ms": max(acks) * 1000,
        "answer_p50_ms": _pct(to_answer, 50) * 1000 if to_answer else float("nan"),
        "answer_p99_ms": _pct(to_answer, 99) * 1000 if to_answer else float("nan"),
        "distinct_events": len(threads),
        "answers_posted": sum(1 for n in counts.values() if n),
        "duplicates": sum(n - 1 for n in counts.values() if n > 1),
        "wall_s": elapsed,
        "answers_per_s": sum(1 for n in counts.values() if n) / elapsed if elapsed else 0.0,
    }


def _wait_until_quiet(slack: SlackMock, *, deadline: float) -> None:
    """Return once the mock has had no call for ``QUIET_SECONDS`` (or at ``deadline``).

    Any (wrong) duplicate answer still in flight lands before the counting starts.
    """
    seen, quiet_since = len(slack.calls(failed=True)), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        now_seen = len(slack.calls(failed=True))
        if now_seen != seen:
            seen, quiet_since = now_seen, time.monotonic()
        elif time.monotonic() - quiet_since >= QUIET_SECONDS:
            return


def _answer_times(slack: SlackMock) -> dict[str, list[float]]:
    """Thread ts -> arrival times of finished answers in it (streams stopped, posted answers)."""
    found: dict[str, list[float]] = {}
    for stream in slack.streams().values():
        if stream["stopped"] and stream["channel"] == CHANNEL:
            found.setdefault(stream["thread_ts"], []).append(stream["at"])
    for call in slack.answer_posts(CHANNEL):
        found.setdefault(str(call.args.get("thread_ts") or ""), []).append(call.at)
    return found


def _pct(values: list[float], pct: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--retry-share", type=float, default=0.3)
    parser.add_argument(
        "--workers",
        type=int,
        default=CPU_BOUND_WORKERS,
        help="the app's work pool size (default: the app's default for the offline model)",
    )
    parser.add_argument(
        "--agent-processes",
        type=int,
        default=2,
        help="worker processes in the worker design (0 skips that scenario)",
    )
    parser.add_argument("--timeout", type=float, default=180.0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    retried = f"{args.retry_share:.0%} retried"
    scenarios = [("no retries", 0.0, 0), (retried, args.retry_share, 0)]
    if args.agent_processes > 0:
        scenarios.append((f"workers, {retried}", args.retry_share, args.agent_processes))
    rows = []
    with tempfile.TemporaryDirectory() as tmp, _in_process(_serve_emulator) as emulator_url:
        for index, (name, share, processes) in enumerate(scenarios):
            data_dir = str(Path(tmp) / f"app{index}")
            with (
                SlackMock() as slack,
                _in_process(
                    _serve_app, slack.url, emulator_url, data_dir, args.workers, processes
                ) as app_url,
            ):
                figures = run_scenario(
                    slack,
                    app_url + EVENTS_PATH,
                    events=args.events,
                    concurrency=args.concurrency,
                    retry_share=share,
                    timeout=args.timeout,
                )
                rows.append((name, figures))
    print(
        f"Slack app, HTTP mode, offline model + emulator, loopback: {args.events} events, "
        f"{args.concurrency} in flight, {args.workers} work threads per app process; app, "
        "emulator, Slack mock and sender in four processes (the worker design adds "
        f"{args.agent_processes} agent processes)"
    )
    print(f"{'':<18}" + "".join(f"{name:>22}" for name, _ in rows))
    for key in rows[0][1]:
        print(f"{key:<18}" + "".join(_cell(figures[key]) for _, figures in rows))
    ok = all(f["answers_posted"] == f["distinct_events"] and f["duplicates"] == 0 for _, f in rows)
    print("PASS: every event answered once" if ok else "FAIL: missing or duplicate answers")
    return 0 if ok else 1


# -- the other processes ----------------------------------------------------------------


def _send_in_own_process(
    url: str, deliveries: list[tuple[dict[str, Any], bool]], concurrency: int
) -> list[tuple[float, float, int]]:
    """(sent_at, acked_at, status) per delivery, sent from a process of its own.

    Slack's sender is not in the app's or the mock's process, so neither is this
    one: 50 sending threads sharing a GIL with the mock would add their own waits
    to every ack measured. ``perf_counter`` is the system-wide monotonic clock on
    Linux, so its times compare with the mock's.
    """
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(_send_all, (url, deliveries, concurrency))


def _send_all(
    url: str, deliveries: list[tuple[dict[str, Any], bool]], concurrency: int
) -> list[tuple[float, float, int]]:
    """Send with ``concurrency`` threads, each request on a sender no other thread is using.

    The senders (each an HTTP client with its own pool) are made before the clock
    starts: making one builds an SSL context, whose CPU time would otherwise be
    counted against the first acks.
    """
    idle: queue.SimpleQueue[SlackSender] = queue.SimpleQueue()
    senders = [SlackSender(url) for _ in range(concurrency)]
    for sender in senders:
        idle.put(sender)

    def send(delivery: tuple[dict[str, Any], bool]) -> tuple[float, float, int]:
        envelope, retry = delivery
        sender = idle.get()
        try:
            sent_at = time.perf_counter()
            response = sender.envelope(envelope, retry_num=1 if retry else None)
            return sent_at, time.perf_counter(), response.status_code
        finally:
            idle.put(sender)

    try:
        with ThreadPoolExecutor(concurrency) as threads:
            return list(threads.map(send, deliveries))
    finally:
        for sender in senders:
            sender.close()


@contextmanager
def _in_process(target: Callable[..., None], *args: Any) -> Iterator[str]:
    """Run ``target(*args, ready, stop)`` in a spawned process; yield the URL it reports."""
    context = multiprocessing.get_context("spawn")
    ready = context.Queue()
    stop = context.Event()
    # Not a daemon: the app process of the worker design starts processes of its own.
    process = context.Process(target=target, args=(*args, ready, stop), daemon=False)
    process.start()
    try:
        yield ready.get(timeout=60)
    finally:
        stop.set()
        process.join(timeout=30)
        if process.is_alive():
            process.kill()


def _serve_emulator(ready: Any, stop: Any) -> None:
    with EmulatorServer(host="127.0.0.1", port=0, api_key=BENCH_KEY) as emulator:
        ready.put(emulator.url)
        stop.wait()


def _serve_app(
    slack_url: str,
    emulator_url: str,
    data_dir: str,
    workers: int,
    processes: int,
    ready: Any,
    stop: Any,
) -> None:
    """The production wiring (``_worker_app``), served by uvicorn as in production.

    With ``processes``, the worker design: this process serves the front
    (``slack_app.workers.front``) and ``processes`` agent workers run the app.
    """
    if processes:
        _serve_front(slack_url, emulator_url, data_dir, workers, processes, ready, stop)
        return
    from slack_app.server import create_asgi_app
    from slack_app.testing.serving import serve_in_thread

    logging.basicConfig(level=logging.WARNING)
    with (
        _worker_app(slack_url, emulator_url, data_dir, workers) as app,
        serve_in_thread(create_asgi_app(app)) as url,
    ):
        ready.put(url)
        stop.wait()


def _serve_front(
    slack_url: str,
    emulator_url: str,
    data_dir: str,
    workers: int,
    processes: int,
    ready: Any,
    stop: Any,
) -> None:
    from slack_app.settings import SlackSettings
    from slack_app.state.slack_state import SlackState
    from slack_app.testing.serving import serve_in_thread
    from slack_app.testing.workspace import SIGNING_SECRET
    from slack_app.workers.front import create_front_app
    from slack_app.workers.pool import AgentWorkers

    logging.basicConfig(level=logging.WARNING)
    path = Path(data_dir)
    path.mkdir(parents=True, exist_ok=True)
    ttl = SlackSettings().dedupe_ttl_seconds
    with (
        SlackState.in_data_dir(path) as state,
        AgentWorkers(
            _worker_app, (slack_url, emulator_url, data_dir, workers), processes=processes
        ) as agents,
    ):
        front = create_front_app(
            signing_secret=SIGNING_SECRET,
            state=state,
            forward=agents.put,
            dedupe_ttl_seconds=ttl,
        )
        with serve_in_thread(front) as url:
            ready.put(url)
            stop.wait()


@contextmanager
def _worker_app(slack_url: str, emulator_url: str, data_dir: str, workers: int) -> Iterator[Any]:
    """The production wiring (``open_app_on_mock``: offline model, state in ``data_dir``);
    one agent worker's app in the worker design, the whole app otherwise."""
    from slack_app.testing.app_on_mock import open_app_on_mock

    with (
        ExtendClient(BENCH_KEY, base_url=emulator_url) as client,
        open_app_on_mock(slack_url, client, data_dir, workers=workers) as app,
    ):
        yield app


def _cell(value: Any) -> str:
    return f"{value:>22.1f}" if isinstance(value, float) else f"{value:>22}"


if __name__ == "__main__":
    sys.exit(main())
