"""``--yes`` and the newer request forms: several keys, removals, null keys, undo.

``requested_change_for`` must read these forms exactly as the offline model does,
and ``differences`` must accept a proposal only when it is that change: the
right tags removed (not others), a removed key as null (not a value), and an
undo equal to the inverse of the recorded last change.
"""

from __future__ import annotations

from typing import Any

import pytest

from agent.session import PendingWrite
from cli.yes_scope import ExpectedChange, NoChangeAsked, differences, requested_change_for

SEED = "workflow_run_1234"
LAST_RENAME = {
    "run_id": SEED,
    "name_before": "Old name",
    "name_after": "New name",
    "metadata_before": {"vendor": "ACME"},
    "metadata_after": {"vendor": "Initech", "po_number": "4411"},
    "tags_added": ["urgent"],
    "tags_removed": [],
}


def proposal(**args: Any) -> PendingWrite:
    return PendingWrite(
        run_id=args.get("run_id", SEED),
        name=args.get("name"),
        metadata=args.get("metadata"),
        add_tags=args.get("add_tags"),
        description="(test)",
        remove_tags=args.get("remove_tags"),
    )


def expected(question: str, last: dict[str, Any] | None = None) -> ExpectedChange:
    found = requested_change_for(question, SEED, last)
    assert isinstance(found, ExpectedChange), found
    return found


@pytest.mark.parametrize(
    ("question", "matching", "not_matching"),
    [
        (
            f"set po_number to 4411 and cost_center to CC-9 on {SEED}",
            {"metadata": {"po_number": "4411", "cost_center": "CC-9"}},
            {"metadata": {"po_number": "4411 and cost_center to CC-9"}},
        ),
        (
            "remove the urgent tag",
            {"remove_tags": ["urgent"]},
            {"remove_tags": ["urgent", "q3"]},
        ),
        (
            f"remove the po_number key from {SEED}",
            {"metadata": {"po_number": None}},
            {"metadata": {"po_number": ""}},
        ),
        (f"mark {SEED} as paid", {"add_tags": ["paid"]}, {"metadata": {"paid": "true"}}),
        (
            f"set amount_due:=15735.1 on {SEED}",
            {"metadata": {"amount_due": "15735.1"}},
            {"metadata": {"amount_due:": "15735.1"}},
        ),
    ],
)
def test_yes_accepts_exactly_the_new_forms(
    question: str, matching: dict[str, Any], not_matching: dict[str, Any]
) -> None:
    asked = expected(question)
    assert differences(asked, proposal(**matching)) == []
    assert differences(asked, proposal(**not_matching)) != []


def test_undo_is_the_inverse_of_the_recorded_last_change() -> None:
    asked = expected("undo that", LAST_RENAME)
    inverse = proposal(
        name="Old name",
        metadata={"vendor": "ACME", "po_number": None},
        remove_tags=["urgent"],
    )
    assert differences(asked, inverse) == []
    assert differences(asked, proposal(name="Old name")) != []  # not all of it
    only_name = expected("rename it back", LAST_RENAME)
    assert differences(only_name, proposal(name="Old name")) == []
    assert differences(only_name, proposal(name="back to what it was")) != []


@pytest.mark.parametrize(
    ("question", "last"),
    [
        ("undo that", None),  # nothing to undo
        ("rename it back to what it was", None),
        (f"set po_number to 4411 and cost_center on {SEED}", None),  # no value for cost_center
        ("remove urgent", None),  # the tag or the key?
        ("undo that on workflow_run_other", LAST_RENAME),  # the last change was elsewhere
    ],
)
def test_yes_applies_nothing_for_unclear_or_empty_requests(
    question: str, last: dict[str, Any] | None
) -> None:
    assert isinstance(requested_change_for(question, SEED, last), NoChangeAsked)
