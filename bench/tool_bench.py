"""Benchmark of the tools: how much smaller a summary is than the run's JSON, and what it keeps.

    python bench/tool_bench.py

For every sample run of the built-in emulator, in both API versions: the compact
JSON size (``json.dumps(raw, separators=(",", ":"))``), the summary size, their
ratio, and the share of the run's facts (values, pages, reference texts; see
``tools.text.facts``) the summary states. Each section is a ``*_figures()`` function
returning rows, and ``main()`` prints every section as a table.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extend_emulator import SAMPLE_RUN_IDS, EmulatorServer
from tools.client.clients import ExtendClient
from tools.text.facts import missing_facts, run_facts
from tools.text.summary import summarize_run

API_VERSIONS = ("2024-12-23", "2026-02-09")
BENCH_KEY = "bench-key"

Row = dict[str, Any]
_NUMBER = re.compile(r"-?[\d.,]+%?")  # numeric cells are right-aligned


def summary_figures() -> list[Row]:
    """One row per (API version, sample run): sizes, ratio and fact coverage."""
    rows: list[Row] = []
    with EmulatorServer(host="127.0.0.1", port=0, api_key=BENCH_KEY) as server:
        for version in API_VERSIONS:
            with ExtendClient(BENCH_KEY, base_url=server.url, api_version=version) as client:
                for run_id in SAMPLE_RUN_IDS:
                    run = client.get_run(run_id)
                    summary = summarize_run(run)
                    json_bytes = len(json.dumps(run.raw, separators=(",", ":")).encode())
                    summary_bytes = len(summary.encode())
                    facts = run_facts(run)
                    missing = missing_facts(run, summary)
                    rows.append(
                        {
                            "api": version,
                            "run": run_id,
                            "json_bytes": json_bytes,
                            "summary_bytes": summary_bytes,
                            "ratio": summary_bytes / json_bytes,
                            "facts": len(facts),
                            "coverage": 1.0 if not facts else 1 - len(missing) / len(facts),
                        }
                    )
    return rows


AGENT_READS = (
    "What is the invoice total on workflow_run_1234 and where does it come from?",
    "and the invoice number?",
    "why?",
    "summarize workflow_run_invoice_multipage",
    "which fields have low confidence on workflow_run_needs_review?",
    "what's the status of workflow_run_processing?",
)
AGENT_WRITES = ("rename workflow_run_1234 to ACME March", "tag it urgent and q3")
OVERHEAD_TURNS = 60
LONG_CONVERSATION_TURNS = 60
LONG_CONVERSATION_QUESTION = "summarize workflow_run_invoice_multipage"


def agent_figures() -> list[Row]:
    """Model calls per question/approved write (offline model), and agent overhead per turn.

    Overhead: a zero-latency scripted model drives the real agent (tools on the
    emulator over HTTP, SQLite checkpointer), so a turn's time is the agent's own
    cost plus one ``get_run``; the baseline is that bare ``get_run`` tool call,
    measured interleaved in the same run. Medians, in milliseconds.
    """
    import statistics
    import tempfile
    import time

    from pydantic import PrivateAttr

    from agent.offline.chat_model import OfflineChatModel
    from agent.testing import ScriptedChatModel, agent_session, call, say
    from tools.faces.langchain_tools import make_tools
    from tools.faces.tool_names import GET_RUN

    class CountingOfflineModel(OfflineChatModel):
        _calls: int = PrivateAttr(default=0)
        _last_size: int = PrivateAttr(default=0)

        def _generate(self, messages: Any, *args: Any, **kwargs: Any) -> Any:
            self._calls += 1
            self._last_size = len(messages)
            return super()._generate(messages, *args, **kwargs)

    rows: list[Row] = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        EmulatorServer(host="127.0.0.1", port=0, api_key=BENCH_KEY) as server,
        ExtendClient(BENCH_KEY, base_url=server.url) as client,
    ):
        offline = CountingOfflineModel()
        with agent_session(client, offline, Path(tmp) / "calls.sqlite3") as session:
            per_read = []
            for question in AGENT_READS:
                before = offline._calls
                session.ask("calls", question)
                per_read.append(offline._calls - before)
            per_write = []
            for request in AGENT_WRITES:
                before = offline._calls
                reply = session.ask("calls", request)
                if reply.pending is not None:
                    session.decide("calls", approve=True)
                per_write.append(offline._calls - before)
        rows.append(
            {
                "figure": "model calls per question (offline model)",
                "value": f"{statistics.mean(per_read):.1f} (each: {per_read})",
                "note": "target 2: tool call, answer",
            }
        )
        rows.append(
            {
                "figure": "model calls per approved write",
                "value": f"{statistics.mean(per_write):.1f} (each: {per_write})",
                "note": "proposal, then answer after the yes",
            }
        )

        scripted = ScriptedChatModel(
            script=[call(GET_RUN, run_id="workflow_run_1234"), say("ok")], repeat=True
        )
        get_run_tool = make_tools(client)[0]
        turn_ms: list[float] = []
        bare_ms: list[float] = []
        with agent_session(client, scripted, Path(tmp) / "overhead.sqlite3") as session:
            for i in range(OVERHEAD_TURNS + 5):
                start = time.perf_counter()
                session.ask(f"bench-{i}", "what is the total on workflow_run_1234?")
                agent_time = (time.perf_counter() - start) * 1000
                start = time.perf_counter()
                get_run_tool.invoke({"run_id": "workflow_run_1234"})
                bare_time = (time.perf_counter() - start) * 1000
                if i >= 5:  # warm-up turns are not counted
                    turn_ms.append(agent_time)
                    bare_ms.append(bare_time)
        turn, bare = statistics.median(turn_ms), statistics.median(bare_ms)
        rows.append(
            {
                "figure": "agent turn, zero-latency model (median ms)",
                "value": f"{turn:.1f}",
                "note": f"{OVERHEAD_TURNS} read turns, SQLite checkpointer",
            }
        )
        rows.append(
            {
                "figure": "baseline: bare get_run tool call (median ms)",
                "value": f"{bare:.1f}",
                "note": "same emulator, same run, interleaved",
            }
        )
        rows.append(
            {
                "figure": "agent overhead per turn (median ms)",
                "value": f"{turn - bare:.1f}",
                "note": f"{turn / bare:.1f}x the bare tool call",
            }
        )

        # One thread, many turns: what the model is sent, the store's size, the turn time.
        long_model = CountingOfflineModel()
        long_db = Path(tmp) / "long.sqlite3"
        long_ms: list[float] = []
        with agent_session(client, long_model, long_db) as session:
            for _ in range(LONG_CONVERSATION_TURNS):
                start = time.perf_counter()
                session.ask("long", LONG_CONVERSATION_QUESTION)
                long_ms.append((time.perf_counter() - start) * 1000)
        store_bytes = sum(p.stat().st_size for p in Path(tmp).glob("long.sqlite3*"))
        label = f"after {LONG_CONVERSATION_TURNS} turns in one thread"
        rows.append(
            {
                "figure": f"messages sent to the model, {label}",
                "value": str(long_model._last_size),
                "note": "system prompt + the last turns (agent.history)",
            }
        )
        rows.append(
            {
                "figure": f"conversation store (SQLite + WAL), {label}",
                "value": f"{store_bytes / 1e6:.1f} MB",
                "note": "one checkpoint per thread (agent.checkpoint.prune_thread)",
            }
        )
        rows.append(
            {
                "figure": "turn time, first 5 vs last 5 turns (median ms)",
                "value": f"{statistics.median(long_ms[:5]):.1f} / "
                f"{statistics.median(long_ms[-5:]):.1f}",
                "note": f"offline model, {LONG_CONVERSATION_QUESTION!r}",
            }
        )
    return rows


def print_table(title: str, rows: Sequence[Row], formats: dict[str, str] | None = None) -> None:
    """Rows as an aligned plain-text table (``formats`` maps a column to a format spec)."""
    print(f"\n{title}")
    if not rows:
        print("  (no rows)")
        return
    formats = formats or {}
    columns = list(rows[0])
    cells = [[format(row[c], formats.get(c, "")) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print(
            "  ".join(
                v.rjust(w) if _NUMBER.fullmatch(v) else v.ljust(w)
                for v, w in zip(row, widths, strict=True)
            )
        )


def main() -> None:
    rows = summary_figures()
    print_table(
        "Summaries vs compact run JSON (every sample run, both API versions)",
        rows,
        {"ratio": ".1%", "coverage": ".0%"},
    )
    total_json = sum(r["json_bytes"] for r in rows)
    total_summary = sum(r["summary_bytes"] for r in rows)
    worst = min(r["coverage"] for r in rows)
    print(
        f"\nall runs: {total_summary:,} summary bytes for {total_json:,} JSON bytes "
        f"({total_summary / total_json:.1%}); lowest fact coverage {worst:.0%}"
    )
    print_table("Agent: model calls and overhead per turn", agent_figures())


if __name__ == "__main__":
    main()
