"""Which extracted field a person means: "the total", "invoice #", "vendor", "invoce number".

Field names come from the workflow's extraction schema (``invoice_number``,
``vendor_name``, ``amount``), people use everyday words. A phrase matches a field
when it names it (underscores or spaces), when a synonym points to it
(total -> amount or total), or when it is a near miss (a typo). Matches are
returned in the order the person said them, each with the words they used, so an
answer can read "The total (amount) is ...".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

# Everyday words -> field names they usually mean, best guess first. Only names the
# run actually has are ever picked, so a long candidate list costs nothing.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "total": ("total", "amount", "total_amount", "invoice_total", "grand_total", "total_due"),
    "grand total": ("grand_total", "total", "amount", "total_amount"),
    "total due": ("total_due", "amount_due", "total", "amount", "balance_due"),
    "amount due": ("amount_due", "total_due", "balance_due", "total", "amount"),
    "balance": ("balance_due", "amount_due", "total", "amount"),
    "amount": ("amount", "total", "total_amount", "amount_due"),
    "how much": ("total", "amount", "total_amount", "amount_due"),
    "vendor": ("vendor_name", "vendor", "supplier_name", "supplier", "seller_name", "merchant"),
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

_RUN_ID = re.compile(r"\bworkflow_run_[A-Za-z0-9_-]+")
_WORD = re.compile(r"[a-z0-9]+")
_FUZZY_CUTOFF = 0.84


@dataclass(frozen=True)
class FieldMatch:
    """A field the text refers to, and the words it used for it."""

    term: str
    name: str

    @property
    def label(self) -> str:
        """``total (amount)`` when the words differ from the field name, else the name."""
        if _words(self.term) == _words(self.name):
            return self.name
        return f"{self.term} ({self.name})"


def normalize_text(text: str) -> str:
    """Lower case, run ids removed, ``_``/``-`` as spaces, ``#`` as "number"."""
    text = _RUN_ID.sub(" ", text.lower())
    text = text.replace("#", " number ").replace("nº", " number ")
    text = re.sub(r"[_\-/]", " ", text)
    return " ".join(_WORD.findall(text))


def match_fields(text: str, field_names: Iterable[str]) -> list[FieldMatch]:
    """Fields of ``field_names`` that ``text`` refers to, in the order it mentions them."""
    names = list(dict.fromkeys(field_names))
    words = normalize_text(text).split()
    taken = [False] * len(words)
    found: list[tuple[int, FieldMatch]] = []

    def claim(start: int, length: int, match: FieldMatch) -> None:
        for i in range(start, start + length):
            taken[i] = True
        if all(m.name != match.name for _, m in found):
            found.append((start, match))

    # 1. The field's own name, longest names first ("invoice number" before "number").
    for name in sorted(names, key=lambda n: -len(_words(n))):
        phrase = _words(name)
        for start in _find(words, phrase, taken):
            claim(start, len(phrase), FieldMatch(" ".join(phrase), name))
            break
    # 2. Everyday words, longest first, resolved to the first candidate the run has.
    available = set(names)
    for term in sorted(SYNONYMS, key=lambda t: -len(t.split())):
        name = next((n for n in SYNONYMS[term] if n in available), None)
        if name is None:
            continue
        for start in _find(words, term.split(), taken):
            claim(start, len(term.split()), FieldMatch(term, name))
            break
    # 3. Near misses ("invoce number", "vendr name"), on words not already used.
    for name in names:
        phrase = _words(name)
        hit = _fuzzy_find(words, phrase, taken)
        if hit is not None:
            claim(hit, len(phrase), FieldMatch(" ".join(words[hit : hit + len(phrase)]), name))
    return [m for _, m in sorted(found, key=lambda item: item[0])]


def mentions_a_field(text: str, field_names: Iterable[str] = ()) -> bool:
    """True when the text names a field of ``field_names`` or any common invoice field."""
    return bool(match_fields(text, [*field_names, *sorted(KNOWN_FIELD_NAMES)]))


def _words(name: str) -> list[str]:
    return normalize_text(name).split()


def _find(words: Sequence[str], phrase: Sequence[str], taken: Sequence[bool]) -> Iterable[int]:
    size = len(phrase)
    if not size:
        return
    for start in range(len(words) - size + 1):
        if list(words[start : start + size]) == list(phrase) and not any(
            taken[start : start + size]
        ):
            yield start


def _fuzzy_find(words: Sequence[str], phrase: Sequence[str], taken: Sequence[bool]) -> int | None:
    size = len(phrase)
    target = " ".join(phrase)
    if not size or len(target) < 5:
        return None  # short names ("tax", "po") only match exactly
    best: tuple[float, int] | None = None
    for start in range(len(words) - size + 1):
        if any(taken[start : start + size]):
            continue
        candidate = " ".join(words[start : start + size])
        score = SequenceMatcher(None, candidate, target).ratio()
        if score >= _FUZZY_CUTOFF and (best is None or score > best[0]):
            best = (score, start)
    return best[1] if best else None
