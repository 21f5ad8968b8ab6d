"""Which place in an offered list a reply picks (``agent.offline.candidate_pick``)."""

from __future__ import annotations

import pytest

from agent.offline.candidate_pick import picked_candidate


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("the second one", 2),
        ("Second", 2),
        ("the 2nd", 2),
        ("2", 2),
        ("number 3", 3),
        ("#1", 1),
        ("option 2 please", 2),
        ("I meant the first one", 1),
        ("it's the third invoice.", 3),
        ("the last one", -1),
        ("yes", 0),  # "Did you mean this one?": the one run offered
        ("yes, that one", 0),
        ("yep!", 0),
        ("that's the one", 0),
    ],
)
def test_a_place_in_the_list(text: str, place: int) -> None:
    assert picked_candidate(text) == place


@pytest.mark.parametrize(
    "text",
    [
        "what's the second line item?",
        "the second one is wrong",
        "rename it to 2",
        "summarize the last run",
        "12",
        "yes, and tag it urgent",
        "",
    ],
)
def test_not_a_pick(text: str) -> None:
    assert picked_candidate(text) is None
