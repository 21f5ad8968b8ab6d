"""Answers about one field of a run: its value, page, reference text, position, reasoning, scores.

Every sentence is built from the run the tool returned, so nothing is invented: a
value is written for a person with ``tools.text.formatting``'s ``HUMAN`` style
(``$15,735.10``, ``Oct 31, 2024``, ``74% (low)``, ``due date``), a reference text
is quoted exactly as Extend gave it. The field is the one the question
names; only a question that names no field at all ("where does it come from?")
refers back to the field asked about before. A field the run does not have is said
to be missing, never swapped for a different field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from agent.change_text import and_list
from agent.offline.fields import FieldMatch, FieldReading, read_fields
from agent.offline.intents import Understanding
from agent.offline.wording import MAX_QUOTE
from tools.runs.models import Citation, ExtractedField, Run
from tools.text.field_names import field_key
from tools.text.formatting import (
    EMPTY,
    HUMAN,
    format_confidence,
    format_field_name,
    format_value,
)
from tools.text.quoting import quote


def field_answer(
    understanding: Understanding, run: Run, earlier: Iterable[str], low_confidence: float
) -> str:
    """The fields the question names (or, naming none, the ones asked about before)."""
    names = [f.name for f in run.fields]
    reading = read_fields(understanding.text, names)
    if not reading.names_a_field:  # "where does it come from?" -> the field asked about before
        reading = next(
            (r for r in (read_fields(q, names) for q in earlier) if r.names_a_field), reading
        )
    aspects = set(understanding.aspects)
    reading = replace(
        reading, matches=_without_bare_question_words(understanding.text, names, reading)
    )
    if reading.matches:
        sentences = [field_sentence(run, m, aspects, low_confidence) for m in reading.matches]
        sentences += [f"{run.id} has no {term} field." for term in reading.missing]
        return " ".join(sentences).strip()
    if reading.missing:
        return _no_such_field(run, reading)
    if aspects & {"where", "why"}:
        lines = [f"{run.id}, field by field:"]
        for extracted in run.fields:
            match = FieldMatch(extracted.name, extracted.name)
            lines.append("- " + field_sentence(run, match, aspects, low_confidence))
        return "\n".join(lines)
    return _no_such_field(run, reading)


_QUESTION_WORDS = frozenset({"how much", "who sent", "issued"})
"""Words that ask for a value rather than name a field, when another field is named."""

_CLAUSE_BREAK = re.compile(r"\band\b|[,;?]", re.IGNORECASE)


def _without_bare_question_words(
    text: str, names: Sequence[str], reading: FieldReading
) -> list[FieldMatch]:
    """Drop "how much" where its own clause names a field: "how much VAT" is the VAT.

    Read clause by clause, so "how much is it for and when's it due?" keeps both the
    amount and the due date.
    """
    dropped: set[str] = set()
    for clause in _CLAUSE_BREAK.split(text):
        matches = read_fields(clause, names).matches
        if any(m.term not in _QUESTION_WORDS for m in matches):
            dropped |= {m.name for m in matches if m.term in _QUESTION_WORDS}
    kept = [m for m in reading.matches if not (m.term in _QUESTION_WORDS and m.name in dropped)]
    named = [m for m in kept if m.term not in _QUESTION_WORDS]
    return kept if kept and (named or len(kept) == len(reading.matches)) else reading.matches


def pointed_field_answer(run: Run, previous_question: str, low_confidence: float) -> str | None:
    """ "how confident is that?" right after a question about a field: that field's scores."""
    matches = read_fields(previous_question, [f.name for f in run.fields]).matches
    if not matches:
        return None
    aspects = {"value", "confidence"}
    return " ".join(field_sentence(run, m, aspects, low_confidence) for m in matches)


def _no_such_field(run: Run, reading: FieldReading) -> str:
    names = [format_field_name(f.name) for f in run.fields]
    asked = (
        f"has no {and_list(reading.missing)} field"
        if reading.missing
        else ("has no field by that name")
    )
    return (
        f"{run.id} {asked}; its fields are: {', '.join(names)}. "
        f"Ask about one of them, e.g. “what is the {names[0]}?”."
    )


def field_sentence(
    run: Run, match: FieldMatch, aspects: Iterable[str], low_confidence: float
) -> str:
    extracted = run.field(match.name)
    if extracted is None:
        return f"{run.id} has no field {match.name}."
    aspects = set(aspects)
    verb = "are" if isinstance(extracted.value, list) else "is"
    label = human_label(match)
    shown = format_value(extracted.value, HUMAN)
    if extracted.value is None or shown == EMPTY:
        sentence = f"The {label} on {run.id} is empty (nothing was extracted for it)"
    else:
        sentence = f"The {label} on {run.id} {verb} {shown}"
    cited = citation_text(extracted.citations)
    if cited:
        sentence += f" — {cited}"
    scores = score_text(extracted, full="confidence" in aspects, low_confidence=low_confidence)
    if scores:
        sentence += f" ({scores})"
    sentence += "."
    if extracted.edited:
        sentence += f" A reviewer changed it from {format_value(extracted.initial_value, HUMAN)}."
    score = extracted.confidence
    if score is not None and score < low_confidence:
        sentence += (
            f" That is below the {format_confidence(low_confidence, HUMAN)} threshold: "
            "check it against the document."
        )
    if "where" in aspects:
        place = location_text(extracted.citations)
        if place:
            sentence += f" On the page it sits {place}."
    if "why" in aspects:
        if extracted.reasoning:
            sentence += " Reasoning: " + " ".join(
                quote(r, limit=MAX_QUOTE, marks="typographic") for r in extracted.reasoning
            )
        else:
            sentence += " The run gives no reasoning for this field."
    return sentence


def human_label(match: FieldMatch) -> str:
    """``due date`` for the field named as it is; ``total (amount)`` when other words named it."""
    said = set(match.term.split())
    if (
        field_key(match.term) == field_key(match.name)
        or match.term in _QUESTION_WORDS
        or said <= set(format_field_name(match.name).split())  # "due" -> "due date"
    ):
        return format_field_name(match.name)
    return f"{match.term} ({match.name})"


def citation_text(citations: Sequence[Citation]) -> str:
    pages = sorted({c.page for c in citations if c.page is not None})
    refs = list(dict.fromkeys(c.reference_text for c in citations if c.reference_text))
    if not pages and not refs:
        return "no citation on the document"
    parts = []
    if pages:
        parts.append(("page " if len(pages) == 1 else "pages ") + and_list([str(p) for p in pages]))
    if refs:
        shown = [quote(r, limit=MAX_QUOTE, marks="typographic") for r in refs[:3]]
        if len(refs) > 3:
            shown.append(f"{len(refs) - 3} more")
        parts.append("from " + and_list(shown))
    return ", ".join(parts)


def score_text(
    extracted: ExtractedField, *, full: bool = False, low_confidence: float | None = None
) -> str:
    """``OCR 99%``, plus the model's score when asked or when it is below 100%.

    Scores are whole percent (``HUMAN``); one below ``low_confidence`` reads ``74% (low)``.
    The review agent's score is on its own 1-5 scale, so it reads ``review agent 2/5``.
    """

    def shown(score: float) -> str:
        low = low_confidence is not None and score < low_confidence
        return format_confidence(score, HUMAN, low=low)

    parts = []
    if extracted.ocr_confidence is not None:
        parts.append(f"OCR {shown(extracted.ocr_confidence)}")
    model = extracted.logprobs_confidence
    if model is not None and (full or model < 1 or extracted.ocr_confidence is None):
        parts.append(f"model {shown(model)}")
    if extracted.review_agent_score is not None and full:
        parts.append(f"review agent {extracted.review_agent_score:g}/5")
    return ", ".join(parts)


def location_text(citations: Sequence[Citation]) -> str:
    """Where the first boxed citation sits: a region when the page size is known, and points."""
    boxed = next((c for c in citations if c.polygon), None)
    if boxed is None:
        return ""
    xs = [p.x for p in boxed.polygon]
    ys = [p.y for p in boxed.polygon]
    box = f"x {min(xs):.0f}–{max(xs):.0f}, y {min(ys):.0f}–{max(ys):.0f} pt from the top-left"
    page = f" of page {boxed.page}" if boxed.page is not None else ""
    if boxed.page_width and boxed.page_height:
        across = _third((min(xs) + max(xs)) / 2 / boxed.page_width, ("left", "centre", "right"))
        down = _third((min(ys) + max(ys)) / 2 / boxed.page_height, ("top", "middle", "bottom"))
        return f"near the {down} {across}{page} ({box})"
    return f"at {box}{page}"


def _third(fraction: float, names: tuple[str, str, str]) -> str:
    return names[0] if fraction < 1 / 3 else names[1] if fraction < 2 / 3 else names[2]
