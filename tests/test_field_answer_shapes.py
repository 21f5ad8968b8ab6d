"""Field answers on runs built by hand: positions only from real boxes, counts, tax rates.

The emulator's sample runs cover the everyday cases (``tests/test_conversations.py``);
these pin the edges: a zero-area or missing polygon is no position and no box to
draw, a legacy box in fractions of the page is a region, a count lists rows with
the run's currency, and a rate comes from a field, else a quote, else is said missing.
"""

from __future__ import annotations

from typing import Any

import pytest

from agent.offline.citation_step import _has_box
from agent.offline.field_answers import answer_for, field_answer
from agent.offline.field_evidence import location_text
from agent.offline.field_shapes import MAX_LISTED_ROWS, count_sentence, row_amount, run_currency
from agent.offline.fields import FieldMatch
from agent.offline.intents import Understanding
from tools.images.locate import citation_has_box
from tools.runs.models import Citation, ExtractedField, Point, ProcessorResult, Run

LOW = 0.8
BOX = [(430, 723), (467, 723), (467, 732), (430, 732)]
FRACTIONS = [(0.7, 0.81), (0.92, 0.81), (0.92, 0.84), (0.7, 0.84)]
FLAT = [(1, 1), (1, 1), (1, 1), (1, 1)]  # every corner the same point: no area
LINE = [(10, 10), (50, 10), (50, 10), (10, 10)]  # zero height


def cite(page: int | None, polygon: list[tuple[float, float]], text: str | None = None) -> Citation:
    points = [Point(x=x, y=y) for x, y in polygon]
    return Citation(page=page, polygon=points, reference_text=text)


def make_run(*fields: ExtractedField) -> Run:
    return Run(id="run_x", results=[ProcessorResult(kind="extract", fields=list(fields))])


def field(name: str, value: Any, *citations: Citation) -> ExtractedField:
    return ExtractedField(name=name, value=value, citations=list(citations))


TOTAL_USD = {"amount": 8425.5, "iso_4217_currency_code": "USD"}


@pytest.mark.parametrize("polygon", [[], FLAT, LINE, [(10, 10), (50, 10)]])
def test_no_box_or_a_zero_area_box_is_no_position(polygon: list[tuple[float, float]]) -> None:
    citation = cite(2, polygon)
    assert not citation_has_box(citation)
    assert location_text([citation]) == ""
    run = make_run(field("total", TOTAL_USD, citation))
    assert not _has_box(run, "total")  # nothing to draw, so show_citation is not called
    answer = field_answer(
        Understanding("which page is the total on?", "field", (), frozenset({"value", "where"})),
        run,
        (),
        LOW,
    )
    assert "It is on page 2 (this run gives no position on the page)." in answer
    assert " x " not in answer and "pt from" not in answer


def test_a_box_without_a_page_is_no_position() -> None:
    assert not citation_has_box(cite(None, BOX))


def test_a_box_in_points_is_stated_in_points() -> None:
    assert location_text([cite(1, BOX)]) == "at x 430–467, y 723–732 pt from the top-left of page 1"
    assert citation_has_box(cite(1, BOX))


def test_a_legacy_box_in_fractions_is_a_region_of_the_page() -> None:
    text = location_text([cite(2, FRACTIONS)])
    assert text == "near the bottom right of page 2 (70–92% across, 81–84% down the page)"
    assert _has_box(make_run(field("total", TOTAL_USD, cite(2, FRACTIONS))), "total")


def test_the_first_real_box_is_used_past_a_degenerate_one() -> None:
    assert location_text([cite(1, FLAT), cite(3, BOX)]).endswith("of page 3")


ROWS = [
    {"description": "Deep groove ball bearing", "quantity": 40, "amount": 500.0},
    {"description": "Hydraulic hose", "quantity": 25, "amount": 460.0},
]


def test_count_lists_rows_with_the_runs_currency() -> None:
    items = field("line_items", ROWS, cite(1, BOX), cite(2, BOX))
    run = make_run(field("total", {"amount": 960.0, "iso_4217_currency_code": "EUR"}), items)
    assert run_currency(run) == "EUR"
    assert count_sentence(run, items, "line items") == (
        "run_x has 2 line items (pages 1 and 2): #1 “Deep groove ball bearing”, €500.00; "
        "#2 “Hydraulic hose”, €460.00."
    )


def test_count_without_a_currency_writes_plain_amounts() -> None:
    items = field("line_items", ROWS[:1])
    text = count_sentence(make_run(items), items, "line items")
    assert text == "run_x has 1 line item: #1 “Deep groove ball bearing”, 500.00."


def test_count_of_a_long_list_is_cut() -> None:
    rows = [{"description": f"part {i}", "amount": i} for i in range(MAX_LISTED_ROWS + 3)]
    items = field("line_items", rows)
    text = count_sentence(make_run(items), items, "line items")
    assert text.startswith(f"run_x has {MAX_LISTED_ROWS + 3} line items: ")
    assert text.endswith("; and 3 more.")


def test_two_currencies_give_no_run_currency() -> None:
    run = make_run(
        field("total", {"amount": 1, "iso_4217_currency_code": "EUR"}),
        field("fee", {"amount": 1, "iso_4217_currency_code": "USD"}),
    )
    assert run_currency(run) is None
    assert row_amount({"amount": 5, "iso_4217_currency_code": "GBP"}, None) == "£5.00"


def test_how_many_asks_count_only_for_lists() -> None:
    run = make_run(field("container_count", 3, cite(1, BOX, "Containers: 3")))
    match = FieldMatch("containers", "container_count", loose=True)
    text = answer_for(run, match, "how many containers?", {"value"}, LOW)
    assert text.startswith("The container count on run_x is 3")


def _rate(run: Run, question: str) -> str:
    return answer_for(run, FieldMatch("vat", "tax"), question, {"value"}, LOW)


VAT = {"amount": 311.13, "iso_4217_currency_code": "EUR"}


def test_rate_from_a_field_that_holds_it() -> None:
    run = make_run(field("tax", VAT, cite(3, BOX, "VAT 19 % 311,13 €")), field("vat_rate", 0.19))
    assert _rate(run, "what's the VAT rate?").startswith("The VAT rate on run_x is 0.19")


def test_rate_read_from_the_reference_text_says_so() -> None:
    run = make_run(field("tax", VAT, cite(3, BOX, "MwSt. 19 % / VAT 19 % 311,13 €")))
    assert _rate(run, "what's the VAT rate?") == (
        "The VAT rate on run_x is 19 %, as read from the VAT's reference text "
        "“MwSt. 19 % / VAT 19 % 311,13 €” on page 3; no field holds the rate. "
        "The VAT itself is €311.13."
    )


def test_no_rate_anywhere_gives_the_amount_and_says_so() -> None:
    run = make_run(field("tax", VAT, cite(3, BOX, "VAT 311,13 €")))
    text = _rate(run, "what's the VAT rate?")
    assert text.startswith(
        "No rate was extracted for the VAT on run_x. The VAT on run_x is €311.13"
    )


def test_a_question_without_rate_gets_the_amount() -> None:
    run = make_run(field("tax", VAT, cite(3, BOX, "MwSt. 19 % / VAT 19 % 311,13 €")))
    assert _rate(run, "what's the VAT?").startswith("The VAT on run_x is €311.13")


def test_a_line_item_price_column_is_in_the_runs_currency_a_quantity_is_not() -> None:
    from agent.offline.own_names import line_item_answer

    items = field(
        "line_items", [{"description": "Ball bearing", "quantity": 40, "unit_price": 12.5}]
    )
    run = make_run(field("total", {"amount": 500.0, "iso_4217_currency_code": "EUR"}), items)
    price = line_item_answer(run, "unit price", "the unit price of the ball bearings")
    assert price is not None and price.endswith("“Ball bearing”, is €12.50.")
    count = line_item_answer(run, "quantity", "the quantity of the ball bearings")
    assert count is not None and count.endswith("is 40.")
