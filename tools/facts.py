"""The facts a run states, and how each must read in text: the rule summaries are held to.

A summary of a run may be short, but it may not lose or invent anything. The facts
of a run are every extracted leaf value, every citation page and every reference
text (plus classification types and split page ranges). ``run_facts`` lists them
as they should appear in text and ``missing_facts`` says which a text lacks (a
failed run's reason and message count too); the summary tests and the
benchmark's coverage figure both use them.

The rule, defined once here and followed by ``tools.summary``:

- an amount (``{"amount": 15735.1, "iso_4217_currency_code": "USD"}``) reads
  ``15,735.10 USD`` (``tools.formatting.money``); other numbers and booleans read
  as ``tools.formatting.format_value`` gives them (``12.5``, ``yes``);
- text (values, reference text) appears verbatim; a summary puts it in JSON
  double quotes (``quote``) so document text stays visibly data, so a fact also
  counts as present in its JSON-escaped form (a ``"`` inside reads ``\\"``);
- a citation page reads ``page 3``; a split part's range ``pages 1-2`` (``page 3``
  for one page);
- runs of whitespace are not significant (a text may wrap or collapse them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from tools.formatting import amount_parts, format_confidence, format_value, money

if TYPE_CHECKING:
    from tools.models import Evidence, Run

__all__ = [
    "leaf_texts",
    "missing_facts",
    "page_range_text",
    "page_text",
    "quote",
    "run_facts",
    "states",
]

_SPACE = re.compile(r"\s+")


def quote(text: str) -> str:
    """``text`` as a JSON string literal: delimited, with quotes and newlines escaped."""
    return json.dumps(text, ensure_ascii=False)


def page_text(page: int) -> str:
    return f"page {page}"


def page_range_text(start: int | None, end: int | None) -> str:
    if start is None and end is None:
        return "pages unknown"
    if start is None or end is None or start == end:
        return page_text(start if start is not None else end)  # type: ignore[arg-type]
    return f"pages {start}-{end}"


def scalar_text(value: Any) -> str | None:
    """How one leaf reads (amounts as money); None for empty leaves and containers."""
    parts = amount_parts(value)
    if parts is not None:
        return money(*parts)
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    return format_value(value)


def leaf_texts(value: Any) -> list[str]:
    """Every leaf of an extracted value as it must read in text, depth first."""
    text = scalar_text(value)
    if text is not None:
        return [text]
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in leaf_texts(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in leaf_texts(item)]
    return []


def _evidence_facts(evidence: Evidence) -> Iterable[str]:
    for citation in evidence.citations:
        if citation.page is not None:
            yield page_text(citation.page)
        if citation.reference_text and citation.reference_text.strip():
            yield citation.reference_text


def run_facts(run: Run, fields: Sequence[str] | None = None) -> list[str]:
    """The run's facts, in order, without duplicates; ``fields`` narrows to those fields."""
    from tools.summary import match_fields

    facts: list[str] = []
    selected = match_fields(run, fields)[0] if fields else run.fields
    for field in selected:
        facts += leaf_texts(field.value)
        if field.edited:
            facts += leaf_texts(field.initial_value)
        facts += _evidence_facts(field)
        for part in field.parts:
            facts += _evidence_facts(part)
    if not fields:
        facts += [t for t in (run.failure_reason, run.failure_message) if t and t.strip()]
        for result in run.results:
            if result.classification is not None:
                c = result.classification
                facts += [t for t in (c.type, c.initial_type) if t]
                if c.confidence is not None:
                    facts.append(format_confidence(c.confidence))
            for split in result.splits:
                facts += [t for t in (split.type, split.name, split.identifier) if t]
                facts.append(page_range_text(split.start_page, split.end_page))
    return list(dict.fromkeys(facts))


def _squash(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def states(text: str, fact: str) -> bool:
    """Whether ``text`` states ``fact`` as a whole token (``page 1`` is not in ``page 10``)."""
    haystack = _squash(text)
    for form in {_squash(fact), _squash(quote(fact)[1:-1])}:
        if re.search(rf"(?<!\w){re.escape(form)}(?!\w)", haystack):
            return True
    return False


def missing_facts(run: Run, text: str, fields: Sequence[str] | None = None) -> list[str]:
    """The facts of ``run`` that ``text`` does not state (plainly or JSON-escaped)."""
    return [fact for fact in run_facts(run, fields) if not states(text, fact)]
