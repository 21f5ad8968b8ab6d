"""Benchmark of the tools: how much smaller a summary is than the run's JSON, and what it keeps.

    python bench/tool_bench.py

For every sample run of the built-in emulator, in both API versions: the compact
JSON size (``json.dumps(raw, separators=(",", ":"))``), the summary size, their
ratio, and the share of the run's facts (values, pages, reference texts; see
``tools.facts``) the summary states. Each section is a ``*_figures()`` function
returning rows, and ``main()`` prints every section as a table.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extend_emulator import SAMPLE_RUN_IDS, EmulatorServer
from tools.client import ExtendClient
from tools.facts import missing_facts, run_facts
from tools.summary import summarize_run

API_VERSIONS = ("2024-12-23", "2026-02-09")
BENCH_KEY = "bench-key"

Row = dict[str, Any]


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
                v.rjust(w) if v[:1].isdigit() else v.ljust(w)
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


if __name__ == "__main__":
    main()
