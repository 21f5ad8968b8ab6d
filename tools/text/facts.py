"""The facts a run states, and how a text must state them: the rule summaries are held to.

A summary of a run may be short, but it may not lose or invent anything. The facts
of a run are every leaf of every extracted value (and, for a field a reviewer
changed, every pre-review leaf that differs from the final one, and the reviewer's
note), every citation's page, cells and reference text (the pre-review citations of
a changed field included) and, in a run with several files, the file it is in; the
run's file names;
classification types and confidences, split parts and their pages; a failed run's
or step's reason and message, a rejection note, the credits used; the extractors a
merge step merged, the rules and checks that failed and why, an external check's
response status, the branch a router took, and the type of a step this version
does not know. ``run_facts`` lists them, one ``Fact`` per occurrence,
straight from the normalized run's values; ``missing_facts`` says which a text
does not state. The summary tests and the benchmark's coverage figure use them.

How a text states a fact (the rule ``tools.text.summary`` follows):

- text (string values, reference text, types, names, messages) as a whole JSON
  string literal, ``"Invoice #36995"``; runs of whitespace are not significant;
- a number as a number outside quotes, compared by value (``10`` is stated by
  ``10.0`` but not by ``10.00`` inside a quoted reference text, nor by ``110``);
  an amount with a plain currency code as that number followed by the code
  (``15,735.10 USD``); a boolean as ``yes`` or ``no``;
- a page as ``page 3``, a page range as ``pages 1-2``, credits as ``6 credits``,
  a response status as ``response 404``; other fixed phrases (a failure reason, a
  confidence such as ``94.0%``, a rule's name) as they are, bare or quoted.

Every fact needs its own occurrence: a value that two fields hold must be stated
twice. Numbers that are the text's own words (item indices ``[0]``, ``version 3``,
``4 items``, ``2 of 4 rules``, ``6 credits``, percentages, scores ``2/5``,
timestamps, page numbers) never count as a stated value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Literal

from tools.text.field_names import match_fields
from tools.text.formatting import format_confidence, money, plain_amount
from tools.text.summary_steps import credits_text

if TYPE_CHECKING:
    from tools.runs.models import Citation, ExtractedField, ProcessorResult, Run

__all__ = [
    "Fact",
    "changed_leaves",
    "field_facts",
    "leaf_facts",
    "missing_facts",
    "page_range_text",
    "page_text",
    "run_facts",
    "states",
]

FactKind = Literal["text", "number", "amount", "boolean", "phrase"]

_SPACE = re.compile(r"\s+")
_LITERAL = re.compile(r'"(?:[^"\\\n]|\\.)*"')
# The text's own numbers, which are never values: page references, versions, indices.
_OWN_NUMBERS = re.compile(r"\bpages? \d+(?:-\d+)?|\bversion \S+|^\s*\[\d+\]|(?<=\w)\[\d+\]", re.M)
_NUMBER = re.compile(
    r"(?<![\w.,:/\-])(-?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?))"
    r"(?![\w%/:\-]|[.,]\d| items?\b| parts?\b| credits?\b| of \d| rules?\b| checks?\b| steps?\b)"
)
_BOOLEAN = re.compile(
    r"(?:(?<=: )|(?<== )|(?<=\[)|(?<=, )|(?<=\{))(yes|no)(?=$|[;,}\]]| \|| ->| \()", re.M
)
_USED = "\x00"


@dataclass(frozen=True)
class Fact:
    """One thing a run states: ``kind`` says how a text must state it (see the module rule)."""

    kind: FactKind
    value: Any
    currency: str | None = None

    def __str__(self) -> str:
        if self.kind == "amount":
            return money(self.value, self.currency)
        if self.kind == "boolean":
            return "yes" if self.value else "no"
        return str(self.value)


def page_text(page: int) -> str:
    return f"page {page}"


def page_range_text(start: int | None, end: int | None) -> str:
    if start is None and end is None:
        return "pages unknown"
    if start is None or end is None or start == end:
        return page_text(start if start is not None else end)  # type: ignore[arg-type]
    return f"pages {start}-{end}"


def leaf_facts(value: Any) -> list[Fact]:
    """Every leaf of an extracted value as a fact, depth first (amounts are one leaf)."""
    amount = plain_amount(value)
    if amount is not None:
        return [Fact("amount", amount[0], amount[1])]
    if isinstance(value, dict):
        return [fact for item in value.values() for fact in leaf_facts(item)]
    if isinstance(value, list):
        return [fact for item in value for fact in leaf_facts(item)]
    if isinstance(value, bool):
        return [Fact("boolean", value)]
    if isinstance(value, int | float):
        finite = _decimal(str(value)) is not None
        return [Fact("number" if finite else "phrase", value)]
    if isinstance(value, str) and value.strip():
        return [Fact("text", value)]
    return []


def changed_leaves(before: Any, after: Any) -> list[Fact]:
    """The leaves of ``before`` that ``after`` no longer holds, compared position by position.

    Objects are compared key by key and lists index by index; an amount, or a value
    whose shape changed, counts as a whole.
    """
    if before == after:
        return []
    if plain_amount(before) is None and isinstance(before, dict) and isinstance(after, dict):
        return [f for key, item in before.items() for f in changed_leaves(item, after.get(key))]
    if isinstance(before, list) and isinstance(after, list):
        return [
            fact
            for index, item in enumerate(before)
            for fact in changed_leaves(item, after[index] if index < len(after) else None)
        ]
    return leaf_facts(before)


def _citation_facts(citations: Iterable[Citation]) -> list[Fact]:
    facts = []
    for citation in citations:
        if citation.page is not None:
            facts.append(Fact("phrase", page_text(citation.page)))
        if citation.cell_range and citation.cell_range.strip():
            facts.append(Fact("text", citation.cell_range))
        if citation.reference_text and citation.reference_text.strip():
            facts.append(Fact("text", citation.reference_text))
    return facts


def field_facts(field: ExtractedField) -> list[Fact]:
    """A field's facts: value leaves, changed pre-review leaves, and every citation."""
    facts = leaf_facts(field.value)
    if field.edited:
        facts += changed_leaves(field.initial_value, field.value)
        facts += _citation_facts(getattr(field, "initial_citations", []))
        if field.edit_note and field.edit_note.strip():
            facts.append(Fact("text", field.edit_note))
    facts += _citation_facts(field.citations)
    for part in field.parts:
        facts += _citation_facts(part.citations)
    return facts


def run_facts(run: Run, fields: Sequence[str] | None = None) -> list[Fact]:
    """The run's facts, one per occurrence; ``fields`` narrows to those fields."""
    selected = match_fields(run, fields)[0] if fields else run.fields
    facts = [fact for field in selected for fact in field_facts(field)]
    facts += _file_facts(run, selected)
    if fields:
        return facts
    if run.failure_reason and run.failure_reason.strip():
        facts.append(Fact("phrase", run.failure_reason))
    if run.failure_message and run.failure_message.strip():
        facts.append(Fact("text", run.failure_message))
    if run.rejection_note and run.rejection_note.strip():
        facts.append(Fact("text", run.rejection_note))
    if run.usage_credits is not None:
        facts.append(Fact("phrase", credits_text(run.usage_credits)))
    for result in run.results:
        facts += _step_facts(result, step_credits=run.usage_credits is None)
        c = result.classification
        if c is not None:
            facts += [Fact("text", t) for t in (c.type, c.initial_type) if t]
            if c.confidence is not None:
                facts.append(Fact("phrase", format_confidence(c.confidence)))
        for split in result.splits:
            facts += [Fact("text", t) for t in (split.type, split.name, split.identifier) if t]
            facts.append(Fact("phrase", page_range_text(split.start_page, split.end_page)))
    return facts


def _file_facts(run: Run, fields: Sequence[ExtractedField]) -> list[Fact]:
    """The run's files (the header names them) and, in a run with several, each cited one."""
    facts = [Fact("text", f.name) if f.name else Fact("phrase", f.id or "?") for f in run.files]
    if len(run.files) < 2:
        return facts
    names = {f.id: f.name for f in run.files if f.id}
    for field in fields:
        cited = [*field.citations, *(c for p in field.parts for c in p.citations)]
        if field.edited:
            cited += getattr(field, "initial_citations", [])
        for citation in cited:
            if citation.file_id:
                name = names.get(citation.file_id)
                facts.append(Fact("text", name) if name else Fact("phrase", citation.file_id))
    return facts


def _step_facts(result: ProcessorResult, *, step_credits: bool) -> list[Fact]:
    """What a step says beyond extracted fields: failure, merge, validation, route, type."""
    if result.kind == "other":  # named once, with its type, among the unknown steps
        return [Fact("phrase", result.step_type or "no type")]
    facts = []
    if result.failure_reason and result.failure_reason.strip():
        facts.append(Fact("phrase", result.failure_reason))
    if result.failure_message and result.failure_message.strip():
        facts.append(Fact("text", result.failure_message))
    if step_credits and result.kind == "extract" and result.usage_credits is not None:
        facts.append(Fact("phrase", credits_text(result.usage_credits)))
    facts += [
        Fact("text", m.name) if m.name else Fact("phrase", m.id or "?")
        for m in result.merged_extractors
    ]
    outcome = result.validation
    if outcome is not None and not result.pending:
        for rule in outcome.failed_rules:
            facts.append(Fact("phrase", rule.name or "(no name)"))
            if rule.error:
                facts.append(Fact("text", rule.error))
            elif rule.failure_reason:
                facts.append(Fact("phrase", rule.failure_reason))
        for block in outcome.failed_blocks:
            facts.append(Fact("phrase", block.name or "(no name)"))
            if block.error or block.reasoning:
                facts.append(Fact("text", block.error or block.reasoning))
        if not outcome.rules and not outcome.blocks and outcome.response_status is not None:
            facts.append(Fact("phrase", f"response {outcome.response_status}"))
    route = result.route
    if route is not None and route.matched_branch and not result.pending:
        facts.append(Fact("text", route.matched_branch))
    return facts


def missing_facts(run: Run, text: str, fields: Sequence[str] | None = None) -> list[Fact]:
    """The facts of ``run`` that ``text`` does not state, one per missing occurrence."""
    return _unstated(run_facts(run, fields), text)


def states(text: str, fact: Fact) -> bool:
    """Whether ``text`` states ``fact`` by the module's rule."""
    return not _unstated([fact], text)


# -- matching ------------------------------------------------------------------------------


def _unstated(facts: Sequence[Fact], text: str) -> list[Fact]:
    """Match each fact to its own occurrence in ``text``; return those left without one."""
    literals: list[str] = []

    def take_literal(match: re.Match[str]) -> str:
        try:
            decoded = json.loads(match.group())
        except ValueError:
            return match.group()
        literals.append(_squash(decoded))
        return _USED * len(match.group())

    own_words = _LITERAL.sub(take_literal, text)
    missing: list[Fact] = []
    for fact in facts:
        if fact.kind == "text":
            wanted = _squash(fact.value)
            if wanted in literals:
                literals.remove(wanted)
            else:
                missing.append(fact)
    for fact in facts:
        if fact.kind == "phrase":
            own_words, found = _take_phrase(own_words, str(fact.value))
            if not found and _squash(str(fact.value)) in literals:  # written quoted instead
                literals.remove(_squash(str(fact.value)))
            elif not found:
                missing.append(fact)
    own_words = _OWN_NUMBERS.sub(lambda m: _USED * len(m.group()), own_words)
    numbers = [(m.start(), m.end(), _decimal(m.group(1))) for m in _NUMBER.finditer(own_words)]
    booleans = [m.group(1) == "yes" for m in _BOOLEAN.finditer(own_words)]
    # Amounts first: they need their currency, a plain number takes any number left.
    for fact in sorted((f for f in facts if f.kind in ("amount", "number")), key=_amount_first):
        wanted_number = _decimal(str(fact.value))
        spot = next(
            (
                n
                for n in numbers
                if n[2] == wanted_number
                and (fact.currency is None or own_words.startswith(f" {fact.currency}", n[1]))
            ),
            None,
        )
        if spot is None:
            missing.append(fact)
        else:
            numbers.remove(spot)
    for fact in facts:
        if fact.kind == "boolean":
            if fact.value in booleans:
                booleans.remove(fact.value)
            else:
                missing.append(fact)
    order = {id(fact): index for index, fact in enumerate(facts)}
    return sorted(missing, key=lambda fact: order[id(fact)])


def _amount_first(fact: Fact) -> int:
    return 0 if fact.kind == "amount" else 1


def _take_phrase(text: str, phrase: str) -> tuple[str, bool]:
    words = r"\s+".join(re.escape(word) for word in _squash(phrase).split(" "))
    pattern = rf"(?<![\w.]){words}(?![\w]|[.,]\d|-\d)"
    match = re.search(pattern, text)
    if match is None:
        return text, False
    return text[: match.start()] + _USED * len(match.group()) + text[match.end() :], True


def _squash(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _decimal(text: str) -> Decimal | None:
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None
