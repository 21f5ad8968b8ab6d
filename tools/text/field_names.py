"""Which extracted fields a list of names means: the one field-name matcher of the package.

Callers name fields loosely: a model passes ``"Invoice Number"`` or ``"subtotl"``, a
person types ``date``. ``match_fields`` resolves such names against a run's fields
(exact, then containment, then a near miss), ignoring case, spaces and ``_``.
``field_key`` (the normalization), ``similarity`` and ``is_near_miss`` (the typo
rule, with its one cutoff) are public so the other matcher, the offline model's
phrase matcher (``agent.offline.fields``, which adds everyday synonyms such as
total -> amount on top), uses the same rule instead of keeping its own.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from tools.runs.extraction import field_root

if TYPE_CHECKING:
    from tools.runs.models import ExtractedField, Run

__all__ = [
    "MIN_NEAR_MISS_LENGTH",
    "NEAR_MISS_CUTOFF",
    "close_keys",
    "field_key",
    "is_near_miss",
    "match_fields",
    "similarity",
]

NEAR_MISS_CUTOFF = 0.8
"""``difflib`` similarity (0-1) from which two normalized names count as a typo of each other.

0.8 takes ``subtotl`` for ``subtotal`` and ``invoce number`` for ``invoice number``
but not ``data`` for ``date`` (0.75).
"""

MIN_NEAR_MISS_LENGTH = 5
"""A field name shorter than this (normalized: ``tax``, ``po``, ``date``) is never a near miss.

One wrong letter in a short name is usually another word (``tax``/``tab``), so short
names match only exactly or by containment.
"""

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def field_key(name: str) -> str:
    """A name reduced to lower-case letters and digits: ``Invoice Number`` -> ``invoicenumber``."""
    return _NOT_ALNUM.sub("", name.lower())


def similarity(a: str, b: str) -> float:
    """How alike two names are once normalized by ``field_key``, from 0 to 1."""
    return difflib.SequenceMatcher(None, field_key(a), field_key(b)).ratio()


def is_near_miss(said: str, name: str, cutoff: float = NEAR_MISS_CUTOFF) -> bool:
    """Whether ``said`` is a small typo of the field name ``name`` (``invoce number``)."""
    return len(field_key(name)) >= MIN_NEAR_MISS_LENGTH and similarity(said, name) >= cutoff


def close_keys(wanted: str, keys: Iterable[str], cutoff: float = NEAR_MISS_CUTOFF) -> list[str]:
    """The keys that ``wanted`` is a near miss of (``is_near_miss``), best first, at most three."""
    near = [key for key in dict.fromkeys(keys) if is_near_miss(wanted, key, cutoff)]
    return sorted(near, key=lambda key: similarity(wanted, key), reverse=True)[:3]


def match_fields(run: Run, names: Sequence[str]) -> tuple[list[ExtractedField], list[str]]:
    """The fields ``names`` refer to (case, spaces and ``_`` ignored), and names matching none.

    A name matches a field exactly first (``"Invoice Number"`` -> ``invoice_number``),
    else by containment (``"date"`` -> ``invoice_date``, ``due_date``), else by a
    close spelling (``is_near_miss``). A path such as ``line_items[0].amount``
    selects its root field. Fields come back in the run's order, each once.
    """
    if isinstance(names, str):
        names = [names]
    available = run.fields
    keys = {id(f): field_key(f.name) for f in available}
    chosen: list[ExtractedField] = []
    unknown: list[str] = []
    for name in names:
        wanted = field_key(field_root(name.strip()))
        hits = [f for f in available if wanted and keys[id(f)] == wanted]
        if not hits and wanted:
            hits = [f for f in available if wanted in keys[id(f)] or keys[id(f)] in wanted]
        if not hits and wanted:
            close = set(close_keys(wanted, keys.values()))
            hits = [f for f in available if keys[id(f)] in close]
        if not hits:
            unknown.append(name)
        chosen += [f for f in hits if all(f is not c for c in chosen)]
    order = {id(f): index for index, f in enumerate(available)}
    return sorted(chosen, key=lambda f: order[id(f)]), unknown
