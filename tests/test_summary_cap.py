"""A huge run's summary is cut to a size a model can take, and says what was cut."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.hostile_server import Behaviour, HostileServer, extract_output, run_payload
from tools.client.clients import ExtendClient
from tools.faces.run_tools import RunTools
from tools.text.summary_cap import MAX_SUMMARY_CHARS, cap_summary

RUN_ID = "workflow_run_1234"


def _huge_run(fields: int, blob: int) -> bytes:
    values = {f"field_{i:05d}": f"value {i} " + "z" * 200 for i in range(fields)}
    extract = extract_output({"value": values, "metadata": {}})
    return run_payload(RUN_ID, outputs=[extract], metadata={"blob": "x" * blob})


@pytest.fixture
def huge_run_tools() -> Iterator[RunTools]:
    with (
        HostileServer(Behaviour(body=_huge_run(fields=5_000, blob=1_000_000))) as server,
        ExtendClient("sk_test_cap_key", base_url=server.url) as client,
    ):
        yield RunTools(client)


def test_a_huge_run_gives_a_capped_summary_that_says_what_was_cut(
    huge_run_tools: RunTools,
) -> None:
    output = huge_run_tools.get_run(RUN_ID)
    text = output.text
    assert len(text) < MAX_SUMMARY_CHARS + 1_000  # uncapped it is over 2 million characters
    assert "more characters of this line cut]" in text  # the 1 MB metadata value
    note = text.splitlines()[-1]
    assert note.startswith("[Summary cut: the full summary is ")
    assert "lines" in note and "are not shown, starting at" in note
    assert "Ask for specific fields by name" in note
    assert len(output.run.results[0].fields) == 5_000  # the run itself is whole


def test_asking_for_fields_past_the_cut_shows_them(huge_run_tools: RunTools) -> None:
    text = huge_run_tools.get_run(RUN_ID, fields=["field_04999"]).text
    assert "value 4999" in text and "Summary cut" not in text


def test_a_summary_within_the_limits_is_unchanged() -> None:
    text = "Run workflow_run_1 (PROCESSED)\n- total: 15.00 USD (page 1)"
    assert cap_summary(text) == text


def test_only_long_lines_are_shortened_when_the_total_fits() -> None:
    text = "header\n" + "v" * 50 + "\nfooter"
    capped = cap_summary(text, max_chars=1_000, max_line_chars=20)
    assert capped.splitlines()[:3] == [
        "header",
        "v" * 20 + "... [30 more characters of this line cut]",
        "footer",
    ]
    assert "1 line(s) longer than 20 characters were cut" in capped


def test_the_cut_note_quotes_where_the_rest_begins() -> None:
    lines = [f"- field {i}: \x1b[2J value" for i in range(100)]
    capped = cap_summary("\n".join(lines), max_chars=200)
    note = capped.splitlines()[-1]
    assert "\x1b" not in note and '"- field ' in note
    assert "of 100 lines" in note
