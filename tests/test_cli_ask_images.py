"""``extend-agent ask "where is the total on the page?"`` writes the crop and prints its path.

No keys: the offline model and the built-in emulator, as a new user gets them. The
offline model reads the run, draws the cited region with ``show_citation``, and the
CLI writes the image the tool returned as its artifact.
"""

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image
from typer.testing import CliRunner, Result

from cli import app

runner = CliRunner()


def ask(*args: str) -> Result:
    return runner.invoke(app, ["ask", *args], catch_exceptions=False)


def image_paths(result: Result) -> list[Path]:
    prefix = "Image: "
    return [
        Path(line[len(prefix) :]) for line in result.stdout.splitlines() if line.startswith(prefix)
    ]


def highlighted(path: Path) -> bool:
    with Image.open(path) as image:
        assert image.format == "PNG" and image.width <= 960 and image.height <= 720
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20) or []
    return any(r > 230 and g > 200 and b < 200 for _, (r, g, b) in colours)


def test_where_on_the_page_writes_the_image_and_prints_its_path(tmp_path: Path) -> None:
    result = ask(
        "where is the total on workflow_run_1234 on the page?", "--images-dir", str(tmp_path)
    )

    assert result.exit_code == 0, result.output
    assert "$15,735.10" in result.stdout and "“TOTAL  $15,735.1”" in result.stdout
    assert "The image shows the amount highlighted on page 1." in result.stdout
    assert image_paths(result) == [tmp_path / "workflow_run_1234-amount-p1.png"]
    assert highlighted(tmp_path / "workflow_run_1234-amount-p1.png")


def test_default_folder_is_in_the_data_dir_and_follow_ups_draw_the_field_asked(
    tmp_path: Path,
) -> None:
    first = ask("what is the invoice number on workflow_run_1234?")
    assert first.exit_code == 0, first.output
    assert image_paths(first) == []  # no "where": nothing drawn

    result = ask("and where does it come from?")
    assert result.exit_code == 0, result.output
    data_dir = Path(os.environ["EXTEND_AGENT_DATA_DIR"])
    [path] = image_paths(result)
    assert path == data_dir / "images" / "workflow_run_1234-invoice_number-p1.png"
    assert highlighted(path)


def test_several_fields_give_one_image_each(tmp_path: Path) -> None:
    result = ask(
        "where are the total and the invoice number on workflow_run_1234?",
        "--images-dir",
        str(tmp_path),
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in image_paths(result)) == [
        "workflow_run_1234-amount-p1.png",
        "workflow_run_1234-invoice_number-p1.png",
    ]
