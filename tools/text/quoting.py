"""Untrusted text made safe to show: JSON-quoted, with every invisible control escaped.

Run names, metadata keys and values, field values and reference text come from
documents, users and models. Written raw into a summary, an approval prompt or a
terminal, a newline could forge a line, a quote could close a quotation early and
``\\x1b[2K`` or ``\\r`` could erase what a person is about to approve. Every
human-facing text this package produces therefore writes such strings with
``quote`` (a JSON string literal) or ``plain_or_quoted`` (bare when it is a simple
identifier such as ``vendor_id``, else quoted), and other JSON values with
``json_text``.

JSON escaping already covers C0 controls (``\\n``, ``\\u001b``); on top of it the
C1 controls (``\\x85``, ``\\x9b`` CSI), DEL, the Unicode line and paragraph
separators and the bidirectional overrides (which can reorder what a reader sees)
are written as ``\\uXXXX`` escapes. The result is still valid JSON, so
``json.loads`` gives the original text back.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["json_text", "plain_or_quoted", "quote"]

_INVISIBLE = re.compile(r"[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_SIMPLE = re.compile(r"[A-Za-z0-9_:.\-\[\]@/+#]{1,100}")


def _escape_invisible(text: str) -> str:
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def quote(text: str) -> str:
    """``text`` as a JSON string literal: delimited, quotes, newlines and controls escaped."""
    return _escape_invisible(json.dumps(text, ensure_ascii=False))


def json_text(value: Any) -> str:
    """Any JSON value on one line (strings quoted), with controls escaped as in ``quote``."""
    return _escape_invisible(json.dumps(value, ensure_ascii=False))


def plain_or_quoted(text: str) -> str:
    """``vendor_id`` or ``line_items[0].amount`` as is; anything else (spaces, controls) quoted."""
    return text if _SIMPLE.fullmatch(text) else quote(text)
