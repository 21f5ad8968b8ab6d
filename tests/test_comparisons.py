"""Comparing runs: what the person's words ask to compare, and the answer from the runs read."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import ToolMessage

from agent.offline.comparisons import Compared, compare_answer, compared_label
from agent.offline.references import Comparison, comparison
from tools.runs.models import Citation, ExtractedField, FileRef, ProcessorResult, Run


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "compare the totals of the Bluebird fax and the Contoso invoice",
            Comparison("totals", ["Bluebird fax", "Contoso invoice"]),
        ),
        ("compare the Acme and Bluebird totals", Comparison("totals", ["Acme", "Bluebird"])),
        (
            "Is the Acme total bigger than the Contoso one?",
            Comparison("total", ["Acme", "Contoso"], "bigger"),
        ),
        ("compare the Acme and Bluebird invoices", Comparison(None, ["Acme", "Bluebird invoices"])),
        (
            "what are the totals on the Acme and Bluebird invoices?",
            Comparison("totals", ["Acme", "Bluebird invoices"]),
        ),
        (
            "compare workflow_run_reviewed_corrections and workflow_run_needs_review",
            Comparison(None, ["workflow_run_reviewed_corrections", "workflow_run_needs_review"]),
        ),
        (
            "is that the same as the Acme due date?",
            Comparison("due date", ["Acme"], "same", with_focus=True),
        ),
        (
            "compare the Acme and Bluebird invoice numbers",
            Comparison("invoice numbers", ["Acme", "Bluebird"]),
        ),
        (
            "is the Acme invoice due earlier than the Northwind one?",
            Comparison("due", ["Acme invoice", "Northwind"], "earlier"),
        ),
    ],
)
def test_what_a_comparison_names(text: str, expected: Comparison) -> None:
    assert comparison(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "when is the Northwind invoice due?",
        "what is the total on the Acme invoice and where is it on the page?",
        "which runs failed or need review?",
        "show me the invoices from Globex and Acme",
        "is it the same as before?",
        "is the total bigger than $1,000?",
        "compare the Acme invoice",
        "what's the total on the Bluebird fax?",
        "What is the invoice total on workflow_run_1234 and where does it come from?",
    ],
)
def test_one_run_or_none_is_no_comparison(text: str) -> None:
    assert comparison(text) is None


def test_labels_drop_the_document_noun_but_keep_ids() -> None:
    assert compared_label("Bluebird fax") == "Bluebird"
    assert compared_label("Acme invoices") == "Acme"
    assert compared_label("workflow_run_needs_review") == "workflow_run_needs_review"


def usd(amount: float, code: str = "USD") -> dict[str, Any]:
    return {"amount": amount, "iso_4217_currency_code": code}


def extracted(name: str, value: Any, quote: str) -> ExtractedField:
    return ExtractedField(
        name=name, value=value, citations=[Citation(page=1, reference_text=quote)]
    )


def read(label: str, run_id: str, *fields: ExtractedField) -> Compared:
    run = Run(
        id=run_id,
        files=[FileRef(name=f"{label}.pdf")],
        results=[ProcessorResult(kind="extract", fields=list(fields))],
    )
    return Compared(label, ToolMessage(content="", tool_call_id="c"), run)


ACME = read(
    "Acme",
    "workflow_run_a",
    extracted("vendor_name", "Acme Co.", "ACME CO."),
    extracted("total", usd(1420.0), "TOTAL DUE $1,420.00"),
    extracted("due_date", "2024-10-31", "DUE 10/31/2024"),
)
BLUEBIRD = read(
    "Bluebird",
    "workflow_run_b",
    extracted("vendor_name", "Bluebird LLC", "BLUEBIRD LLC"),
    extracted("total", usd(3958.4), "TOTAL $3,958.40"),
)
NORTHWIND = read(
    "Northwind",
    "workflow_run_n",
    extracted("total", usd(1948.63, "EUR"), "Total 1.948,63 EUR"),
    extracted("due_date", "2024-09-30", "Due: 30.09.2024"),
)


def test_a_field_compared_with_pages_sources_and_the_difference() -> None:
    answer = compare_answer(Comparison("totals", ["Acme", "Bluebird"]), [ACME, BLUEBIRD])
    lines = answer.splitlines()
    assert lines[0] == "Comparing totals:"
    assert "workflow_run_a" in lines[1] and "$1,420.00 (page 1, from “TOTAL DUE" in lines[1]
    assert "workflow_run_b" in lines[2] and "$3,958.40 (page 1" in lines[2]
    assert lines[3] == "Acme $1,420.00 vs Bluebird $3,958.40: Bluebird's is larger by $2,538.40."


def test_a_yes_no_question_answers_first() -> None:
    asked = Comparison("total", ["Acme", "Bluebird"], "bigger")
    assert compare_answer(asked, [ACME, BLUEBIRD]).startswith(
        "No: Acme $1,420.00 vs Bluebird $3,958.40: Bluebird's is larger by $2,538.40."
    )
    asked = Comparison("total", ["Bluebird", "Acme"], "bigger")
    assert compare_answer(asked, [BLUEBIRD, ACME]).startswith("Yes: Bluebird $3,958.40")


def test_amounts_in_different_currencies_are_not_compared() -> None:
    answer = compare_answer(Comparison("total", ["Acme", "Northwind"], "bigger"), [ACME, NORTHWIND])
    assert answer.startswith("I can't tell: Acme $1,420.00 vs Northwind €1,948.63")
    assert "different currencies (USD and EUR)" in answer
    assert "larger" not in answer


def test_dates_say_which_is_earlier_and_by_how_many_days() -> None:
    asked = Comparison("due date", ["Acme"], "same", with_focus=True)
    answer = compare_answer(asked, [NORTHWIND, ACME])
    assert answer.startswith(
        "No: Northwind is due Sep 30, 2024; Acme is due Oct 31, 2024. "
        "Northwind's is earlier by 31 days."
    )


def test_the_field_asked_about_before_when_the_follow_up_names_none() -> None:
    asked = Comparison(None, ["Acme"], "same", with_focus=True)
    answer = compare_answer(asked, [NORTHWIND, ACME], earlier=["when is it due?"])
    assert answer.startswith("No: Northwind is due Sep 30, 2024; Acme is due Oct 31, 2024.")


def test_no_field_named_shows_the_main_fields_side_by_side() -> None:
    answer = compare_answer(Comparison(None, ["Acme", "Bluebird"]), [ACME, BLUEBIRD])
    lines = answer.splitlines()
    assert lines[0].startswith("Comparing Acme (workflow_run_a")
    assert lines[1].startswith("- vendor name: “Acme Co.” (page 1, from “ACME CO.”) vs")
    assert lines[2].startswith("- total: $1,420.00") and "Bluebird's is larger" in lines[2]
    assert lines[3].startswith("Only Acme has a due date: Oct 31, 2024 (page 1")


def test_a_run_not_found_is_said_and_nothing_is_concluded() -> None:
    missing = Compared(
        "Zyzzyva", ToolMessage(content='No run matches "Zyzzyva".', tool_call_id="c"), None
    )
    answer = compare_answer(Comparison("total", ["Acme", "Zyzzyva"]), [ACME, missing])
    assert answer.startswith("I could not compare them")
    assert 'No run matches "Zyzzyva".' in answer and "larger" not in answer


def test_a_field_one_run_lacks_is_said_missing() -> None:
    answer = compare_answer(Comparison("due date", ["Acme", "Bluebird"]), [ACME, BLUEBIRD])
    assert "Bluebird (workflow_run_b" in answer and "no due date field" in answer
    assert "earlier" not in answer


def test_the_same_run_twice_is_not_compared() -> None:
    answer = compare_answer(Comparison("total", ["Acme", "ACME"]), [ACME, ACME])
    assert "are the same run" in answer


HARBOR = read(
    "Harbor",
    "workflow_run_h",
    extracted("total", usd(93.6), "TOTAL $93.60"),
)


def test_three_runs_say_the_largest_and_smallest_per_currency() -> None:
    asked = Comparison("totals", ["Acme", "Bluebird", "Northwind"])
    answer = compare_answer(asked, [ACME, BLUEBIRD, NORTHWIND])
    assert answer.splitlines()[-1] == (
        "In USD, Bluebird's is the largest ($3,958.40) and Acme's the smallest ($1,420.00), "
        "$2,538.40 apart; Northwind is the only one in EUR, so not compared."
    )
    same_currency = compare_answer(asked, [ACME, BLUEBIRD, HARBOR])
    assert same_currency.splitlines()[-1] == (
        "Bluebird's is the largest ($3,958.40) and Harbor's the smallest ($93.60), $3,864.80 apart."
    )


def test_three_runs_say_the_earliest_and_latest_date_of_those_that_have_one() -> None:
    asked = Comparison("due date", ["Acme", "Bluebird", "Northwind"])
    lines = compare_answer(asked, [ACME, BLUEBIRD, NORTHWIND]).splitlines()
    assert lines[2].endswith("no due date field")
    assert lines[-1] == (
        "Northwind's is the earliest (Sep 30, 2024) and Acme's the latest (Oct 31, 2024), "
        "31 days apart."
    )


def test_three_runs_side_by_side_compare_what_two_of_them_have() -> None:
    lines = compare_answer(
        Comparison(None, ["Acme", "Bluebird", "Northwind"]), [ACME, BLUEBIRD, NORTHWIND]
    ).splitlines()
    assert lines[0].startswith("Comparing Acme (workflow_run_a") and ", Bluebird (" in lines[0]
    due = next(line for line in lines if line.startswith("- due date:"))
    assert due.startswith("- due date: Acme Oct 31, 2024") and "Northwind's is earlier" in due
    assert lines[-1] == "Bluebird has no due date."
