"""A requested write in words, from the tool call's arguments alone (no I/O).

The approval gate's description, the session's fallback when Extend cannot be read
for a before -> after preview, and the offline model's "I'll change ..." proposal
all word a change the same way, so a person sees one phrasing wherever they are
asked. (The before -> after line, once Extend has been read, is
``tools.faces.run_change.RunChange.describe``.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tools.faces.run_change import NULL_NOTE
from tools.text.formatting import format_value
from tools.text.quoting import quote

REFUSED_PREFIX = "Not proposed to the user and nothing was written: "
"""How a change the tools refuse as proposed comes back to the model (``agent.session``)."""


def and_list(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def change_phrase(args: Mapping[str, Any]) -> str:
    """``rename it to “ACME March”, add the tag urgent and set vendor = ACME`` ("" if none)."""
    parts = []
    if args.get("name") is not None:
        parts.append(f"rename it to {quote(str(args['name']), marks='typographic')}")
    tags = args.get("add_tags")
    if isinstance(tags, list) and tags:
        shown = [str(tag) for tag in tags]
        parts.append(f"add the {'tag' if len(shown) == 1 else 'tags'} {and_list(shown)}")
    removed = args.get("remove_tags")
    if isinstance(removed, list) and removed:
        shown = [str(tag) for tag in removed]
        parts.append(f"remove the {'tag' if len(shown) == 1 else 'tags'} {and_list(shown)}")
    metadata = args.get("metadata")
    if isinstance(metadata, Mapping) and metadata:
        parts.append("set " + ", ".join(_setting(k, v) for k, v in metadata.items()))
        if any(v is None for v in metadata.values()):  # a "removed" key is stored as null
            parts[-1] += NULL_NOTE
    return and_list(parts)


def _setting(key: str, value: Any) -> str:
    return f"{key} = {'null' if value is None else format_value(value)}"


def describe_write(args: Mapping[str, Any]) -> str:
    """``On workflow_run_1234: rename it to “ACME March” and add the tag urgent``."""
    run_id = args.get("run_id") or "(no run id)"
    phrase = change_phrase(args)
    if not phrase:
        return f"Change {run_id} (no name, metadata or tags given)"
    return f"On {run_id}: {phrase}"
