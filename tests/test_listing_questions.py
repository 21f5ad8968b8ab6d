"""Questions about many runs: which become ``find_runs`` filters, which read the recent runs.

A status, tag, date window or vendor is a search filter (``cross_run_filters``);
an amount, a due date, a metadata value or a sum is not, so those read the recent
runs (``survey_of``) and say what was read. Dates are read against a fixed today.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from langchain_core.messages import ToolMessage

from agent.offline.conversation import Turn
from agent.offline.recent_runs import RecentRuns
from agent.offline.references import cross_run_filters
from agent.offline.run_survey import Survey, survey_answer, survey_of, survey_step
from agent.offline.when_words import date_window
from tools.runs.models import Run

TODAY = date(2026, 12, 7)  # a Monday


@pytest.mark.parametrize(
    ("message", "filters"),
    [
        ("show me all the processed invoices", [{"status": "PROCESSED"}]),
        ("which runs are processed?", [{"status": "PROCESSED"}]),
        ("which invoices are done?", [{"status": "PROCESSED"}]),
        ("show me the rejected invoices", [{"status": "REJECTED"}]),
        ("which runs failed or need review?", [{"status": "FAILED"}, {"status": "NEEDS_REVIEW"}]),
        ("anything tagged urgent?", [{"tag": "urgent"}]),
        ("show me everything tagged accounts-payable", [{"tag": "accounts-payable"}]),
        ("which invoices are tagged q3?", [{"tag": "q3"}]),
        ("list runs created after 2024-09-20", [{"created_after": "2024-09-21"}]),
        ("runs created before 2024-09-20", [{"created_before": "2024-09-20"}]),
        (
            "which runs came in last week?",
            [{"created_after": "2026-11-30", "created_before": "2026-12-07"}],
        ),
        ("what came in today?", [{"created_after": "2026-12-07", "created_before": "2026-12-08"}]),
        (
            "show me runs from last week",
            [{"created_after": "2026-11-30", "created_before": "2026-12-07"}],
        ),
        (
            "which runs failed in September 2024?",
            [{"status": "FAILED", "created_after": "2024-09-01", "created_before": "2024-10-01"}],
        ),
        ("which runs were updated since Sep 20, 2024?", [{"updated_after": "2024-09-20"}]),
        ("show me the invoices from Globex", [{"text": "Globex"}]),
        *(
            (message, [{"status": "NEEDS_REVIEW"}, {"status": "FAILED"}])
            for message in (
                "anything need my attention today?",
                "what should I look at?",
                "what's waiting on me?",
                "what's in my queue?",
            )
        ),
        ("what time was the Acme invoice processed?", None),
        ("which invoices are due in October?", None),  # a due date is no search filter
        ("what's the total on the Bluebird fax?", None),
        ("summarize workflow_run_1234", None),
    ],
)
def test_cross_run_filters(message: str, filters: list[dict[str, str]] | None) -> None:
    assert cross_run_filters(message, TODAY) == filters


@pytest.mark.parametrize(
    ("words", "after", "before"),
    [
        ("after 2024-09-20", date(2024, 9, 21), None),
        ("since 20th of September 2024", date(2024, 9, 20), None),
        ("on Sep 18 2024", date(2024, 9, 18), date(2024, 9, 19)),
        ("between Sep 1 and Sep 15 2024", date(2024, 9, 1), date(2024, 9, 16)),
        ("yesterday", date(2026, 12, 6), date(2026, 12, 7)),
        ("last month", date(2026, 11, 1), date(2026, 12, 1)),
        ("next week", date(2026, 12, 14), date(2026, 12, 21)),
        ("in the last 7 days", date(2026, 12, 1), date(2026, 12, 8)),
        ("in October", date(2026, 10, 1), date(2026, 11, 1)),  # the latest October so far
        ("in December", date(2026, 12, 1), date(2027, 1, 1)),
        ("after Dec 20", date(2025, 12, 21), None),  # no year: the latest Dec 20 so far
    ],
)
def test_date_words_become_a_window_of_days(
    words: str, after: date | None, before: date | None
) -> None:
    window = date_window(f"runs {words}", TODAY)
    assert window is not None
    assert (window.after, window.before) == (after, before)


def test_a_month_without_a_year_matches_due_dates_in_any_year() -> None:
    window = date_window("due in October", TODAY)
    assert window is not None and window.month == 10
    assert window.holds(date(2024, 10, 31)) and not window.holds(date(2026, 9, 30))
    assert date_window("runs in marketing", TODAY) is None


@pytest.mark.parametrize(
    ("message", "kind", "filters"),
    [
        ("list all invoices over 1000 dollars", "amount", {}),
        ("invoices from Acme over $500", "amount", {"text": "Acme"}),
        ("which invoices are due in October?", "due", {}),
        ("which processed invoices are overdue?", "due", {"status": "PROCESSED"}),
        ("show me runs from the fax gateway", "source", {}),
        ("how much do we owe in total across all invoices?", "sum", {}),
        ("what's the total of all processed invoices?", "sum", {"status": "PROCESSED"}),
    ],
)
def test_questions_a_search_cannot_filter_read_the_recent_runs(
    message: str, kind: str, filters: dict[str, str]
) -> None:
    survey = survey_of(message, TODAY)
    assert survey is not None
    assert (survey.kind, survey.filters) == (kind, filters)


@pytest.mark.parametrize(
    "message",
    [
        "which runs have more than 3 pages?",
        "is the total over 1000?",
        "when is the Northwind invoice due?",
        "what is the due date on the Northwind invoice?",
        "do all the totals add up?",
        "what's the total on the Bluebird fax?",
        "show me the invoices from Globex",
        "what's the total on workflow_run_1234?",
    ],
)
def test_questions_about_one_run_or_a_search_are_not_surveys(message: str) -> None:
    assert survey_of(message, TODAY) is None


def _run(run_id: str, status: str = "PROCESSED", **values: Any) -> Run:
    fields: list[dict[str, Any]] = []
    if "amount" in values:
        total = {"amount": values["amount"], "iso_4217_currency_code": values.get("code", "USD")}
        fields.append({"name": "total", "value": total})
    if "due" in values:
        fields.append({"name": "due_date", "value": values["due"]})
    return Run.model_validate(
        {
            "id": run_id,
            "status": status,
            "metadata": values.get("metadata", {}),
            "results": [{"kind": "extract", "fields": fields}],
        }
    )


RUNS = [
    _run("workflow_run_a", amount=1500.0, due="2024-10-31"),
    _run("workflow_run_b", "REJECTED", amount=250.0, due="2026-12-20"),
    _run("workflow_run_c", amount=2000.0, code="EUR", metadata={"source": "fax-gateway"}),
    _run("workflow_run_d", "FAILED", metadata={"source": "ap-inbox"}),
]


def test_a_sum_is_per_currency_and_names_what_it_could_not_add() -> None:
    survey = Survey("sum", {}, owe=True)
    answer = survey_answer(survey, RecentRuns(RUNS, unread=1, listed=30), TODAY)
    assert "- $1,750.00 over 2 runs: workflow_run_a and workflow_run_b" in answer
    assert "- €2,000.00 over 1 run: workflow_run_c" in answer
    assert "I don't convert currencies" in answer
    assert "Counted although not PROCESSED: workflow_run_b (REJECTED)." in answer
    assert answer.endswith(
        "I read 4 of the most recent runs (of 30 listed); 1 had no total (workflow_run_d); "
        "1 could not be read."
    )
    assert "3,750" not in answer  # dollars and euros are never added


def test_amounts_are_compared_in_the_currency_asked_only() -> None:
    survey = Survey("amount", {}, amount=Decimal(1000), currency="USD")
    answer = survey_answer(survey, RecentRuns(RUNS, 0, 4), TODAY)
    assert "1 has a total over $1,000.00:\n- $1,500.00 · workflow_run_a" in answer
    assert "Not compared (other currencies): 1 in EUR." in answer
    below = survey_answer(
        Survey("amount", {}, amount=Decimal(1000), above=False), RecentRuns(RUNS, 0, 4), TODAY
    )
    assert "- $250.00 · workflow_run_b" in below and "workflow_run_c" not in below.split("\n- ")[1]


def test_due_dates_and_overdue_are_read_not_searched() -> None:
    october = survey_of("which invoices are due in October?", TODAY)
    assert october is not None
    answer = survey_answer(october, RecentRuns(RUNS, 0, 4), TODAY)
    assert "1 is due in October (any year):\n- Oct 31, 2024 · workflow_run_a" in answer
    assert "2 had no due date (workflow_run_c and workflow_run_d)" in answer
    overdue = survey_of("which invoices are overdue?", TODAY)
    assert overdue is not None
    late = survey_answer(overdue, RecentRuns(RUNS, 0, 4), TODAY)
    assert "workflow_run_a" in late and "workflow_run_b" not in late
    none = survey_answer(
        Survey("due", {}, window=date_window("in March", TODAY)), RecentRuns(RUNS, 0, 4), TODAY
    )
    assert "None is due in March (any year)." in none
    assert (
        "Due dates read: Oct 31, 2024 (workflow_run_a) and Dec 20, 2026 (workflow_run_b)." in none
    )


@pytest.mark.parametrize(
    "message", ["what's due next?", "anything due soon?", "which invoices are coming due?"]
)
def test_what_is_due_next_is_the_soonest_due_date_from_today(message: str) -> None:
    survey = survey_of(message, TODAY)
    assert survey is not None and survey.upcoming and survey.filters == {}
    answer = survey_answer(survey, RecentRuns(RUNS, 0, 4), TODAY)
    assert "Next due: Dec 20, 2026, workflow_run_b" in answer
    assert "1 is due on or after today (Dec 7, 2026):" in answer
    assert "workflow_run_a" not in answer.split("had no due date")[0]  # Oct 2024 is past


@pytest.mark.parametrize(
    ("message", "vendor", "owe"),
    [
        ("total spend with northwind?", "northwind", False),
        ("how much have we spent with Acme so far?", "Acme", False),
        ("what do we owe Globex?", "Globex", True),
        ("how much did we pay Initech in total?", "Initech", False),
        ("how much do we owe bluebird", "bluebird", True),
    ],
)
def test_spend_with_a_vendor_is_a_sum_over_its_runs(message: str, vendor: str, owe: bool) -> None:
    assert survey_of(message, TODAY) == Survey("sum", {"text": vendor}, owe=owe)


@pytest.mark.parametrize(
    "message",
    ["did we pay the Northwind invoice?", "how much do we owe them?", "how much do we owe on it?"],
)
def test_payment_words_about_one_run_or_nobody_are_no_vendor_sum(message: str) -> None:
    assert survey_of(message, TODAY) is None


def test_what_we_owe_leaves_out_runs_tagged_paid() -> None:
    paid = Run.model_validate({**RUNS[0].model_dump(), "metadata": {"tags": ["paid"]}})
    answer = survey_answer(Survey("sum", {}, owe=True), RecentRuns([paid, *RUNS[1:]], 0, 4), TODAY)
    assert "- $250.00 over 1 run: workflow_run_b" in answer
    assert "Left out as tagged paid: workflow_run_a." in answer


def test_a_source_is_found_in_metadata_values() -> None:
    survey = survey_of("show me runs from the fax gateway", TODAY)
    assert survey is not None
    answer = survey_answer(survey, RecentRuns(RUNS, 0, 4), TODAY)
    assert "1 has it in its metadata:" in answer
    assert "- workflow_run_c · PROCESSED · “source”: “fax-gateway”" in answer
    assert "workflow_run_d" not in answer


def test_a_survey_lists_with_filters_then_reads_each_run_then_answers() -> None:
    question = "what's the total of all processed invoices?"
    first = survey_step(Turn(question=question, history=[]), None, TODAY)
    assert first is not None
    assert [(c["name"], c["args"]) for c in first.tool_calls] == [
        ("find_runs", {"status": "PROCESSED"})
    ]
    listed = ToolMessage(
        content="2 runs match",
        tool_call_id="c1",
        name="find_runs",
        artifact={"runs": [{"id": "workflow_run_a"}, {"id": "workflow_run_c"}]},
    )
    calls = {"c1": {"name": "find_runs", "args": {"status": "PROCESSED"}, "id": "c1"}}
    second = survey_step(Turn(question, [], calls, [listed]), None, TODAY)
    assert second is not None
    assert [c["args"] for c in second.tool_calls] == [
        {"run_id": "workflow_run_a"},
        {"run_id": "workflow_run_c"},
    ]
    reads = [
        ToolMessage(
            content="(run)",
            tool_call_id=f"r{i}",
            name="get_run",
            artifact=run.model_dump(mode="json"),
        )
        for i, run in enumerate(RUNS[:1])
    ]
    calls |= {"r0": {"name": "get_run", "args": {"run_id": "workflow_run_a"}, "id": "r0"}}
    third = survey_step(Turn(question, [], calls, [listed, *reads]), None, TODAY)
    assert third is not None and not third.tool_calls
    assert "- $1,500.00 over 1 run: workflow_run_a" in str(third.content)
    assert "I read 1 of the most recent runs matching status PROCESSED (of 2 listed)." in str(
        third.content
    )
    assert survey_step(Turn(question, [], {}, []), ["find_runs"], TODAY) is None  # no get_run
