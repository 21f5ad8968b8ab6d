"""Client speed against the emulator on loopback: ours vs raw httpx vs the official SDK.

    python bench/client_bench.py [--calls 300] [--rounds 5]

Prints median per-call ``get_run`` time for raw httpx + ``json()``, our
``ExtendClient`` and the official ``extend-ai`` SDK (all on API 2026-02-09,
interleaved call by call so machine noise hits each alike), and cold import time of
``tools.client.clients`` vs ``from extend_ai import Extend`` in fresh interpreters.
Ratios are against the baseline measured in the same run; absolute times drift.
Targets: ours <= 1.15x raw httpx per call; our import <= 0.25x the SDK's.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VERSION = "2026-02-09"
KEY = "bench-key"
RUN_IDS = ("workflow_run_1234", "workflow_run_invoice_multipage")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_emulator(port: int) -> subprocess.Popen[bytes]:
    """The emulator in its own process, so it does not share our GIL."""
    code = (
        "from extend_emulator import run_forever; "
        f"run_forever(host='127.0.0.1', port={port}, data_dir=None, fixtures_dir=None, "
        f"api_key=None, reset=False, default_version='{VERSION}')"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}/_emulator/health"
    for _ in range(200):
        try:
            if httpx.get(url, timeout=0.5).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("the emulator did not start")


def import_time(statement: str, repeats: int) -> float:
    """Median seconds to run ``statement`` in a fresh interpreter (cold import)."""
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    samples = []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
        )
        samples.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(samples)


def per_call_times(
    contestants: dict[str, Callable[[str], object]], calls: int, rounds: int
) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in contestants}
    for call in contestants.values():  # warm up pools, caches and lazy imports
        for run_id in RUN_IDS * 10:
            call(run_id)
    for _ in range(rounds):  # call by call in turn, so a noisy moment hits every contestant
        for index in range(calls):
            run_id = RUN_IDS[index % len(RUN_IDS)]
            for name, call in contestants.items():
                start = time.perf_counter()
                call(run_id)
                times[name].append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300, help="calls per contestant per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--import-repeats", type=int, default=7)
    args = parser.parse_args()

    from tools.client.clients import ExtendClient

    port = free_port()
    proc = start_emulator(port)
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {KEY}", "x-extend-api-version": VERSION}
    try:
        raw = httpx.Client(base_url=base, headers=headers)
        ours = ExtendClient(KEY, base_url=base, api_version=VERSION)
        contestants: dict[str, Callable[[str], object]] = {
            "raw httpx + json()": lambda run_id: raw.get(f"/workflow_runs/{run_id}").json(),
            "extend-run-agent ExtendClient": ours.get_run,
        }
        try:
            from extend_ai import Extend

            sdk = Extend(token=KEY, base_url=base, extend_api_version=VERSION)
            contestants["official extend-ai SDK"] = sdk.workflow_runs.retrieve
        except ImportError:
            print("extend-ai is not installed (pip install -e '.[bench]'); skipping the SDK")
        times = per_call_times(contestants, args.calls, args.rounds)
    finally:
        proc.terminate()
        proc.wait(timeout=10)

    baseline = statistics.median(times["raw httpx + json()"])
    print(f"get_run per call, median of {args.calls * args.rounds} calls, API {VERSION}:")
    for name, samples in times.items():
        median = statistics.median(samples)
        p90 = statistics.quantiles(samples, n=10)[-1]
        print(
            f"  {name:32s} {median * 1e3:7.3f} ms  p90 {p90 * 1e3:7.3f} ms  "
            f"{median / baseline:5.2f}x raw"
        )

    ours_import = import_time("import tools.client.clients", args.import_repeats)
    ours_first = import_time(
        "import tools.client.clients, tools.runs.normalize", args.import_repeats
    )
    print(f"cold import, median of {args.import_repeats} fresh interpreters:")
    print(f"  import tools.client.clients              {ours_import * 1e3:7.1f} ms")
    print(f"  + models loaded at first answer  {ours_first * 1e3:7.1f} ms")
    try:
        sdk_import = import_time("from extend_ai import Extend", args.import_repeats)
    except subprocess.CalledProcessError:
        return
    print(f"  from extend_ai import Extend     {sdk_import * 1e3:7.1f} ms")
    print(
        f"  ratio ours/SDK: {ours_import / sdk_import:.2f} "
        f"(with models: {ours_first / sdk_import:.2f})"
    )


if __name__ == "__main__":
    main()
