"""Which extracted field a person means: "the total", "invoice #", "vendor", "invoce number".

Field names come from the workflow's extraction schema (``invoice_number``,
``vendor_name``, ``amount``), people use everyday words. A phrase matches a field
when it names it (underscores or spaces), when a synonym points to it
(total -> amount or total), when it is a near miss (a typo), or when it says the
run's own name without its unit or count ("gross weight" for ``gross_weight_kg``,
"containers" for ``container_count``). The synonyms are
this module's layer on top of the package's one field-name rule
(``tools.text.field_names``): names compare by its ``field_key`` and a typo is its
``is_near_miss``, with the same cutoff the tools use for ``get_run``'s ``fields``. Matches are
returned in the order the person said them, each with the words they used, so an
answer can read "The total (amount) is ...".

The longest term wins its words, whether or not the run has the field it means:
"due date" on a run without one is a missing due date, never the run's "date",
and "po number" is never the invoice "number". ``read_fields`` reports such terms
as ``missing`` so an answer can say plainly that the run has no such field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from agent.names import RUN_ID_IN_TEXT
from tools.text.field_names import field_key, is_near_miss, similarity

# Everyday words -> field names they usually mean, best guess first. Only names the
# run actually has are ever picked, so a long candidate list costs nothing.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "invoice total": ("invoice_total", "total", "amount", "total_amount", "grand_total"),
    "total amount": ("total_amount", "total", "amount", "invoice_total"),
    "total": ("total", "amount", "total_amount", "invoice_total", "grand_total", "total_due"),
    "grand total": ("grand_total", "total", "amount", "total_amount"),
    "total due": ("total_due", "amount_due", "total", "amount", "balance_due"),
    "amount due": ("amount_due", "total_due", "balance_due", "total", "amount"),
    "balance": ("balance_due", "amount_due", "total", "amount"),
    "amount": ("amount", "total", "total_amount", "amount_due"),
    "how much": ("total", "amount", "total_amount", "amount_due"),
    "vendor": (
        "vendor_name",
        "vendor",
        "supplier_name",
        "supplier",
        "seller_name",
        "merchant_name",
        "merchant",
    ),
    "supplier": ("supplier_name", "supplier", "vendor_name", "vendor"),
    "seller": ("seller_name", "seller", "vendor_name", "supplier_name"),
    "merchant": ("merchant_name", "merchant", "vendor_name"),
    "who sent": ("vendor_name", "vendor", "supplier_name", "sender"),
    "customer": ("customer_name", "customer", "bill_to", "buyer_name"),
    "buyer": ("buyer_name", "buyer", "customer_name", "bill_to"),
    "bill to": ("bill_to", "customer_name", "customer"),
    "invoice number": ("invoice_number", "invoice_id", "invoice_no", "number"),
    "invoice no": ("invoice_number", "invoice_no", "invoice_id"),
    "invoice id": ("invoice_id", "invoice_number"),
    "number": ("invoice_number", "number", "document_number"),
    "date": ("invoice_date", "date", "issue_date", "document_date"),
    "issued": ("invoice_date", "issue_date", "date"),
    "due": ("due_date", "payment_due_date"),
    "due date": ("due_date", "payment_due_date"),
    "tax": ("tax", "tax_amount", "vat", "vat_amount", "sales_tax"),
    "vat": ("vat", "vat_amount", "tax", "tax_amount"),
    "subtotal": ("subtotal", "sub_total", "net_amount", "net_total"),
    "net": ("net_amount", "net_total", "subtotal"),
    "po number": ("po_number", "purchase_order_number", "purchase_order"),
    "po": ("po_number", "purchase_order", "purchase_order_number"),
    "purchase order": ("po_number", "purchase_order", "purchase_order_number"),
    "line items": ("line_items", "items", "lines"),
    "items": ("line_items", "items"),
    "lines": ("line_items", "lines"),
    "products": ("line_items", "items", "products"),
    "notes": ("notes", "note", "comments", "memo"),
    "note": ("notes", "note", "memo"),
    "comments": ("comments", "notes", "memo"),
    "memo": ("memo", "notes"),
}

KNOWN_FIELD_NAMES: frozenset[str] = frozenset(n for names in SYNONYMS.values() for n in names)

_QUESTION_TERMS = frozenset({"how much", "who sent", "issued"})  # not a field's name
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class FieldMatch:
    """A field the text refers to, and the words it used for it."""

    term: str
    name: str
    loose: bool = False
    """Found as a typo or part of the name ("invoce number", "gross weight"): say the name."""

    @property
    def label(self) -> str:
        """``total (amount)`` when the words differ from the field name, else the name."""
        if field_key(self.term) == field_key(self.name):
            return self.name
        return f"{self.term} ({self.name})"


@dataclass(frozen=True)
class FieldReading:
    """What a text says about fields: those of the run it names, and terms the run lacks."""

    matches: list[FieldMatch] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # "due date", "po number"

    @property
    def names_a_field(self) -> bool:
        """True when the text uses any field term at all (the run's or a common one)."""
        return bool(self.matches or self.missing)


def normalize_text(text: str) -> str:
    """Lower case, run ids removed, ``_``/``-`` as spaces, ``#`` as "number"."""
    text = RUN_ID_IN_TEXT.sub(" ", text.lower())
    text = text.replace("#", " number ").replace("nº", " number ")
    text = re.sub(r"[_\-/]", " ", text)
    return " ".join(_WORD.findall(text))


def read_fields(text: str, field_names: Iterable[str]) -> FieldReading:
    """The fields of ``field_names`` that ``text`` refers to, and the field terms it lacks."""
    names = list(dict.fromkeys(field_names))
    words = normalize_text(text).split()
    taken = [False] * len(words)
    found: list[tuple[int, FieldMatch]] = []
    missing: list[tuple[int, str]] = []

    # 1. Terms, longest first; on a tie the run's own names, then terms it has a field for.
    for phrase, name in _terms_for(names):
        for start in _find(words, phrase, taken):
            for i in range(start, start + len(phrase)):
                taken[i] = True
            if name is None:
                missing.append((start, _missing_label(" ".join(phrase))))
            elif all(m.name != name for _, m in found):
                found.append((start, FieldMatch(" ".join(phrase), name)))
            break
    # 2. Near misses of the run's names ("invoce number", "vendr name"), on words still free.
    for name in names:
        phrase = _words(name)
        hit = _fuzzy_find(words, phrase, taken)
        if hit is not None:
            for i in range(hit, hit + len(phrase)):
                taken[i] = True
            if all(m.name != name for _, m in found):
                said = " ".join(words[hit : hit + len(phrase)])
                found.append((hit, FieldMatch(said, name, loose=True)))
    # 3. The run's names said in part: "gross weight" (gross_weight_kg), "containers".
    for name in names:
        if any(m.name == name for _, m in found):
            continue
        span = _partial_find(words, _words(name), taken)
        if span is not None:
            for i in range(*span):
                taken[i] = True
            found.append((span[0], FieldMatch(" ".join(words[slice(*span)]), name, loose=True)))
    return FieldReading(
        matches=[m for _, m in sorted(found, key=lambda item: item[0])],
        missing=list(dict.fromkeys(term for _, term in sorted(missing))),
    )


def match_fields(text: str, field_names: Iterable[str]) -> list[FieldMatch]:
    """Fields of ``field_names`` that ``text`` refers to, in the order it mentions them."""
    return read_fields(text, field_names).matches


def mentions_a_field(text: str, field_names: Iterable[str] = ()) -> bool:
    """True when the text names a field of ``field_names`` or any common invoice field."""
    return read_fields(text, field_names).names_a_field


def _terms_for(names: Sequence[str]) -> list[tuple[list[str], str | None]]:
    """(words, the run's field they mean or None), in the order they claim words."""
    available = set(names)
    ranked: list[tuple[int, int, list[str], str | None]] = []
    for name in names:
        ranked.append((-len(_words(name)), 0, _words(name), name))
    for term, candidates in _TERMS.items():
        meant = next((n for n in candidates if n in available), None)
        ranked.append((-len(term.split()), 1 if meant else 2, term.split(), meant))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return [(phrase, name) for _, _, phrase, name in ranked if phrase]


def _implied_terms() -> dict[str, tuple[str, ...]]:
    """Every everyday term, plus each common field name said in words ("vendor name").

    A field name said in words means that field first, then what the everyday terms
    listing it mean: "invoice total" finds the run's "amount", "due date" finds only
    due dates.
    """
    terms = dict(SYNONYMS)
    for name in sorted(KNOWN_FIELD_NAMES):
        term = " ".join(_words(name))
        if term in terms:
            continue
        related = [c for candidates in SYNONYMS.values() if name in candidates for c in candidates]
        terms[term] = tuple(dict.fromkeys([name, *related]))
    return terms


def _missing_label(term: str) -> str:
    """How to name a field the run lacks: the person's words, or the field they begin.

    "how much" names no field, so it is the total's; "due" (no field's name) says the
    start of "due date"; "vendor" is a field's name, so it stays.
    """
    meant = _words(_TERMS[term][0]) if _TERMS.get(term) else []
    said = term.split()
    begins = len(meant) > len(said) and meant[: len(said)] == said
    if term in _QUESTION_TERMS or (begins and "_".join(said) not in KNOWN_FIELD_NAMES):
        return " ".join(meant)
    return term


def _words(name: str) -> list[str]:
    return normalize_text(name).split()


_TERMS = _implied_terms()


def _find(words: Sequence[str], phrase: Sequence[str], taken: Sequence[bool]) -> Iterable[int]:
    size = len(phrase)
    if not size:
        return
    for start in range(len(words) - size + 1):
        if list(words[start : start + size]) == list(phrase) and not any(
            taken[start : start + size]
        ):
            yield start


_QUALIFIERS = frozenset(
    {*("kg", "kgs", "lb", "lbs", "g", "t", "km", "m", "cm", "mm", "l", "ml", "count", "qty"),
     *("pct", "percent", "usd", "eur", "gbp", "num", "nr")}
)  # fmt: skip
"""Name parts a person leaves out: units and counts ("gross weight" for gross_weight_kg)."""


def _partial_find(
    words: Sequence[str], name_words: Sequence[str], taken: Sequence[bool]
) -> tuple[int, int] | None:
    """Free words saying a name without its unit or count, singular or plural; None if not."""
    core = [w for w in name_words if w not in _QUALIFIERS]
    if not core or len(core) == len(name_words):
        return None
    size = len(core)
    for start in range(len(words) - size + 1):
        said = words[start : start + size]
        if not any(taken[start : start + size]) and all(
            _singular(a) == _singular(b) for a, b in zip(said, core, strict=True)
        ):
            return start, start + size
    return None


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _fuzzy_find(words: Sequence[str], phrase: Sequence[str], taken: Sequence[bool]) -> int | None:
    """Where free words are the best near miss of ``phrase`` (short names never are)."""
    size = len(phrase)
    target = " ".join(phrase)
    best: tuple[float, int] | None = None
    for start in range(len(words) - size + 1) if size else ():
        if any(taken[start : start + size]):
            continue
        candidate = " ".join(words[start : start + size])
        if not is_near_miss(candidate, target):
            continue
        score = similarity(candidate, target)
        if best is None or score > best[0]:
            best = (score, start)
    return best[1] if best else None
