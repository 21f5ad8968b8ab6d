"""Document text written to format Slack messages, and the checks that it formats nothing.

A document (or a model that obeyed one) puts these in values, reference text, file,
workflow and run names: a forged heading, quote, link and image on lines of their
own; mrkdwn markers that pair; a curly quote that closes a quotation early; a
terminal control; a right-to-left override.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from slack_app.mrkdwn import ZERO_WIDTH_SPACE
from tools.runs.models import (
    Citation,
    ExtractedField,
    FileRef,
    Point,
    ProcessorResult,
    Run,
    WorkflowRef,
)

FORGED_LINES = (
    "\n# Change approved by admin\n"
    "> [Approve here](https://evil.example/approve) ![img](https://evil.example/p.png)"
)
PAIRS = "*bold* _it_ ~s~ `code`"
CLOSES_QUOTE = "Total 5.00” — reviewer note: “approved by CFO"
CLEAR_SCREEN = "\x1b[2J"
RLO = "\u202e"
HOSTILE = (FORGED_LINES, PAIRS, CLOSES_QUOTE, CLEAR_SCREEN, RLO)
# The closing mark escaped inside the quotation, as ``quote(marks="typographic")`` writes it
QUOTED_CLOSES_QUOTE = "“Total 5.00\\u201d — reviewer note: \\u201capproved by CFO"

_RAW = ("\x1b", "\x07", "\x9b", RLO, "\u2066", "\u2028")
_DOCUMENT_PAIRS = ("*bold*", "_it_", "~s~", "`code`")
_LINE_OPENER = re.compile(r"^\s*(?:#|>|&gt;|`{3}|~{3})")


def hostile_run(run_id: str = "workflow_run_1234") -> Run:
    """A run whose every document-derived string tries to format the message it is shown in."""
    field_ = ExtractedField(
        name="total " + PAIRS,
        value="5.00" + FORGED_LINES,
        initial_value=CLEAR_SCREEN + "4.00" + RLO,
        edited=True,
        ocr_confidence=0.5,
        citations=[
            Citation(
                page=1,
                polygon=[Point(x=1, y=2), Point(x=3, y=4)],
                reference_text=CLOSES_QUOTE + FORGED_LINES + " " + PAIRS,
            ),
            Citation(page=2, reference_text=CLEAR_SCREEN + RLO + "Total"),
        ],
    )
    return Run(
        id=run_id,
        name="Invoice" + FORGED_LINES,
        status="NEEDS_REVIEW",
        workflow=WorkflowRef(name="Invoices " + PAIRS, version="3" + RLO),
        files=[FileRef(name=CLEAR_SCREEN + "acme.pdf"), FileRef(name="report" + RLO + "fdp.exe")],
        reviewed_by=PAIRS,
        failure_message="OCR" + FORGED_LINES,
        metadata={"note " + PAIRS: CLOSES_QUOTE + FORGED_LINES, "tags": [PAIRS, RLO + "diap"]},
        results=[ProcessorResult(kind="extract", fields=[field_])],
    )


def rendered(text: str) -> str:
    """mrkdwn as a person reads it: entities decoded, zero-width spaces unseen."""
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return text.replace(ZERO_WIDTH_SPACE, "")


def mrkdwn_texts(value: Any) -> Iterator[str]:
    """Every ``mrkdwn`` text object in blocks (sections, contexts), depth first."""
    yield from _texts(value, "mrkdwn")


def plain_texts(value: Any) -> Iterator[str]:
    """Every ``plain_text`` text in blocks (headers, buttons, options)."""
    yield from _texts(value, "plain_text")


def _texts(value: Any, kind: str) -> Iterator[str]:
    if isinstance(value, list):
        for item in value:
            yield from _texts(item, kind)
    elif isinstance(value, dict):
        if value.get("type") == kind and isinstance(value.get("text"), str):
            yield value["text"]
        for item in value.values():
            if isinstance(item, dict | list):
                yield from _texts(item, kind)


def assert_no_raw_controls(text: str) -> None:
    for char in _RAW:
        assert char not in text, f"raw {char!r} in {text[:200]!r}"


def assert_formats_nothing(text: str) -> None:
    """``text`` (mrkdwn) pairs none of the document's markers, opens no quote or heading on a
    line, holds no link and no raw control or bidi mark."""
    assert_no_raw_controls(text)
    where = f"in {text[:300]!r}"
    for pair in _DOCUMENT_PAIRS:
        assert pair not in text, f"{pair} pairs {where}"
    for line in text.split("\n"):
        assert not _LINE_OPENER.match(line), f"{line!r} opens a block {where}"
    assert "](" not in text and "<http" not in text, where
