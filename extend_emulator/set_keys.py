"""Copy the keys a run, step or file has set: the one idiom ingest and render share.

Extend leaves a key out rather than send ``null`` for most optional fields, and the
emulator's stored form does the same; both directions copy "the keys that are set",
so that copy is written once here.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, MutableMapping
from typing import Any


def copy_set_keys(
    target: MutableMapping[str, Any], source: Mapping[str, Any], keys: Iterable[str]
) -> None:
    """Each of ``keys`` whose value in ``source`` is not None, deep-copied into ``target``."""
    for key in keys:
        if source.get(key) is not None:
            target[key] = copy.deepcopy(source[key])
