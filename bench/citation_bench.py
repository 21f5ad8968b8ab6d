"""Benchmark of citation images: render time cold and cached, and bytes per image.

    python bench/citation_bench.py

Over every citation of every sample run of the built-in emulator (each field's
citations, each nested path's, and the pre-review citations of fields a reviewer
changed), one crop per citation and one whole-page thumbnail per citation:

- cold: an empty disk cache, so each call fetches the file description, downloads
  the document from the emulator (loopback HTTP) and renders it;
- cached: the same calls again, served from the disk cache.

API 2026-02-09, whose citations name their file (a run with several files is
ambiguous in 2024-12-23). Citations that cannot be drawn (spreadsheet cells)
are counted as skipped.

Imports and the first render are paid once before timing (a long-lived tool host
pays them once too). Goals on this machine: p50 <= 150 ms cold, <= 5 ms cached,
images <= 200 KB.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extend_emulator import SAMPLE_RUN_IDS, EmulatorServer
from tools.client.clients import ExtendClient
from tools.images.citation_image import citation_image
from tools.images.errors import CitationImageError
from tools.images.image_cache import ImageCache
from tools.runs.models import Run

BENCH_KEY = "bench-key"
GOALS = {"cold_p50_ms": 150.0, "cached_p50_ms": 5.0, "max_kb": 200.0}


@dataclass(frozen=True)
class Target:
    run: Run
    field: str
    citation: int
    pre_review: bool


def targets(runs: list[Run]) -> list[Target]:
    """One target per citation of every field, nested path and pre-review value."""
    found = []
    for run in runs:
        for field in run.fields:
            found += [Target(run, field.name, i, False) for i in range(1, len(field.citations) + 1)]
            if field.edited:
                count = len(field.initial_citations)
                found += [Target(run, field.name, i, True) for i in range(1, count + 1)]
            for part in field.parts:
                found += [
                    Target(run, part.path, i, False) for i in range(1, len(part.citations) + 1)
                ]
    return found


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(
    client: ExtendClient, items: list[Target], cache: ImageCache, whole_page: bool
) -> dict[str, Any]:
    cold: list[float] = []
    cached: list[float] = []
    sizes: list[int] = []
    skipped = 0
    for timings in (cold, cached):
        for target in items:
            start = time.perf_counter()
            try:
                images = citation_image(
                    target.run,
                    target.field,
                    client,
                    citation=target.citation,
                    pre_review=target.pre_review,
                    whole_page=whole_page,
                    cache=cache,
                )
            except CitationImageError:
                skipped += timings is cold
                continue
            timings.append((time.perf_counter() - start) * 1000)
            if timings is cold:
                sizes += [len(image.png) for image in images.images]
    return {
        "view": "page" if whole_page else "crop",
        "images": len(sizes),
        "skipped": skipped,
        "cold_p50_ms": statistics.median(cold),
        "cold_p95_ms": percentile(cold, 0.95),
        "cached_p50_ms": statistics.median(cached),
        "cached_p95_ms": percentile(cached, 0.95),
        "kb_p50": statistics.median(sizes) / 1024,
        "max_kb": max(sizes) / 1024,
    }


def citation_figures() -> list[dict[str, Any]]:
    rows = []
    with (
        EmulatorServer(host="127.0.0.1", port=0, api_key=BENCH_KEY) as server,
        ExtendClient(BENCH_KEY, base_url=server.url, api_version="2026-02-09") as client,
        tempfile.TemporaryDirectory() as scratch,
    ):
        runs = [client.get_run(run_id) for run_id in SAMPLE_RUN_IDS]
        items = targets(runs)
        citation_image(runs[0], runs[0].fields[0].name, client)  # imports, pdfium start-up
        for whole_page in (False, True):
            cache = ImageCache(Path(scratch) / ("page" if whole_page else "crop"))
            rows.append({"citations": len(items), **measure(client, items, cache, whole_page)})
    return rows


def main() -> None:
    rows = citation_figures()
    columns = list(rows[0])
    print(" | ".join(f"{c:>13}" for c in columns))
    for row in rows:
        cells = [f"{v:13.1f}" if isinstance(v, float) else f"{v!s:>13}" for v in row.values()]
        print(" | ".join(cells))
    for row in rows:
        verdicts = [
            f"{name} {row[name]:.1f} {'<=' if row[name] <= goal else '>'} {goal:g}"
            for name, goal in GOALS.items()
        ]
        print(f"{row['view']}: " + "; ".join(verdicts))


if __name__ == "__main__":
    main()
