"""Untrusted text made safe to show: JSON-quoted, with every invisible control escaped.

Run names, metadata keys and values, field values and reference text come from
documents, users and models. Written raw into a summary, an approval prompt or a
terminal, a newline could forge a line, a quote could close a quotation early and
``\\x1b[2K`` or ``\\r`` could erase what a person is about to approve. Every
human-facing text this package produces therefore writes such strings with
``quote`` or ``plain_or_quoted`` (bare when it is a simple identifier such as
``vendor_id``, else quoted), and other JSON values with ``json_text``. ``quote`` is
the package's one quoting: a JSON string literal for the text models read
(summaries, tool results) or, with ``marks="typographic"``, “text” for the answers
a person reads (the offline model, approval descriptions), with the same escapes.

JSON escaping already covers C0 controls (``\\n``, ``\\u001b``); on top of it the
C1 controls (``\\x85``, ``\\x9b`` CSI), DEL, the Unicode line and paragraph
separators and the bidirectional overrides (which can reorder what a reader sees)
are written as ``\\uXXXX`` escapes. The result is still valid JSON, so
``json.loads`` gives the original text back. ``escape_invisible`` applies that
second step alone to text that is already JSON (a pretty-printed document), and
``terminal_safe`` makes any text inert for a terminal without quoting it: every
control (line breaks included) is shown as an escape.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

__all__ = [
    "QuoteMarks",
    "escape_invisible",
    "json_text",
    "plain_or_quoted",
    "quote",
    "terminal_safe",
]

_INVISIBLE = re.compile(r"[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_SIMPLE = re.compile(r"[A-Za-z0-9_:.\-\[\]@/+#]{1,100}")


def _escape_invisible(text: str) -> str:
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


_TERMINAL_UNSAFE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_invisible(json_text: str) -> str:
    """JSON text with C1 controls, DEL, line separators and bidi marks as ``\\uXXXX`` escapes."""
    return _escape_invisible(json_text)


def terminal_safe(text: str) -> str:
    """``text`` unquoted but inert: every control, line break and bidi mark as an escape."""
    return _TERMINAL_UNSAFE.sub(
        lambda m: _SHORT_ESCAPES.get(m.group()) or f"\\u{ord(m.group()):04x}", text
    )


QuoteMarks = Literal["json", "typographic"]
# A JSON-escaped straight quote (``\"``), not an escaped backslash before a quote.
_ESCAPED_QUOTE = re.compile(r'(?<!\\)((?:\\\\)*)\\"')


def quote(text: str, *, limit: int | None = None, marks: QuoteMarks = "json") -> str:
    """``text`` delimited on one line: quotes, newlines and controls escaped.

    ``marks="json"`` (the default) gives a JSON string literal, ``"TOTAL  $15,735.1"``;
    ``"typographic"`` gives ``“TOTAL  $15,735.1”`` for a person: line breaks read as
    spaces, straight quotes stay as they are, and curly ones are escaped (so the
    quotation cannot be closed early) like every control. ``limit`` cuts longer
    text to that many characters, the last one ``…``.
    """
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)].rstrip() + "…"
    if marks == "json":
        return _escape_invisible(json.dumps(text, ensure_ascii=False))
    body = json.dumps(" ".join(text.splitlines()), ensure_ascii=False)[1:-1]
    body = _ESCAPED_QUOTE.sub(r'\1"', body).replace("“", "\\u201c").replace("”", "\\u201d")
    return f"“{_escape_invisible(body)}”"


def json_text(value: Any) -> str:
    """Any JSON value on one line (strings quoted), with controls escaped as in ``quote``."""
    return _escape_invisible(json.dumps(value, ensure_ascii=False))


def plain_or_quoted(text: str) -> str:
    """``vendor_id`` or ``line_items[0].amount`` as is; anything else (spaces, controls) quoted."""
    return text if _SIMPLE.fullmatch(text) else quote(text)
