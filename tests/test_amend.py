"""Corrections of the change just made (``agent.offline.amend``)."""

from __future__ import annotations

from typing import Any

import pytest

from agent.offline.amend import amended_args, amendment

RUN = "workflow_run_1234"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("actually make that CC-13", "CC-13"),
        ("make it CC-13 instead", "CC-13"),
        ("change that to “ACME April”", "ACME April"),
        ("no, ACME April instead", "ACME April"),
        ("sorry, set it to 4412 please", "4412"),
    ],
)
def test_a_correction_gives_the_new_value(text: str, value: str) -> None:
    assert amendment(text) == value


@pytest.mark.parametrize(
    "text", ["what's the total?", "rename it to X", "CC-13", "no", "tag it urgent instead of q3"]
)
def test_other_messages_are_no_correction(text: str) -> None:
    assert amendment(text) is None


def change(**parts: Any) -> dict[str, Any]:
    return {"run_id": RUN, "name_before": None, "name_after": None, **parts}


def test_a_rename_or_one_key_takes_the_new_value() -> None:
    assert amended_args("B", change(name_before="A", name_after="X")) == {
        "run_id": RUN,
        "name": "B",
    }
    one_key = change(metadata_before={}, metadata_after={"cost_center": "CC-12"})
    assert amended_args("CC-13", one_key) == {"run_id": RUN, "metadata": {"cost_center": "CC-13"}}


@pytest.mark.parametrize(
    "last",
    [
        None,
        change(metadata_after={"tags": ["q3"]}, tags_added=["q3"]),  # tags: not one value
        change(metadata_after={"a": "1", "b": "2"}),  # two keys: which one?
        change(name_before="A", name_after="X", metadata_after={"a": "1"}),
    ],
)
def test_no_correction_of_a_change_with_several_parts_or_none(last: dict[str, Any] | None) -> None:
    assert amended_args("CC-13", last) is None
