"""Keep a run summary within what a model (or a person) can take, saying exactly what was cut.

A summary lists every value of a run, so a run with megabytes of extracted text
or metadata gives a summary of millions of characters (a 16 MB run gave 10.6
million), which no model context holds and which costs real money to send.
``cap_summary`` first shortens any single line longer than ``max_line_chars``
(a giant value), then keeps whole lines up to ``max_chars``, and ends with a
note giving what was left out (characters, lines, where the cut begins) and how
to see it: ask for the fields wanted by name.
"""

from __future__ import annotations

from tools.text.quoting import quote

__all__ = ["MAX_LINE_CHARS", "MAX_SUMMARY_CHARS", "cap_summary"]

MAX_SUMMARY_CHARS = 40_000
"""About 10k tokens: room for a few hundred fields with pages and reference text."""
MAX_LINE_CHARS = 4_000


def cap_summary(
    text: str, *, max_chars: int = MAX_SUMMARY_CHARS, max_line_chars: int = MAX_LINE_CHARS
) -> str:
    """``text`` unchanged if it fits; otherwise shortened, with a note saying what was cut."""
    if len(text) <= max_chars and all(len(line) <= max_line_chars for line in text.split("\n")):
        return text
    lines = text.split("\n")
    shortened = 0
    kept: list[str] = []
    size = 0
    for index, line in enumerate(lines):
        if len(line) > max_line_chars:
            cut = len(line) - max_line_chars
            shortened += 1
            line = f"{line[:max_line_chars]}... [{cut:,} more characters of this line cut]"
        if size + len(line) + 1 > max_chars and kept:
            rest = lines[index:]
            rest_chars = sum(len(r) + 1 for r in rest)
            kept.append(
                f"[Summary cut: the full summary is {len(text):,} characters and the limit is "
                f"{max_chars:,}; the last {len(rest):,} of {len(lines):,} lines "
                f"({rest_chars:,} characters) are not shown, starting at "
                f"{quote(rest[0][:80])}. Ask for specific fields by name to see them.]"
            )
            return "\n".join(kept)
        kept.append(line)
        size += len(line) + 1
    kept.append(
        f"[Summary shortened: {shortened:,} line(s) longer than {max_line_chars:,} characters "
        "were cut as marked. Ask for specific fields by name to see them in full.]"
    )
    return "\n".join(kept)
