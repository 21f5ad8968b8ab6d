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
separators and every format character (Unicode category Cf: the bidirectional
overrides, which can reorder what a reader sees; zero-width spaces and joiners,
the word joiner, the byte order mark and the soft hyphen, which hide inside a word;
the tag characters U+E0000-U+E007F, which can spell out instructions a model reads
but a person never sees) are written as ``\\uXXXX`` escapes (above U+FFFF a
surrogate pair in JSON, ``\\U000e0041`` for a person). The result is still valid
JSON, so ``json.loads`` gives the original text back. ``escape_invisible`` applies
that second step alone to text that is already JSON (a pretty-printed document), and
``terminal_safe`` makes any text inert for a terminal without quoting it: every
control (line breaks included) and format character is shown as an escape.

One zero-width space is left as it is: the one a mention neutralizer puts inside
``<!channel>``, ``<@U123>`` or ``@here`` (``agent.safety.neutralize_mentions``,
Slack's ``defang_plain``), so text neutralized before it is quoted or made inert
keeps its mentions defanged and readable. Anywhere else it is escaped.
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

# Unicode's format characters (category Cf, as of Unicode 15; the whole tag block,
# unassigned ones included), the line and paragraph separators, and lone surrogates
# (JSON can carry them, no terminal or UTF-8 stream can: printed raw, they crash).
_FORMAT_AND_SEPARATORS = (
    "\\xad\\u0600-\\u0605\\u061c\\u06dd\\u070f\\u0890\\u0891\\u08e2\\u180e"
    "\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ud800-\\udfff"
    "\\ufeff\\ufff9-\\ufffb"
    "\\U000110bd\\U000110cd\\U00013430-\\U0001343f\\U0001bca0-\\U0001bca3"
    "\\U0001d173-\\U0001d17a\\U000e0000-\\U000e007f"
)
# The zero-width space a mention neutralizer puts in ``<!channel>``, ``<@U1>`` or ``@here``
# (``agent.safety``: ``<!\u200bchannel>``; Slack's ``defang_plain``: ``<\u200b!channel>``):
# kept, so text neutralized before it is quoted does not show it as ``\u200b``.
# (Checked after a character matched, so plain text costs nothing extra.)
_NOT_DEFANGING_SPACE = (
    r"(?<!<[!@#]\u200b)(?!(?<=<\u200b)[!@#])(?!(?<=@\u200b)(?i:channel|here|everyone)\b)"
)
_INVISIBLE = re.compile(f"[\\x7f-\\x9f{_FORMAT_AND_SEPARATORS}]{_NOT_DEFANGING_SPACE}")
_TERMINAL_UNSAFE = re.compile(
    f"[\\x00-\\x1f\\x7f-\\x9f{_FORMAT_AND_SEPARATORS}]{_NOT_DEFANGING_SPACE}"
)
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_SIMPLE = re.compile(r"[A-Za-z0-9_:.\-\[\]@/+#]{1,100}")


def _json_escape(match: re.Match[str]) -> str:
    """``\\u200b``; above U+FFFF a surrogate pair (``\\udb40\\udc41``), as JSON requires."""
    code = ord(match.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def _visible_escape(match: re.Match[str]) -> str:
    """``\\n``, ``\\u200b``; above U+FFFF ``\\U000e0041`` (as ``agent.safety.inert_reply``)."""
    char = match.group()
    code = ord(char)
    return _SHORT_ESCAPES.get(char) or (f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")


def _escape_invisible(text: str) -> str:
    return _INVISIBLE.sub(_json_escape, text)


def escape_invisible(json_text: str) -> str:
    """JSON text with C1 controls, DEL, line separators and format characters as escapes."""
    return _escape_invisible(json_text)


def terminal_safe(text: str) -> str:
    """``text`` unquoted but inert: every control, line break and format character as an escape."""
    return _TERMINAL_UNSAFE.sub(_visible_escape, text)


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
    return f"“{_INVISIBLE.sub(_visible_escape, body)}”"


def json_text(value: Any) -> str:
    """Any JSON value on one line (strings quoted), with controls escaped as in ``quote``."""
    return _escape_invisible(json.dumps(value, ensure_ascii=False))


def plain_or_quoted(text: str) -> str:
    """``vendor_id`` or ``line_items[0].amount`` as is; anything else (spaces, controls) quoted."""
    return text if _SIMPLE.fullmatch(text) else quote(text)
