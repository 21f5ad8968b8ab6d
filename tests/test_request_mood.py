"""Reading whether a message asks for a change, or only asks about, doubts or takes one back."""

from __future__ import annotations

import pytest

from agent.request_mood import Mood, request_mood, without_interjection


@pytest.mark.parametrize(
    ("text", "mood"),
    [
        ("rename workflow_run_1234 to ACME March", "request"),
        ("tag it urgent and q3, thanks", "request"),
        ("Could you add the tag urgent to workflow_run_1234?", "request"),
        ("can you please set vendor=ACME on it?", "request"),
        ('rename it to "Don\'t Pay"', "request"),  # quoted: a value, not a retraction
        ("rename it to “Should I Stay”", "request"),
        ("what would happen if you set status=void on workflow_run_1234?", "question"),
        ("what is the name of workflow_run_injection?", "question"),
        ("rename it to Foo?", "question"),
        ("suppose I tag it urgent", "question"),
        ("is it ok to tag workflow_run_1234 urgent, or should I not?", "doubt"),
        ("maybe tag it urgent", "doubt"),
        ("should I rename it to ACME?", "doubt"),
        ("rename workflow_run_1234 to Foo; no wait, don't do that", "retraction"),
        ("tag it urgent. actually no", "retraction"),
        ("set vendor=ACME on it, never mind", "retraction"),
    ],
)
def test_request_mood(text: str, mood: Mood) -> None:
    assert request_mood(text) == mood


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("whoops, remove the paid tag", "remove the paid tag"),
        ("ok undo the rename", "undo the rename"),
        ("hey, so what's the total?", "what's the total?"),
        ("thanks", "thanks"),  # nothing else: left as it is
        ("okay", "okay"),
        ("rename it to OK Corp", "rename it to OK Corp"),
    ],
)
def test_a_leading_interjection_is_read_past(text: str, rest: str) -> None:
    assert without_interjection(text) == rest
