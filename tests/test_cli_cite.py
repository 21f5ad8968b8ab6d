"""``extend-agent runs cite RUN FIELD -o crop.png`` with no keys: the built-in emulator."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from typer.testing import CliRunner

from cli import app

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
