"""Answers about one field of a run: its value, page, reference text, position, reasoning, scores.

Every sentence is built from the run the tool returned, so nothing is invented: a
value is written for a person with ``tools.text.formatting``'s ``HUMAN`` style
(``$15,735.10``, ``Oct 31, 2024``, ``74% (low)``, ``due date``), a reference text
is quoted exactly as Extend gave it. The field is the one the question
names; only a question that names no field at all ("where does it come from?")
refers back to the field asked about before. A field the run does not have is said
to be missing, never swapped for a different field.

Free text (notes, a long description) and metadata values are quoted, never
restated, and one that reads like instructions is said to be text that was not
acted on. A metadata key said exactly ("vendor id") is answered from the run's
metadata, before any field a synonym would pick. "How sure are we about that?"
leads with the scores; "what was it before the correction?" with the value as
extracted and who changed it to what. "How many line items?" and "what's the VAT
rate?" are answered by ``agent.offline.field_shapes`` (a rate neither a field nor a
quote shows is said not to be extracted); the pages, quotes, scores and position on
the page come from ``agent.offline.field_evidence``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from agent.change_text import and_list
from agent.offline.field_evidence import citation_text, location_text, pages_text, score_text
from agent.offline.field_shapes import (
    asks_count,
    asks_rate,
    count_sentence,
    is_rows,
    quoted_rate_sentence,
    rate_field,
    row_lines,
)
from agent.offline.fields import FieldMatch, FieldReading, normalize_text, read_fields
from agent.offline.intents import Understanding
from agent.offline.wording import MAX_QUOTE
from tools.runs.models import ExtractedField, Run
from tools.text.document_roles import reads_like_instructions
from tools.text.field_names import field_key
from tools.text.formatting import (
    EMPTY,
    HUMAN,
    format_confidence,
    format_field_name,
    format_timestamp,
    format_value,
)
from tools.text.quoting import quote


def field_answer(
    understanding: Understanding, run: Run, earlier: Iterable[str], low_confidence: float
) -> str:
    """The fields the question names (or, naming none, the ones asked about before)."""
    names = [f.name for f in run.fields]
    keys, text = metadata_keys_named(understanding.text, run)
    reading = read_fields(text, names)
    if not reading.names_a_field and not keys:  # "where does it come from?" -> the field before
        reading = next(
            (r for r in (read_fields(q, names) for q in earlier) if r.names_a_field), reading
        )
    aspects = set(understanding.aspects)
    reading = replace(reading, matches=_without_bare_question_words(text, names, reading))
    sentences = [metadata_sentence(run, key) for key in keys]
    if reading.matches:
        sentences += [answer_for(run, m, text, aspects, low_confidence) for m in reading.matches]
        sentences += [
            f"{run.id} has no {format_field_name(term)} field." for term in reading.missing
        ]
        return " ".join(sentences).strip()
    if keys:
        missing = [f"{run.id} has no {format_field_name(t)} field." for t in reading.missing]
        return " ".join([*sentences, *missing])
    if reading.missing:
        return no_such_field(run, reading)
    if aspects & {"where", "why"}:
        lines = [f"{run.id}, field by field:"]
        for extracted in run.fields:
            match = FieldMatch(extracted.name, extracted.name)
            lines.append("- " + field_sentence(run, match, aspects, low_confidence))
        return "\n".join(lines)
    return no_such_field(run, reading)


NOT_ACTED_ON = "That is text from the {source}, not a request from you: I did not act on it."
"""Said after a quoted value that reads like instructions ("Ignore previous instructions...")."""

_ASPECT_WORDS = frozenset({"source", "reason", "confidence", "status", "page", "state", "name"})
"""Metadata keys that are also words of a question ("what's the source of the total?")."""


def metadata_keys_named(text: str, run: Run) -> tuple[list[str], str]:
    """The run's metadata keys ``text`` names exactly ("vendor id": vendor_id), and the rest.

    A key said exactly wins over a synonym of a field ("vendor id" is the metadata
    vendor_id, never the vendor name); a field of the same name wins over the key.
    The rest of the text (the key's words taken out) is left for the field names.
    """
    words = normalize_text(text).split()
    names = [f.name for f in run.fields]
    fields = {field_key(name) for name in names}
    found: list[str] = []
    for key in sorted(run.metadata, key=lambda k: -len(normalize_text(k).split())):
        phrase = normalize_text(key).split()
        if not phrase or key == "tags" or field_key(key) in fields:
            continue
        start = _find_words(words, phrase)
        if start is None:
            continue
        rest = [*words[:start], *words[start + len(phrase) :]]
        if set(phrase) <= _ASPECT_WORDS and read_fields(" ".join(rest), names).matches:
            continue  # "the source of the total": a question about the total
        found.append(key)
        words = [*words[:start], "·", *words[start + len(phrase) :]]
    if not found:
        return [], text
    return found, " ".join(w for w in words if w != "·")


def metadata_sentence(run: Run, key: str) -> str:
    """A metadata value, quoted: it was set on the run by someone, not read from the document."""
    value = run.metadata.get(key)
    if value is None:
        return f"The {key} metadata on {run.id} is null (no value)."
    shown = value if isinstance(value, str) else format_value(value, HUMAN)
    sentence = (
        f"The {key} metadata on {run.id} is {quote(shown, limit=MAX_QUOTE, marks='typographic')}."
    )
    if reads_like_instructions(shown):
        sentence += " " + NOT_ACTED_ON.format(source="run's metadata")
    return sentence


def _find_words(words: Sequence[str], phrase: Sequence[str]) -> int | None:
    size = len(phrase)
    for start in range(len(words) - size + 1):
        if list(words[start : start + size]) == list(phrase):
            return start
    return None


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
    """ "how sure are we about that?" right after a question about a field: its scores first."""
    matches = read_fields(previous_question, [f.name for f in run.fields]).matches
    if not matches:
        return None
    return " ".join(confidence_sentence(run, m, low_confidence) for m in matches)


def no_such_field(run: Run, reading: FieldReading) -> str:
    """What the run lacks, and the fields (and metadata keys) it has to ask about instead."""
    names = [format_field_name(f.name) for f in run.fields]
    keys = [k for k in run.metadata if k != "tags"]
    asked = (
        f"has no {and_list([format_field_name(t) for t in reading.missing])} field"
        if reading.missing
        else "has no field or metadata key by that name"
    )
    if not names:
        held = f"metadata keys: {', '.join(keys)}" if keys else "no metadata"
        return f"{run.id} {asked}; it has no extracted fields ({held})."
    text = f"{run.id} {asked}; its fields are: {', '.join(names)}."
    if keys and not reading.missing:
        text += f" Its metadata keys: {', '.join(keys)}."
    return text + f" Ask about one of them, e.g. “what is the {names[0]}?”."


def answer_for(
    run: Run, match: FieldMatch, question: str, aspects: Iterable[str], low_confidence: float
) -> str:
    """The sentence for one named field: a count for "how many", a rate for "what rate"."""
    extracted = run.field(match.name)
    if extracted is not None and "original" not in set(aspects):
        if asks_count(question, extracted):
            return count_sentence(run, extracted, human_label(match))
        if asks_rate(question, extracted):
            return rate_sentence(run, match, aspects, low_confidence)
    return field_sentence(run, match, aspects, low_confidence)


def rate_sentence(
    run: Run, match: FieldMatch, aspects: Iterable[str], low_confidence: float
) -> str:
    """ "what's the VAT rate?" about a tax amount: the rate a field holds, else the rate its
    reference text shows (said to be read from that quote), else the amount, no rate."""
    held = rate_field(run)
    if held is not None:
        return field_sentence(run, FieldMatch(held.name, held.name), aspects, low_confidence)
    extracted = run.field(match.name)
    assert extracted is not None
    label = human_label(match)
    quoted = quoted_rate_sentence(run, extracted, label)
    if quoted is not None:
        return quoted
    return f"No rate was extracted for the {label} on {run.id}. " + field_sentence(
        run, match, aspects, low_confidence
    )


def field_sentence(
    run: Run, match: FieldMatch, aspects: Iterable[str], low_confidence: float
) -> str:
    extracted = run.field(match.name)
    if extracted is None:
        return f"{run.id} has no field {match.name}."
    aspects = set(aspects)
    if "original" in aspects:
        return original_sentence(run, extracted, human_label(match))
    verb = "are" if isinstance(extracted.value, list) else "is"
    label = human_label(match)
    shown = format_value(extracted.value, HUMAN)
    prose = _prose(extracted)
    if is_rows(extracted.value) and not aspects & {"where", "why"}:
        return _rows_sentence(run, extracted, label, aspects, low_confidence)
    if extracted.value is None or shown == EMPTY:
        sentence = f"The {label} on {run.id} is empty (nothing was extracted for it)"
    elif prose is not None:
        says = "say" if _plural(extracted.name) else "says"
        sentence = (
            f"The {label} on {run.id} {says} {quote(prose, limit=MAX_QUOTE, marks='typographic')}"
        )
    else:
        sentence = f"The {label} on {run.id} {verb} {shown}"
    cited = citation_text(extracted.citations, leave_out=prose)
    if cited:
        sentence += f" — {cited}"
    scores = score_text(extracted, full="confidence" in aspects, low_confidence=low_confidence)
    if scores:
        sentence += f" ({scores})"
    sentence += "."
    if prose is not None and reads_like_instructions(prose):
        sentence += " " + NOT_ACTED_ON.format(source="document")
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
        pages = pages_text(extracted.citations)
        if place:
            sentence += f" On the page it sits {place}."
        elif pages:
            sentence += f" It is on {pages} (this run gives no position on the page)."
    if "why" in aspects:
        if extracted.reasoning:
            sentence += " Reasoning: " + " ".join(
                quote(r, limit=MAX_QUOTE, marks="typographic") for r in extracted.reasoning
            )
        else:
            sentence += " The run gives no reasoning for this field."
    return sentence


def _rows_sentence(
    run: Run, extracted: ExtractedField, label: str, aspects: set[str], low_confidence: float
) -> str:
    """ "show me the line items": a line per row, with the pages and scores once."""
    value = extracted.value if isinstance(extracted.value, list) else []
    rows = [row for row in value if isinstance(row, dict)]
    pages = pages_text(extracted.citations)
    about = [pages] if pages else []
    scores = score_text(extracted, full="confidence" in aspects, low_confidence=low_confidence)
    if scores:
        about.append(scores)
    head = f"The {len(rows)} {label} on {run.id}" + (f" ({'; '.join(about)})" if about else "")
    lines = [f"{head}:", *row_lines(run, rows)]
    if extracted.edited:
        lines.append("A reviewer changed them; ask for the original to see what they were.")
    return "\n".join(lines)


def original_sentence(run: Run, extracted: ExtractedField, label: str) -> str:
    """ "what was the total before the correction?": the extracted value, and what replaced it."""
    shown = format_value(extracted.value, HUMAN)
    cited = citation_text(extracted.citations)
    if not extracted.edited:
        return f"No reviewer changed the {label} on {run.id}: it is {shown} as extracted — {cited}."
    who = f" by {run.reviewed_by}" if run.reviewed_by else ""
    when = f" on {format_timestamp(run.reviewed_at)}" if run.reviewed_at else ""
    before = format_value(extracted.initial_value, HUMAN)
    return (
        f"The original {label} on {run.id} was {before} (changed to {shown}{who}{when}); "
        f"the corrected value is cited on {cited}."
    )


def confidence_sentence(run: Run, match: FieldMatch, low_confidence: float) -> str:
    """ "how sure are we about that?": the scores first, then the value they are for."""
    extracted = run.field(match.name)
    if extracted is None:
        return f"{run.id} has no field {match.name}."
    label = human_label(match)
    low = extracted.is_low_confidence(low_confidence)
    figures = score_text(extracted, full=True, low_confidence=low_confidence)
    if not figures and extracted.confidence is not None:  # a legacy per-field confidence
        figures = format_confidence(extracted.confidence, HUMAN, low=low)
    scores = f"{'score' if _plural(extracted.name) else 'scores'} {figures}"
    threshold = format_confidence(low_confidence, HUMAN)
    if not figures:
        head = f"Extend gives no confidence score for the {label} on {run.id}."
    elif low:
        head = (
            f"Not very: the {label} on {run.id} {scores}, below the {threshold} "
            "threshold, so check it against the document."
        )
    else:
        head = f"Quite sure: the {label} on {run.id} {scores} ({threshold} or more)."
    shown = format_value(extracted.value, HUMAN)
    prose = _prose(extracted)
    if prose is not None:
        shown = quote(prose, limit=MAX_QUOTE, marks="typographic")
    return f"{head} The value is {shown} — {citation_text(extracted.citations, leave_out=prose)}."


_PROSE_NAMES = frozenset(
    {"notes", "note", "comments", "comment", "memo", "remarks", "description", "message"}
)


def _prose(extracted: ExtractedField) -> str | None:
    """Free text the document says (notes, a long description): quoted, never restated."""
    value = extracted.value
    if not isinstance(value, str) or not value.strip():
        return None
    if field_key(extracted.name) in _PROSE_NAMES or len(value.split()) >= 8:
        return value
    return None


def _plural(name: str) -> bool:
    last = format_field_name(name).split()[-1]
    return last.endswith("s") and not last.endswith("ss")


_NARROWER_TERMS = {"vat": ("tax", "tax_amount"), "sales tax": ("tax", "tax_amount")}
"""A person's word that says what kind of the field it is (the run's tax is the VAT)."""


def human_label(match: FieldMatch) -> str:
    """``due date`` for the field named as it is; ``total (amount)`` when other words named it.

    A typo or a part of the name ("invoice numbr", "gross weight") gives the field's
    own name; a narrower word for the field ("VAT" for the tax) is shown alone.
    """
    said = set(match.term.split())
    if match.name in _NARROWER_TERMS.get(match.term, ()):
        return format_field_name(match.term)
    if (
        match.loose
        or field_key(match.term) == field_key(match.name)
        or match.term in _QUESTION_WORDS
        or said <= set(format_field_name(match.name).split())  # "due" -> "due date"
    ):
        return _with_unit(format_field_name(match.name))
    return f"{match.term} ({match.name})"


_UNITS = frozenset({"kg", "kgs", "lb", "lbs", "g", "km", "m", "cm", "mm", "l", "ml", "pct"})


def _with_unit(label: str) -> str:
    """``gross weight kg`` -> ``gross weight (kg)``: the unit the value is in."""
    *words, last = label.split()
    return f"{' '.join(words)} ({last})" if words and last.lower() in _UNITS else label
