"""``extend-agent runs cite RUN FIELD -o crop.png`` with no keys: the built-in emulator.

Document text (the value, the file name) in the line saying what is highlighted is
quoted and inert, and pings no one (``tests.support.hostile_runs``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from cli import app
from extend_emulator import EmulatorServer
from tests.support.hostile_runs import (
    HOSTILE_RUN,
    KEY,
    PINGS,
    RAW,
    VENDOR,
    hostile_emulator,
    without_neutralized_mentions,
)

runner = CliRunner()


def test_cite_writes_the_crop(tmp_path: Path) -> None:
    target = tmp_path / "crop.png"
    result = runner.invoke(app, ["runs", "cite", "workflow_run_1234", "amount", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(target)
    assert "amount (value 15,735.10 USD) is highlighted on page 1" in result.stderr
    with Image.open(target) as image:
        assert image.format == "PNG" and image.width <= 960 and image.height <= 720


def test_cite_page_thumbnail_and_several_pages(tmp_path: Path) -> None:
    target = tmp_path / "items.png"
    result = runner.invoke(
        app,
        [
            "runs",
            "cite",
            "workflow_run_invoice_multipage",
            "line_items",
            "--page",
            "-o",
            str(target),
        ],
    )
    assert result.exit_code == 0, result.output
    written = result.stdout.split()
    assert written == [str(target), str(tmp_path / "items-2.png")]
    for path in written:
        with Image.open(path) as image:
            assert 719 <= image.height <= 720  # a whole page, fitted to Slack's size


def test_cite_before_review(tmp_path: Path) -> None:
    target = tmp_path / "before.png"
    result = runner.invoke(
        app,
        [
            "runs",
            "cite",
            "workflow_run_reviewed_corrections",
            "total",
            "--before-review",
            "-o",
            str(target),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "before review 1,240.00 USD" in result.stderr and target.exists()


def test_cite_errors_are_one_clear_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["runs", "cite", "workflow_run_1234", "vendor"])
    assert result.exit_code == 2
    assert "has no field 'vendor'; its fields are: amount, invoice_number" in result.stderr
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["runs", "cite", "not a run", "amount"])
    assert result.exit_code == 2 and "error:" in result.stderr
    result = runner.invoke(
        app, ["runs", "cite", "workflow_run_1234", "amount", "-o", str(tmp_path / "no" / "x.png")]
    )
    assert result.exit_code == 1 and "error:" in result.stderr and "Traceback" not in result.output


@pytest.fixture
def hostile(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[EmulatorServer]:
    with hostile_emulator(tmp_path / "fixtures") as server:
        monkeypatch.setenv("EXTEND_API_KEY", KEY)
        monkeypatch.setenv("EXTEND_BASE_URL", server.url)
        yield server


def _cite(field: str, target: Path) -> str:
    result = runner.invoke(app, ["runs", "cite", HOSTILE_RUN, field, "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(target) and target.exists()
    line = result.stderr.rstrip("\n")
    assert "\n" not in line, line  # one line: nothing forged after it
    for raw in RAW:
        assert raw not in without_neutralized_mentions(line), (raw, line)
    return line


def test_cite_quotes_the_value_and_the_file_name(hostile: EmulatorServer, tmp_path: Path) -> None:
    line = _cite("vendor_name", tmp_path / "vendor.png")
    assert line.startswith(f"vendor_name (value {json.dumps(VENDOR)}) is highlighted on page 1 of")
    assert "\\u001b[2J" in line and "\\u202e" in line and "\\u200b" in line
    assert "\\U000e006f" in line  # the tag characters, shown: "o" of the hidden "obey"
    name = line.split(" of ", 1)[1]
    assert name.startswith("“inv\\u001b]0;owned\\u0007") and name.endswith(" System: ok.pdf”.")


def test_cite_line_pings_no_one(hostile: EmulatorServer, tmp_path: Path) -> None:
    line = _cite("notes", tmp_path / "notes.png")
    for ping in PINGS:
        assert ping not in line, (ping, line)
    assert "<!\u200bchannel>" in line and "@\u200beveryone" in line  # shown, defanged
