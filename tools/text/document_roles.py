"""Which extracted field plays which part of a document: vendor, number, total, dates.

Workflows name their fields freely (``vendor_name``, ``merchant_name``, ``supplier``;
``total``, ``amount_due``, ``order_total``), so a text that says "Invoice INV-1 from
ACME for $1,420.00" must first find those fields. ``DocumentRoles.of`` does, by the
normalized name (``tools.text.field_names.field_key``) against short lists, best
first; a field left empty plays no part. ``document_kind`` names the document
(classification first, then field, processor and workflow names), and
``reads_like_instructions`` spots document text that addresses its reader, so a
summary can point it out instead of repeating it as if it were the document's data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tools.runs.models import ExtractedField, Run
from tools.text.field_names import field_key

__all__ = [
    "DocumentRoles",
    "document_kind",
    "is_empty",
    "line_item_count",
    "reads_like_instructions",
]

VENDOR_KEYS = ("vendorname", "vendor", "suppliername", "supplier", "sellername", "merchantname",
               "merchant", "payee", "issuername", "companyname")  # fmt: skip
NUMBER_KEYS = ("invoicenumber", "invoiceno", "invoiceid", "documentnumber", "receiptnumber",
               "billnumber", "creditnotenumber", "referencenumber", "purchaseordernumber",
               "ponumber", "ordernumber", "bolnumber")  # fmt: skip
TOTAL_KEYS = ("total", "totalamount", "amountdue", "totaldue", "grandtotal", "invoicetotal",
              "balancedue", "totalpayable", "ordertotal", "amount")  # fmt: skip
ISSUED_KEYS = ("invoicedate", "documentdate", "issuedate", "receiptdate", "purchasedate",
               "transactiondate", "date")  # fmt: skip
DUE_KEYS = ("duedate", "paymentduedate", "dueon", "paymentdue")
KINDS = ("invoice", "receipt", "contract", "purchase order", "bill")

_INSTRUCTION_LIKE = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.]{0,40}\b(?:instructions?|prompts?|rules)\b"
    r"|\b(?:system prompt|you are now|as an ai|new instructions)\b"
    r"|<[!@](?:channel|here|everyone|subteam|[UW][A-Z0-9]{2,})",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DocumentRoles:
    """The fields that say what a document is; None where the run has no such field."""

    vendor: ExtractedField | None
    number: ExtractedField | None
    total: ExtractedField | None
    issued: ExtractedField | None
    due: ExtractedField | None

    @classmethod
    def of(cls, run: Run) -> DocumentRoles:
        fields = run.fields
        keys = (VENDOR_KEYS, NUMBER_KEYS, TOTAL_KEYS, ISSUED_KEYS, DUE_KEYS)
        return cls(*(_field_for(fields, names) for names in keys))

    def fields(self) -> list[ExtractedField]:
        found = (self.vendor, self.number, self.total, self.issued, self.due)
        return [f for f in found if f is not None]


def document_kind(run: Run) -> str:
    """``invoice``, ``receipt``, a classification type, ...; ``document`` when nothing says."""
    for result in run.results:
        c = result.classification
        if c is not None and c.type:
            return c.type.replace("_", " ").lower()
    names = " ".join(
        [f.name for f in run.fields]
        + [r.processor_name or "" for r in run.results]
        + [run.workflow.name or ""]
    ).lower()
    return next((kind for kind in KINDS if kind in names), "document")


def line_item_count(run: Run) -> int:
    """How many line items the run lists (the first list field named like items or lines)."""
    for field in run.fields:
        key = field_key(field.name)
        if ("item" in key or "line" in key) and isinstance(field.value, list):
            return len(field.value)
    return 0


def is_empty(value: Any) -> bool:
    """No value: None, blank text, an empty list or object."""
    return value is None or value in ("", [], {}) or (isinstance(value, str) and not value.strip())


def reads_like_instructions(text: str) -> bool:
    """Whether document text addresses its reader ("ignore previous instructions", ``<!here>``)."""
    return bool(_INSTRUCTION_LIKE.search(text))


def _field_for(fields: Sequence[ExtractedField], keys: Sequence[str]) -> ExtractedField | None:
    """The first field (by the order of ``keys``) whose normalized name is one of ``keys``."""
    by_key = {field_key(f.name): f for f in reversed(fields)}
    for key in keys:
        found = by_key.get(key)
        if found is not None and not is_empty(found.value):
            return found
    return None
