"""Agent worker processes: each builds the full Bolt app and dispatches queued Slack requests.

    with AgentWorkers(build_app, args, processes=2) as workers:
        workers.put(body, headers)  # from the front, after the ack

``build`` is a picklable callable (a module-level function) returning a context
manager that yields the worker's ``App``; it runs in each spawned process, so
each has its own agent session, Web API client and state connections. Requests
are dispatched one at a time per process (listeners only queue work on the
app's own pool, so a dispatch takes milliseconds); a failed dispatch is logged.
Workers run at a lower scheduling priority (``niceness``, Unix): when the CPU
is busy with agent turns, the front's acks still get it first. A worker whose
front died without stopping it (killed, out of memory) notices within
``PARENT_CHECK_SECONDS`` and exits, so no orphan keeps running.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import queue
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any

from slack_bolt import App, BoltRequest

logger = logging.getLogger(__name__)

START_TIMEOUT_SECONDS = 120.0
PARENT_CHECK_SECONDS = 2.0
STOP_TIMEOUT_SECONDS = 60.0
DEFAULT_NICENESS = 10
AppBuilder = Callable[..., AbstractContextManager[App]]


class WorkerStartError(RuntimeError):
    """A worker process did not start; the message says which and why."""


class AgentWorkers:
    """A fixed number of spawned worker processes fed from one queue."""

    def __init__(
        self,
        build: AppBuilder,
        args: Sequence[Any] = (),
        *,
        processes: int,
        niceness: int = DEFAULT_NICENESS,
    ) -> None:
        if processes < 1:
            raise ValueError("processes must be at least 1")
        context = multiprocessing.get_context("spawn")
        self._jobs: Any = context.Queue()
        self._ready: Any = context.Queue()
        self._processes = [
            context.Process(
                target=_work,
                args=(build, tuple(args), self._jobs, self._ready, number, niceness, os.getpid()),
                name=f"slack-agent-{number}",
                daemon=True,
            )
            for number in range(processes)
        ]

    def start(self) -> AgentWorkers:
        for process in self._processes:
            process.start()
        for _ in self._processes:
            try:
                number, problem = self._ready.get(timeout=START_TIMEOUT_SECONDS)
            except Exception:  # queue.Empty: a worker hung while building its app
                self.stop()
                raise WorkerStartError("an agent worker did not start in time") from None
            if problem:
                self.stop()
                raise WorkerStartError(f"agent worker {number} could not start: {problem}")
        return self

    def put(self, body: str, headers: dict[str, str]) -> None:
        """Queue one Slack request (returns at once)."""
        self._jobs.put((body, headers))

    def stop(self) -> None:
        """Let the workers finish what is queued, then end them."""
        for process in self._processes:
            if process.is_alive():
                self._jobs.put(None)
        for process in self._processes:
            process.join(timeout=STOP_TIMEOUT_SECONDS)
            if process.is_alive():
                process.kill()

    def __enter__(self) -> AgentWorkers:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _work(
    build: AppBuilder,
    args: tuple[Any, ...],
    jobs: Any,
    ready: Any,
    number: int,
    niceness: int,
    parent: int,
) -> None:
    logging.basicConfig(level=logging.WARNING)
    if niceness and hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(niceness)
    try:
        opened = build(*args)
        app = opened.__enter__()
    except Exception as exc:  # reported to the parent, which stops and says so
        ready.put((number, f"{type(exc).__name__}: {exc}"))
        return
    ready.put((number, None))
    try:
        while True:
            try:
                job = jobs.get(timeout=PARENT_CHECK_SECONDS)
            except queue.Empty:
                if os.getppid() != parent:  # the front is gone: nobody will stop us
                    logger.warning("agent worker %d: the front process is gone; exiting", number)
                    break
                continue
            if job is None:
                break
            body, headers = job
            try:
                app.dispatch(BoltRequest(body=body, headers=headers))
            except Exception:
                logger.exception("agent worker %d failed to handle a request", number)
    finally:
        opened.__exit__(None, None, None)
