"""Benchmark of start-up: a cold offline ``extend-agent ask`` next to ``python -c pass``.

    python bench/startup_bench.py [--runs 5]

Each figure is measured in this same run, on this machine and its current load, as
the wall time of a fresh process (the median of ``--runs``): ``python -c pass``
(the interpreter alone), the import of the libraries the agent cannot start
without (LangChain's agent factory, LangGraph's SQLite checkpointer, httpx,
typer: the floor this package sits on), and ``extend-agent ask`` with no keys (the
offline model and the built-in emulator, a fresh data dir each time so nothing
is warm), asking the README's main question. The goal is an offline ask in 2.0 s
or less on a quiet 2-core machine; the load average is printed beside, since a
busy machine stretches every figure alike.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_SECONDS = 2.0
QUESTION = "What is the invoice total on workflow_run_1234 and where does it come from?"
LIBRARY_FLOOR = "import langchain.agents, langgraph.checkpoint.sqlite, httpx, typer"
_CLEARED = ("EXTEND_API_KEY", "EXTEND_BASE_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL")


def _timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def _environment(data_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    env["EXTEND_AGENT_DATA_DIR"] = data_dir
    return env


def startup_figures(runs: int) -> list[tuple[str, float]]:
    """(what, median seconds) for the interpreter, the library floor and a cold ask."""
    python = sys.executable
    ask = [python, "-m", "cli", "ask", QUESTION]
    if (Path(python).parent / "extend-agent").exists():
        ask = [str(Path(python).parent / "extend-agent"), "ask", QUESTION]
    timings: dict[str, list[float]] = {"python -c pass": [], "library floor": [], "ask": []}
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as data_dir:
            env = _environment(data_dir)
            timings["python -c pass"].append(_timed([python, "-c", "pass"], env))
            timings["library floor"].append(_timed([python, "-c", LIBRARY_FLOOR], env))
            timings["ask"].append(_timed(ask, env))
    return [(what, statistics.median(values)) for what, values in timings.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per figure")
    runs = max(1, parser.parse_args().runs)
    figures = startup_figures(runs)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"cold start, median of {runs} fresh processes (load average {load:.2f}):")
    baseline = figures[0][1]
    for what, seconds in figures:
        print(f"  {what:<32} {seconds:6.2f} s   ({seconds / baseline:5.1f}x python -c pass)")
    ask_seconds = figures[-1][1]
    verdict = "within" if ask_seconds <= GOAL_SECONDS else "over"
    print(f"offline ask: {ask_seconds:.2f} s, {verdict} the {GOAL_SECONDS:.1f} s goal")


if __name__ == "__main__":
    main()
