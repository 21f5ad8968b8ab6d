"""Text made safe for Slack: escaping for mrkdwn, defanging plain text, splitting to limits.

Everything that reaches Slack from a document (values, reference text, reasoning),
from Extend (names, metadata) or from a user is untrusted. Slack reads ``<...>``
in message text as control sequences: ``<!channel>``, ``<!here>``, ``<@U123>``,
``<!subteam^S1>`` ping people, ``<https://x|label>`` disguises links. Escaping
``&``, ``<`` and ``>`` as Slack documents (``&amp;`` ``&lt;`` ``&gt;``) turns
them into plain characters, so a document cannot ping anyone. ``plain_text``
objects (headers, buttons) are not parsed for mentions, but they get a zero-width
space after ``<`` before ``!``, ``@`` or ``#`` anyway, so copied text stays inert, and
are one line with controls and bidi marks escaped, as mrkdwn values are.

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

Escaping ``<`` is not enough for text that a document wrote: in mrkdwn ``*bold*``,
``_it_``, ``~s~``, backticks, a line starting ``&gt;`` (a quote) and ``:emoji:``
still format, a newline starts a line of its own and ``\\u202e`` reverses what
follows. So every document-derived string shown in mrkdwn (run and alert cards,
Show source, the Home tab, notification text) goes through one of two helpers,
both built on visible escapes for controls and bidi marks:

- ``inline`` for text read in a sentence (a field value, a file or workflow name,
  reference text quoted with ``tools.text.quoting.quote``, ``quotation``): one line (line
  breaks read as spaces, as in ``quote`` and the ``HUMAN`` value style), and a
  zero-width space around each marker that could pair, so ``*bold*`` reads as typed;
- ``inert`` for a value someone must judge before approving (a run name, a metadata
  key or value, a tag): in a code span, with newlines, controls, invisible format
  characters and bidirectional overrides written as visible escapes (``\\n``,
  ``\\u202e``), so it can neither start a line of its own nor reorder the text around it.

The agent's answer is model text that a document may have dictated, yet its own
lists and bold must keep rendering. ``defang_answer`` (before ``markdown_safe`` or
``escape``) leaves those and breaks what could deceive: ``[label](url)`` and
``![img](url)`` (a zero-width space after ``]``: the label and URL both show, as
text), a heading, quote or code fence opening a line (a zero-width space before
``#``, ``>``, the fence), a setext underline or rule, and controls or bidi marks
(visible escapes). The app itself writes no links into answers.

Escape (or defang) first, then cut to a limit: the cut never splits an escape
(``&am`` + ``p;``, or ``<`` from its zero-width space), so the result is both
safe and within the limit. Splitting prefers line ends, then spaces.
"""

from __future__ import annotations

import re
import unicodedata

from agent.safety import inert_reply
from tools.text.quoting import quote, terminal_safe

ZERO_WIDTH_SPACE = "\u200b"
_ENTITY_TAIL = re.compile(r"&[a-z]{0,4}$")
_CONTROL_OPENER = re.compile(r"<(?=[!@#])")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# controls, format characters (bidi overrides, zero-width), line and paragraph separators
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
_MARKDOWN_OPENER = re.compile(r"<(?![\s\u200b]|$)")
_ENTITY_START = re.compile(r"&(?=#?[0-9A-Za-z]{1,32};)")
_LINE_BREAKS = re.compile(r"[\r\n\t\x0b\x0c\x85\u2028\u2029]+")
# ``*``, ``_`` and ``~`` pair unless inside a word (``snake_case``); a backtick always can
_PAIRING_MARKER = re.compile(r"`|(?<![^\W_])[*_~]|[*_~](?![^\W_])")
_GUARDED_BY_NEXT = frozenset("<&:]*_~`")  # each guarded by the zero-width space after it
_EMOJI_OPENER = re.compile(r":(?=[\w+'-]+:)")
_LEADING_OPENER = re.compile(r"^(\s*)(?=[>#])")  # a quote (a heading, should Slack read one)
_LINK_CLOSER = re.compile(r"\](?=[(\[:])")  # [label](url), ![img](url), [label][ref], [ref]: url
_BLOCK_OPENER = re.compile(  # after any list markers: a heading, a quote, a code fence
    r"^((?:[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+)*[ \t]*)(?=#{1,6}(?:[ \t]|$)|>|`{3}|~{3})",
    re.MULTILINE,
)
_UNDERLINE_OR_RULE = re.compile(  # "Title\n===" is a heading; "---" a rule or a heading
    r"^([ \t]*)(?=(?:=+|-+|(?:[-*_][ \t]*){3,})[ \t]*$)", re.MULTILINE
)


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


def defang_answer(text: object) -> str:
    """The agent's answer with its lists and bold kept, and nothing that could deceive.

    Controls and bidi marks become visible escapes (``\\u001b``) and mentions get a
    zero-width space, as ``agent.safety.inert_reply`` writes any reply; ``](``, ``][`` and
    ``]:`` get a zero-width space, so ``[Approve](https://evil.example)`` shows both
    parts as text, never a link or an image; a ``#`` heading, ``>`` quote or code
    fence opening a line (after any list markers) and a setext underline or rule get
    a zero-width space before them, so they read as typed. Then ``markdown_safe``
    (streamed) or ``escape`` (posted). Idempotent.
    """
    text = _LINK_CLOSER.sub("]" + ZERO_WIDTH_SPACE, inert_reply(str(text)))
    text = _UNDERLINE_OR_RULE.sub(r"\1" + ZERO_WIDTH_SPACE, text)
    return _BLOCK_OPENER.sub(r"\1" + ZERO_WIDTH_SPACE, text)


def inline(text: object) -> str:
    """Untrusted text for a mrkdwn sentence: one line that reads as written and formats nothing.

    Line breaks read as spaces, controls and bidi marks as escapes (``\\u202e``); a
    zero-width space on both sides of each ``*``, ``_``, ``~`` or backtick that could
    pair, before a leading ``>`` or ``#``, after the colon opening an ``:emoji:`` and
    after the ``]`` of a markdown link; then ``escape``. ``*bold* `x``` shows as typed;
    ``snake_case`` is left as it is.
    """
    shown = terminal_safe(_LINE_BREAKS.sub(" ", str(text)))
    shown = _PAIRING_MARKER.sub(lambda m: ZERO_WIDTH_SPACE + m.group() + ZERO_WIDTH_SPACE, shown)
    shown = _LEADING_OPENER.sub(r"\1" + ZERO_WIDTH_SPACE, shown)
    shown = _LINK_CLOSER.sub("]" + ZERO_WIDTH_SPACE, shown)  # should Slack read markdown links
    return escape(_EMOJI_OPENER.sub(":" + ZERO_WIDTH_SPACE, shown))


def quotation(text: object, limit: int) -> str:
    """Document text (reference text) as “…” in a sentence: one line that no ” can close early.

    ``tools.text.quoting.quote`` with typographic marks (cut to ``limit``, curly quotes
    and controls escaped), then ``inline``.
    """
    return inline(quote(str(text).strip(), limit=limit, marks="typographic"))


def unescape(text: str) -> str:
    """Slack's entities back to characters (for text a user typed, before the agent reads it)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def defang_plain(text: object) -> str:
    """Plain text (headers, buttons, file titles) on one line that pings no one.

    Line breaks read as spaces, other controls and bidi marks as escapes (``\\u202e``),
    and ``<!``, ``<@``, ``<#`` are broken by a zero-width space.
    """
    one_line = terminal_safe(_LINE_BREAKS.sub(" ", str(text)))
    return _CONTROL_OPENER.sub("<" + ZERO_WIDTH_SPACE, one_line)


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
    """The largest cut <= ``limit`` splitting no ``&amp;``-style escape and no ZWSP from its mark.

    A zero-width space after ``<``, ``&``, ``:``, ``]`` or a marker (wrapped as ZWSP ``*``
    ZWSP) guards it, so a cut between the two drops that character (and the ZWSP
    before a marker) too.
    """
    match = _ENTITY_TAIL.search(text[:limit])
    if match and match.start() > 0 and text.find(";", match.start()) <= match.start() + 5:
        return match.start()
    guarded = 0 < limit < len(text) and text[limit] == ZERO_WIDTH_SPACE
    if guarded and text[limit - 1] in _GUARDED_BY_NEXT:
        limit -= 1
        if limit > 0 and text[limit - 1] == ZERO_WIDTH_SPACE:
            limit -= 1
    return limit
