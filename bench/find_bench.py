"""Benchmark of finding runs the way people name them, against 500 generated runs.

    python bench/find_bench.py [--runs 500] [--repeat 3]

The built-in emulator serves the samples plus ``--runs`` generated runs (seeded).
For each kind of reference (full id, dashboard link, id suffix, file name, run
name, vendor, invoice number) one question goes through the real agent (offline
model, tools on the emulator over HTTP, SQLite checkpointer): the Extend requests
it made (list pages and run reads), its wall time and the model calls it took;
the full-id question is measured in the same run as the baseline. Each question
is asked on a fresh tool cache ("cold", what the first question of a turn pays)
and again on a warm one; times are medians of ``--repeat``. A last table shows
the cost of the cross-run questions.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pydantic import PrivateAttr

from agent.offline.chat_model import OfflineChatModel
from agent.testing import agent_session
from extend_emulator import EmulatorServer
from tools.client.clients import ExtendClient

BENCH_KEY = "bench-key"
Row = dict[str, Any]

QUESTIONS = (
    ("full id (baseline)", "what's the total on workflow_run_needs_review?"),
    ("dashboard link", "summarize https://dashboard.extend.ai/workflows/workflow_run_needs_review"),
    ("id suffix", "what's the invoice number on 1234?"),
    ("file name", "what's the total on fax_20240918_0745_bluebird.pdf?"),
    ("run name / file words", "what's the total on the Bluebird fax?"),
    ("vendor (fields)", "when is the Northwind invoice due?"),
    ("invoice number", "what is the total on invoice INV-58213?"),
    ("invoice number (fields only)", "what is the total on BL-44017?"),
)
CROSS_RUN = (
    "which runs need review?",
    "which runs are still processing?",
    "which runs are tagged urgent?",
    "show me the invoices from Cobalt Cloud",
    "compare the totals of the Bluebird fax and the Contoso invoice",
)


class CountingOfflineModel(OfflineChatModel):
    _calls: int = PrivateAttr(default=0)

    def _generate(self, messages: Any, *args: Any, **kwargs: Any) -> Any:
        self._calls += 1
        return super()._generate(messages, *args, **kwargs)


def _measure(server: EmulatorServer, question: str, repeat: int, warm: bool) -> Row:
    times: list[float] = []
    lists = reads = calls = 0
    for _ in range(repeat):
        with (
            tempfile.TemporaryDirectory() as tmp,
            ExtendClient(BENCH_KEY, base_url=server.url) as client,
        ):
            model = CountingOfflineModel()
            with agent_session(client, model, Path(tmp) / "c.sqlite3") as session:
                if warm:
                    session.ask("warm-up", question)
                server.clear_requests()
                before = model._calls
                started = time.perf_counter()
                reply = session.ask("bench", question)
                times.append(time.perf_counter() - started)
                calls = model._calls - before
                requests = server.requests
                lists = sum(1 for r in requests if r["path"] == "/workflow_runs")
                reads = len(requests) - lists
                if "Which run" in reply.text or "No run matches" in reply.text:
                    raise SystemExit(f"not resolved: {question!r} -> {reply.text[:200]}")
    return {
        "list pages": lists,
        "run reads": reads,
        "model calls": calls,
        "ms (median)": round(statistics.median(times) * 1000, 1),
    }


def reference_figures(runs: int, repeat: int) -> list[Row]:
    rows: list[Row] = []
    with EmulatorServer(api_key=BENCH_KEY, generate=runs) as server:
        for kind, question in QUESTIONS:
            for warm in (False, True):
                row = {"reference": kind, "cache": "warm" if warm else "cold"}
                rows.append(row | _measure(server, question, repeat, warm))
    return rows


def cross_run_figures(runs: int, repeat: int) -> list[Row]:
    rows: list[Row] = []
    with EmulatorServer(api_key=BENCH_KEY, generate=runs) as server:
        for question in CROSS_RUN:
            rows.append({"question": question} | _measure(server, question, repeat, False))
    return rows


def _table(rows: list[Row]) -> str:
    if not rows:
        return "(no rows)"
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in columns)]
    lines.append("  ".join("-" * widths[c] for c in columns))
    for row in rows:
        lines.append("  ".join(str(row[c]).ljust(widths[c]) for c in columns))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500, help="generated runs (default 500)")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions per figure")
    options = parser.parse_args()
    print(f"Resolving a reference, {options.runs} generated runs + 14 samples, per question\n")
    print(_table(reference_figures(options.runs, options.repeat)))
    print("\nCross-run questions (cold cache)\n")
    print(_table(cross_run_figures(options.runs, options.repeat)))


if __name__ == "__main__":
    main()
