"""Text made safe for Slack: escaping for mrkdwn, defanging plain text, splitting to limits.

Everything that reaches Slack from a document (values, reference text, reasoning),
from Extend (names, metadata) or from a user is untrusted. Slack reads ``<...>``
in message text as control sequences: ``<!channel>``, ``<!here>``, ``<@U123>``,
``<!subteam^S1>`` ping people, ``<https://x|label>`` disguises links. Escaping
``&``, ``<`` and ``>`` as Slack documents (``&amp;`` ``&lt;`` ``&gt;``) turns
them into plain characters, so a document cannot ping anyone. ``plain_text``
objects (headers, buttons) are not parsed for mentions, but they get a zero-width
space after ``<`` before ``!``, ``@`` or ``#`` anyway, so copied text stays inert.

Streamed answers are different: ``chat.startStream`` / ``appendStream`` take
``markdown_text``, "message text formatted in markdown" (standard markdown, the
same as the ``markdown`` block, whose escape is a backslash, ``\\*``), not mrkdwn.
Slack does not document that it decodes ``&amp;``/``&lt;``/``&gt;`` there, and an
answer escaped for mrkdwn showed ``before -&gt; after`` when streamed. So streamed
text is sent with no entities at all (``markdown_safe``): ``&``, ``<`` and ``>``
stay characters, and a zero-width space after ``<`` (before anything but a space)
and after an ``&`` that would start an entity keeps ``<!channel>``, ``<@U123>``,
``<https://x|label>`` and ``&lt;!here&gt;`` from ever becoming a token, whether or
not Slack decodes entities in markdown. The text reads the same either way.

A value someone must judge before approving (a run name, a metadata key or value,
a tag) is shown ``inert``: in a code span, with newlines, controls, invisible
format characters and bidirectional overrides written as visible escapes
(``\\n``, ``\\u202e``), so it can neither start a line of its own nor reorder
the text around it.

Escape (or defang) first, then cut to a limit: the cut never splits an escape
(``&am`` + ``p;``, or ``<`` from its zero-width space), so the result is both
safe and within the limit. Splitting prefers line ends, then spaces.
"""

from __future__ import annotations

import re
import unicodedata

ZERO_WIDTH_SPACE = "\u200b"
_ENTITY_TAIL = re.compile(r"&[a-z]{0,4}$")
_CONTROL_OPENER = re.compile(r"<(?=[!@#])")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# controls, format characters (bidi overrides, zero-width), line and paragraph separators
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
_MARKDOWN_OPENER = re.compile(r"<(?![\s\u200b]|$)")
_ENTITY_START = re.compile(r"&(?=#?[0-9A-Za-z]{1,32};)")


def escape(text: object) -> str:
    """``&``, ``<``, ``>`` as Slack entities: the text shows as typed and pings no one."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def markdown_safe(text: object) -> str:
    """Text for ``markdown_text`` (streamed answers): no entities, and no ``<...>`` token.

    ``a -> b & <!channel>`` becomes ``a -> b & <\u200b!channel>``: it reads as typed, and
    neither a mention, a link nor an HTML entity survives. Idempotent.
    """
    text = _ENTITY_START.sub("&" + ZERO_WIDTH_SPACE, str(text))
    return _MARKDOWN_OPENER.sub("<" + ZERO_WIDTH_SPACE, text)


def unescape(text: str) -> str:
    """Slack's entities back to characters (for text a user typed, before the agent reads it)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def defang_plain(text: object) -> str:
    """Plain text (headers, buttons) with ``<!``, ``<@``, ``<#`` broken by a zero-width space."""
    return _CONTROL_OPENER.sub("<" + ZERO_WIDTH_SPACE, str(text))


def code(text: object) -> str:
    """Inline code; backticks inside are replaced so the span cannot be closed early."""
    return "`" + escape(str(text).replace("`", "ˋ")) + "`"


def reveal(text: object) -> str:
    """``text`` with newlines, controls and invisible format characters as visible escapes."""
    return "".join(_revealed(char) for char in str(text))


def inert(text: object) -> str:
    """An untrusted value as a code span that shows exactly what it holds (see ``reveal``)."""
    shown = reveal(text)
    if not shown:
        return "_(empty)_"
    return code(shown) if shown.strip() else f"{code(shown)} _(spaces only)_"


def _revealed(char: str) -> str:
    if char in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[char]
    if unicodedata.category(char) in _INVISIBLE_CATEGORIES:
        return f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}"
    return char


def user_mention(user_id: str | None) -> str:
    """``<@U123>`` for a well-formed Slack user id, else a neutral word (never raw input)."""
    if user_id and _USER_ID.match(user_id):
        return f"<@{user_id}>"
    return "someone"


def truncate(text: str, limit: int, *, ellipsis: str = "…") -> str:
    """``text`` cut to at most ``limit`` characters, ending in ``…``, never inside an escape."""
    if len(text) <= limit:
        return text
    cut = _safe_cut(text, max(0, limit - len(ellipsis)))
    return text[:cut] + ellipsis


def split_text(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at a line end or space if any."""
    pieces = [piece.rstrip("\n") for piece in partition_text(text, limit)]
    return [piece for piece in pieces if piece] or [""]


def partition_text(text: str, limit: int) -> list[str]:
    """Like ``split_text`` but loses nothing: ``"".join(partition_text(t, n)) == t``."""
    if limit <= 0:
        raise ValueError("limit must be positive")
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = window.rfind("\n")
        if cut < limit // 2:
            cut = window.rfind(" ")
        cut = cut + 1 if cut >= limit // 2 else _safe_cut(rest, limit)
        pieces.append(rest[:cut])
        rest = rest[cut:]
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def _safe_cut(text: str, limit: int) -> int:
    """The largest cut <= ``limit`` splitting neither ``&amp;``-style escapes nor ``<``+ZWSP."""
    match = _ENTITY_TAIL.search(text[:limit])
    if match and match.start() > 0 and text.find(";", match.start()) <= match.start() + 5:
        return match.start()
    if 0 < limit < len(text) and text[limit - 1] == "<" and text[limit] == ZERO_WIDTH_SPACE:
        return limit - 1
    return limit
