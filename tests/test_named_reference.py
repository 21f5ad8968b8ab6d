"""How the offline model reads which run a message names (``agent.offline.references``)."""

from __future__ import annotations

import pytest

from agent.offline.references import named_reference


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("hey, how much is the Northwind invoice for and when's it due?", "Northwind"),
        ("what is the total on the Bluebird fax?", "Bluebird fax"),
        ("tag the Contoso invoice as reviewed", "Contoso invoice"),
    ],
)
def test_a_contraction_after_a_preposition_is_not_a_run_name(text: str, reference: str) -> None:
    named = named_reference(text)
    assert named is not None and named.reference == reference


@pytest.mark.parametrize("text", ["do what the notes on it say", "what is the total on it?"])
def test_a_pronoun_names_no_run(text: str) -> None:
    assert named_reference(text) is None
