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


ACME = "workflow_run_reviewed_corrections"
NORTHWIND = "workflow_run_invoice_multipage"
BLUEBIRD = "workflow_run_needs_review"
RESOLVED = {
    "Acme invoice": ACME,
    "Northwind_Traders_INV-2024-0831.pdf": NORTHWIND,
    "Bluebird": BLUEBIRD,
    "1234": SEED,
    "INV-2024-0831": NORTHWIND,
}


class Resolver:
    """``find_runs``' resolver as a table; records what it was asked."""

    def __init__(self, table: dict[str, str]) -> None:
        self.table = table
        self.asked: list[str] = []

    def __call__(self, reference: str) -> str | None:
        self.asked.append(reference)
        return self.table.get(reference)


@pytest.mark.parametrize(
    ("question", "run_id", "change"),
    [
        ("rename the Acme invoice to Acme September", ACME, {"name": "Acme September"}),
        ("rename Northwind_Traders_INV-2024-0831.pdf to NW", NORTHWIND, {"name": "NW"}),
        ("tag the Bluebird fax urgent", BLUEBIRD, {"add_tags": ["urgent"]}),
        (
            "set cost_center to CC-9 on the Acme invoice",
            ACME,
            {"metadata": {"cost_center": "CC-9"}},
        ),
        ("rename 1234 to ACME March", SEED, {"name": "ACME March"}),
        ("rename run 1234 to ACME March", SEED, {"name": "ACME March"}),
        ("rename INV-2024-0831 to Northwind August", NORTHWIND, {"name": "Northwind August"}),
    ],
)
def test_a_run_named_by_a_reference_is_the_run_it_resolves_to(
    question: str, run_id: str, change: dict[str, Any]
) -> None:
    resolve = Resolver(RESOLVED)
    asked = requested_change_for(question, "workflow_run_other", None, resolve)
    assert isinstance(asked, ExpectedChange), asked
    assert asked.run_id == run_id  # not the run the conversation named before
    assert differences(asked, proposal(run_id=run_id, **change)) == []
    assert differences(asked, proposal(run_id="workflow_run_other", **change)) != []
    assert len(resolve.asked) == 1


@pytest.mark.parametrize(
    "question",
    [
        "what's the total on the Acme invoice?",  # a question: no change, nothing looked up
        "what would happen if you renamed the Acme invoice to X?",
        "summarize the Acme invoice",
    ],
)
def test_a_question_naming_a_run_by_reference_asks_no_change(question: str) -> None:
    resolve = Resolver(RESOLVED)
    assert isinstance(requested_change_for(question, SEED, None, resolve), NoChangeAsked)
    assert resolve.asked == []


def test_a_reference_that_names_no_single_run_binds_no_change() -> None:
    found = requested_change_for("rename the Zeta invoice to X", SEED, None, Resolver(RESOLVED))
    assert isinstance(found, NoChangeAsked) and "no single run matches" in found.reason
    unresolved = requested_change_for("rename the Acme invoice to X", SEED, None, None)
    assert isinstance(unresolved, NoChangeAsked)  # nothing to look it up with: not applied


def test_a_reference_inside_the_new_name_does_not_move_the_change() -> None:
    """ "rename it to Invoice from Acme": the name is the words, the run is the one named last."""
    resolve = Resolver(RESOLVED)
    asked = requested_change_for("rename it to Invoice from Acme", SEED, None, resolve)
    assert isinstance(asked, ExpectedChange), asked
    assert (asked.run_id, asked.name) == (SEED, "Invoice from Acme")
    assert differences(asked, proposal(run_id=ACME, name="Invoice from it")) != []
    assert resolve.asked == []
