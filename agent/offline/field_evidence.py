"""How a field's value is backed, in words: the pages and reference text cited, the scores.

Reference text is quoted exactly as Extend gave it, and scores are written with
``tools.text.formatting``'s ``HUMAN`` style (``OCR 99%``, ``74% (low)``). A position
on the page is stated only from a box with an area, never from made-up coordinates.
"""

from __future__ import annotations

from collections.abc import Sequence

from agent.change_text import and_list
from agent.offline.wording import MAX_QUOTE
from tools.images.locate import citation_has_box, is_normalized
from tools.runs.models import Citation, ExtractedField
from tools.text.formatting import HUMAN, format_confidence
from tools.text.quoting import quote


def citation_text(citations: Sequence[Citation], *, leave_out: str | None = None) -> str:
    """``page 1, from “TOTAL $15,735.10”``; a reference text equal to ``leave_out`` (the value,
    already quoted) is not quoted twice."""
    refs = list(dict.fromkeys(c.reference_text for c in citations if c.reference_text))
    if leave_out is not None:
        refs = [r for r in refs if " ".join(r.split()) != " ".join(leave_out.split())]
    pages = pages_text(citations)
    if not pages and not refs:
        return "no citation on the document"
    parts = [pages] if pages else []
    if refs:
        shown = [quote(r, limit=MAX_QUOTE, marks="typographic") for r in refs[:3]]
        if len(refs) > 3:
            shown.append(f"{len(refs) - 3} more")
        parts.append("from " + and_list(shown))
    return ", ".join(parts)


def pages_text(citations: Sequence[Citation]) -> str:
    """``page 1`` / ``pages 1 and 2``: the pages cited, or "" when none is."""
    pages = sorted({c.page for c in citations if c.page is not None})
    if not pages:
        return ""
    return ("page " if len(pages) == 1 else "pages ") + and_list([str(p) for p in pages])


def score_text(
    extracted: ExtractedField, *, full: bool = False, low_confidence: float | None = None
) -> str:
    """``OCR 99%``, plus the model's score when asked or when it is below 100%.

    Scores are whole percent (``HUMAN``); one below ``low_confidence`` reads ``74% (low)``.
    The review agent's score is on its own 1-5 scale, so it reads ``review agent 2/5``.
    """

    def shown(score: float) -> str:
        low = low_confidence is not None and score < low_confidence
        return format_confidence(score, HUMAN, low=low)

    parts = []
    if extracted.ocr_confidence is not None:
        parts.append(f"OCR {shown(extracted.ocr_confidence)}")
    model = extracted.logprobs_confidence
    if model is not None and (full or model < 1 or extracted.ocr_confidence is None):
        parts.append(f"model {shown(model)}")
    if extracted.review_agent_score is not None and full:
        parts.append(f"review agent {extracted.review_agent_score:g}/5")
    return ", ".join(parts)


def location_text(citations: Sequence[Citation]) -> str:
    """Where the first boxed citation sits: a region when the page size is known, and points.

    Only a box with an area counts (``citation_has_box``): a missing or zero-area polygon
    gives "" (no position), never made-up coordinates. A legacy box in fractions of the
    page is a region and percentages.
    """
    boxed = next((c for c in citations if citation_has_box(c)), None)
    if boxed is None:
        return ""
    xs = [p.x for p in boxed.polygon]
    ys = [p.y for p in boxed.polygon]
    page = f" of page {boxed.page}" if boxed.page is not None else ""
    if is_normalized(tuple((p.x, p.y) for p in boxed.polygon)):
        across = _third((min(xs) + max(xs)) / 2, ("left", "centre", "right"))
        down = _third((min(ys) + max(ys)) / 2, ("top", "middle", "bottom"))
        box = (
            f"{min(xs) * 100:.0f}–{max(xs) * 100:.0f}% across, "
            f"{min(ys) * 100:.0f}–{max(ys) * 100:.0f}% down the page"
        )
        return f"near the {down} {across}{page} ({box})"
    box = f"x {min(xs):.0f}–{max(xs):.0f}, y {min(ys):.0f}–{max(ys):.0f} pt from the top-left"
    if boxed.page_width and boxed.page_height:
        across = _third((min(xs) + max(xs)) / 2 / boxed.page_width, ("left", "centre", "right"))
        down = _third((min(ys) + max(ys)) / 2 / boxed.page_height, ("top", "middle", "bottom"))
        return f"near the {down} {across}{page} ({box})"
    return f"at {box}{page}"


def _third(fraction: float, names: tuple[str, str, str]) -> str:
    return names[0] if fraction < 1 / 3 else names[1] if fraction < 2 / 3 else names[2]
