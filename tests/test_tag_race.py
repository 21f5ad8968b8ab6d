"""Two processes tagging one run at once both keep their tag (issue 8, "lost a tag").

Adding a tag is read-modify-write of the run's ``tags`` list; the per-run lock in
``RunTools`` only covers one process. Here two real processes, each with its own
client and ``RunTools``, tag the same emulator run at the same moment, with the
emulator's reads slowed so both read the list before either writes (the lost
update happens every time without the re-read check). Afterwards Extend holds
both tags, and each process reports the tag it added. Two deterministic cases
follow, with a second client writing while ``RunTools`` waits to re-read: a tag
overwritten once is merged back; overwritten again, the call fails saying so.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extend_emulator import EmulatorServer
from tests.conftest import EMULATOR_KEY
from tools.client.clients import ExtendClient
from tools.faces.run_tools import RunTools
from tools.faces.tool_errors import ToolError

RUN = "workflow_run_1234"
_TAGGER = """
import json, sys, time
from tools.client.clients import ExtendClient
from tools.faces.run_tools import RunTools
from tools.faces.tool_errors import ToolError
url, key, run_id, tag, start_at = sys.argv[1:6]
with ExtendClient(key, base_url=url) as client:
    tools = RunTools(client)
    time.sleep(max(0.0, float(start_at) - time.time()))
    try:
        out = tools.update_run_metadata(run_id, add_tags=[tag])
        print(json.dumps({"tags": out.run.tags, "text": out.text}))
    except ToolError as error:
        print(json.dumps({"error": error.message}))
"""


def tag_concurrently(emulator: EmulatorServer, tags: list[str]) -> list[dict[str, object]]:
    start_at = time.time() + 4.0  # both processes are imported and waiting by then
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _TAGGER, emulator.url, EMULATOR_KEY, RUN, tag, str(start_at)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parents[1],
        )
        for tag in tags
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def test_two_processes_adding_tags_to_one_run_keep_both(
    emulator: EmulatorServer, client: ExtendClient
) -> None:
    # every read takes 600 ms: both processes read the (empty) tag list before either writes
    emulator.faults.add("latency", latency_ms=600, method="GET", path_contains=RUN)

    results = tag_concurrently(emulator, ["from-a", "from-b"])

    emulator.faults.clear()
    assert sorted(client.get_run(RUN).tags) == ["from-a", "from-b"], results
    for result, tag in zip(results, ["from-a", "from-b"], strict=True):
        assert "error" not in result, result
        assert tag in result["tags"]  # type: ignore[operator]
    writes = [r for r in emulator.requests if r["method"] == "POST"]
    assert 2 <= len(writes) <= 4  # one write each, plus at most one merge retry each


def test_a_tag_overwritten_once_is_merged_back(
    emulator: EmulatorServer, client: ExtendClient
) -> None:
    """Another writer replaces the list right after our write: our tag is added back once."""
    with ExtendClient(EMULATOR_KEY, base_url=emulator.url) as other:
        overwrites = [["theirs"]]

        def other_writer_lands(_seconds: float) -> None:
            if overwrites:
                other.update_run(RUN, metadata={"tags": overwrites.pop()})

        result = RunTools(client, sleep=other_writer_lands).update_run_metadata(
            RUN, add_tags=["mine"]
        )

    assert client.get_run(RUN).tags == ["theirs", "mine"]
    assert result.run.tags == ["theirs", "mine"]


def test_a_tag_lost_twice_is_reported_not_claimed(
    emulator: EmulatorServer, client: ExtendClient
) -> None:
    with ExtendClient(EMULATOR_KEY, base_url=emulator.url) as other:

        def other_writer_lands(_seconds: float) -> None:
            other.update_run(RUN, metadata={"tags": ["theirs"]})

        with pytest.raises(ToolError) as caught:
            RunTools(client, sleep=other_writer_lands).update_run_metadata(RUN, add_tags=["mine"])

    message = caught.value.message
    assert message.startswith(f'Run {RUN} lost the tag(s) "mine"')
    assert 'Its tags are now "theirs". Add them again.' in message
    assert client.get_run(RUN).tags == ["theirs"]
