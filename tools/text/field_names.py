"""Which extracted fields a list of names means: the one field-name matcher of the package.

Callers name fields loosely: a model passes ``"Invoice Number"`` or ``"subtotl"``, a
person types ``date``. ``match_fields`` resolves such names against a run's fields
(exact, then containment, then a near miss), ignoring case, spaces and ``_``;
``field_key`` and ``is_near_miss`` are the normalization and the typo rule it uses,
public so other matchers (the offline model's phrase matcher) share one rule and
one cutoff instead of keeping their own.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from tools.runs.normalize import field_root

if TYPE_CHECKING:
    from tools.runs.models import ExtractedField, Run

__all__ = ["NEAR_MISS_CUTOFF", "close_keys", "field_key", "is_near_miss", "match_fields"]

NEAR_MISS_CUTOFF = 0.8
"""``difflib`` similarity (0-1) from which two normalized names count as a typo of each other.

0.8 takes ``subtotl`` for ``subtotal`` and ``invoce number`` for ``invoice number``
but not ``data`` for ``date`` (0.75).
"""

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def field_key(name: str) -> str:
    """A name reduced to lower-case letters and digits: ``Invoice Number`` -> ``invoicenumber``."""
    return _NOT_ALNUM.sub("", name.lower())


def is_near_miss(a: str, b: str, cutoff: float = NEAR_MISS_CUTOFF) -> bool:
    """Whether two names (normalized by ``field_key``) differ only by a small typo."""
    return difflib.SequenceMatcher(None, field_key(a), field_key(b)).ratio() >= cutoff


def close_keys(wanted: str, keys: Iterable[str], cutoff: float = NEAR_MISS_CUTOFF) -> list[str]:
    """The keys of ``keys`` within ``cutoff`` of ``wanted``, best first (at most three)."""
    return difflib.get_close_matches(wanted, list(keys), n=3, cutoff=cutoff)


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
