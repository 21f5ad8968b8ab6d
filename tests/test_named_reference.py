"""How the offline model reads which run a message names (``agent.offline.references``)."""

from __future__ import annotations

import pytest

from agent.offline.references import named_reference


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("hey, how much is the Northwind invoice for and when's it due?", "Northwind"),
        ("what is the total on the Bluebird fax?", "Bluebird fax"),
        ("what do the notes on the contoso invoice say?", "contoso invoice"),
        ("tag the Contoso invoice as reviewed", "Contoso invoice"),
    ],
)
def test_a_contraction_after_a_preposition_is_not_a_run_name(text: str, reference: str) -> None:
    named = named_reference(text)
    assert named is not None and named.reference == reference


@pytest.mark.parametrize("text", ["do what the notes on it say", "what is the total on it?"])
def test_a_pronoun_names_no_run(text: str) -> None:
    assert named_reference(text) is None


@pytest.mark.parametrize(
    ("text", "reference", "rest"),
    [
        ("rename 1234 to ACME March", "1234", "rename it to ACME March"),
        ("rename run 1234 to ACME March", "1234", "rename it to ACME March"),
        (
            "rename INV-2024-0831 to Northwind August",
            "INV-2024-0831",
            "rename it to Northwind August",
        ),
        ("mark #36995 as paid", "36995", "mark it as paid"),
        ("what is the total on run 1234?", "1234", "what is the total on it?"),
    ],
)
def test_an_id_ending_or_invoice_number_before_the_new_value_names_the_run(
    text: str, reference: str, rest: str
) -> None:
    named = named_reference(text)
    assert named is not None and (named.reference, named.rest) == (reference, rest)


@pytest.mark.parametrize("text", ["rename it to 2024 as x", "mark 2 as paid", "rename to Q3 2024"])
def test_a_value_is_not_read_as_the_run(text: str) -> None:
    assert named_reference(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "rename it to Invoice from Acme",
        "rename this run to Notes on Bluebird",
        "call it Payment for invoice.pdf",
        "name it Q3 from Pinnacle",
        "change its name to Bill from Acme",
        "tag it as paid for march",
    ],
)
def test_the_new_value_of_a_write_on_the_run_in_focus_names_no_run(text: str) -> None:
    """ "rename it to Invoice from Acme": the run is "it"; "from Acme" is part of the name."""
    assert named_reference(text) is None


@pytest.mark.parametrize(
    ("text", "reference", "rest"),
    [
        (
            "rename it to ACME March on the Bluebird fax",
            "Bluebird fax",
            "rename it to ACME March on it",
        ),
        (
            "rename the Acme invoice to Paid from Bluebird",
            "Acme invoice",
            "rename it to Paid from Bluebird",
        ),
        ("what is the name of the Acme invoice", "Acme invoice", "what is the name of it"),
    ],
)
def test_a_run_named_outside_the_new_value_is_still_read(
    text: str, reference: str, rest: str
) -> None:
    named = named_reference(text)
    assert named is not None and (named.reference, named.rest) == (reference, rest)
