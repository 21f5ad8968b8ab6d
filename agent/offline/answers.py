"""The offline model's answers, written from a normalized run: values, pages, quotes, scores.

Every sentence is built from the run the tool returned (its structured artifact),
so nothing is invented: a value is shown with ``tools.formatting`` exactly as the
CLI and Slack show it, a reference text is quoted as Extend gave it, and a missing
field is said to be missing. Document text is quoted, never obeyed, and @channel
style mentions in it are defanged so an answer cannot ping a whole Slack channel.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from agent.offline.fields import KNOWN_FIELD_NAMES, FieldMatch, match_fields
from agent.offline.intents import Understanding
from tools.formatting import EMPTY, format_confidence, format_value
from tools.models import Citation, ExtractedField, Run

MAX_QUOTE = 160
_MENTION = re.compile(r"(<!|@)(channel|here|everyone)\b", re.IGNORECASE)

HELP_TEXT = """I'm the offline assistant (no OpenAI key set), so I understand these requests:
- summarize a run: "summarize workflow_run_1234"
- a field's value and where it came from: "what is the total on workflow_run_1234 and where does it come from?"
- why a value was read that way: "why is the invoice number 36995?"
- low-confidence fields: "which fields have low confidence on workflow_run_needs_review?"
- status, tags and metadata: "what's the status of workflow_run_processing?"
- rename: "rename workflow_run_1234 to ACME March"
- tag: "tag it urgent and q3"
- set metadata: "set vendor=ACME on it"
Follow-ups like "and the invoice number?" or "rename it to ..." refer to the last run we talked about. Every change waits for your approval."""  # noqa: E501

OUT_OF_SCOPE_TEXT = (
    "I'm the offline assistant, so I only understand a fixed set of requests about "
    "Extend runs: summaries, a field's value, where it came from and why, low-confidence "
    "fields, status, and renaming, tagging or setting metadata on a run (say “help” for "
    "examples). Set OPENAI_API_KEY to ask free-form questions."
)


def defang(text: str) -> str:
    """``@channel`` / ``<!here>`` -> a look-alike that pings nobody."""
    return _MENTION.sub(lambda m: f"{m.group(1)}\u200b{m.group(2)}", text)


def which_run(action: str) -> str:
    return f"Which run should I {action}? Give me its id, e.g. workflow_run_1234."


def quote(text: str) -> str:
    flat = " ".join(text.splitlines())
    if len(flat) > MAX_QUOTE:
        flat = flat[: MAX_QUOTE - 1].rstrip() + "…"
    return f"“{flat}”"


def and_list(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# --- reading ------------------------------------------------------------------------


def answer_question(
    understanding: Understanding,
    run: Run,
    *,
    summary: str,
    earlier: Iterable[str] = (),
    low_confidence: float = 0.8,
) -> str:
    """The answer to a read request about ``run``."""
    kind = understanding.kind
    if kind == "status":
        return status_answer(run)
    if kind == "metadata":
        return metadata_answer(run)
    if kind in ("field", "low_confidence") and not run.fields:
        return f"{run.id} has no extracted fields. {status_answer(run)}\n\n{summary}".strip()
    if kind == "low_confidence":
        return low_confidence_answer(run, low_confidence)
    if kind == "field":
        return field_answer(understanding, run, earlier, low_confidence)
    return summary.strip() or status_answer(run)


def field_answer(
    understanding: Understanding, run: Run, earlier: Iterable[str], low_confidence: float
) -> str:
    names = [f.name for f in run.fields]
    matches = match_fields(understanding.text, names)
    if not matches:  # "where does it come from?" -> the field asked about before
        for question in earlier:
            matches = match_fields(question, names)
            if matches:
                break
    aspects = understanding.aspects
    if matches:
        return " ".join(
            field_sentence(run, match, aspects, low_confidence) for match in matches
        ).strip()
    if aspects & {"where", "why"}:
        lines = [f"{run.id}, field by field:"]
        for extracted in run.fields:
            match = FieldMatch(extracted.name, extracted.name)
            lines.append("- " + field_sentence(run, match, aspects, low_confidence))
        return "\n".join(lines)
    asked = match_fields(understanding.text, sorted(KNOWN_FIELD_NAMES))
    missing = f"has no {asked[0].term} field" if asked else "has no field by that name"
    return (
        f"{run.id} {missing}. Its fields are: {', '.join(names)}. "
        f"Ask about one of them, e.g. “what is the {names[0]}?”."
    )


def field_sentence(
    run: Run, match: FieldMatch, aspects: Iterable[str], low_confidence: float
) -> str:
    extracted = run.field(match.name)
    if extracted is None:
        return f"{run.id} has no field {match.name}."
    aspects = set(aspects)
    verb = "are" if isinstance(extracted.value, list) else "is"
    if extracted.value is None or format_value(extracted.value) == EMPTY:
        sentence = f"The {match.label} on {run.id} is empty (nothing was extracted for it)"
    else:
        sentence = f"The {match.label} on {run.id} {verb} {format_value(extracted.value)}"
    cited = citation_text(extracted.citations)
    if cited:
        sentence += f" — {cited}"
    scores = score_text(extracted, full="confidence" in aspects)
    if scores:
        sentence += f" ({scores})"
    sentence += "."
    if extracted.edited:
        sentence += f" A reviewer changed it from {format_value(extracted.initial_value)}."
    score = extracted.confidence
    if score is not None and score < low_confidence:
        sentence += (
            f" That is below the {format_confidence(low_confidence)} confidence threshold: "
            "check it against the document."
        )
    if "where" in aspects:
        place = location_text(extracted.citations)
        if place:
            sentence += f" On the page it sits {place}."
    if "why" in aspects:
        if extracted.reasoning:
            sentence += " Reasoning: " + " ".join(quote(r) for r in extracted.reasoning)
        else:
            sentence += " The run gives no reasoning for this field."
    return sentence


def citation_text(citations: Sequence[Citation]) -> str:
    pages = sorted({c.page for c in citations if c.page is not None})
    refs = list(dict.fromkeys(c.reference_text for c in citations if c.reference_text))
    if not pages and not refs:
        return "no citation on the document"
    parts = []
    if pages:
        parts.append(("page " if len(pages) == 1 else "pages ") + and_list([str(p) for p in pages]))
    if refs:
        shown = [quote(r) for r in refs[:3]]
        if len(refs) > 3:
            shown.append(f"{len(refs) - 3} more")
        parts.append("from " + and_list(shown))
    return ", ".join(parts)


def score_text(extracted: ExtractedField, *, full: bool = False) -> str:
    """``OCR 99.2%``, plus the model's score when asked or when it is below 100%.

    The review agent's score is on its own 1-5 scale, so it reads ``review agent 2/5``.
    """
    parts = []
    if extracted.ocr_confidence is not None:
        parts.append(f"OCR {format_confidence(extracted.ocr_confidence)}")
    model = extracted.logprobs_confidence
    if model is not None and (full or model < 1 or extracted.ocr_confidence is None):
        parts.append(f"model {format_confidence(model)}")
    if extracted.review_agent_score is not None and full:
        parts.append(f"review agent {extracted.review_agent_score:g}/5")
    return ", ".join(parts)


def location_text(citations: Sequence[Citation]) -> str:
    """Where the first boxed citation sits: a region when the page size is known, and points."""
    boxed = next((c for c in citations if c.polygon), None)
    if boxed is None:
        return ""
    xs = [p.x for p in boxed.polygon]
    ys = [p.y for p in boxed.polygon]
    box = f"x {min(xs):.0f}–{max(xs):.0f}, y {min(ys):.0f}–{max(ys):.0f} pt from the top-left"
    page = f" of page {boxed.page}" if boxed.page is not None else ""
    if boxed.page_width and boxed.page_height:
        across = _third((min(xs) + max(xs)) / 2 / boxed.page_width, ("left", "centre", "right"))
        down = _third((min(ys) + max(ys)) / 2 / boxed.page_height, ("top", "middle", "bottom"))
        return f"near the {down} {across}{page} ({box})"
    return f"at {box}{page}"


def _third(fraction: float, names: tuple[str, str, str]) -> str:
    return names[0] if fraction < 1 / 3 else names[1] if fraction < 2 / 3 else names[2]


def status_answer(run: Run) -> str:
    label = run.id if not run.name else f"{run.id} ({run.name})"
    text = f"{label} is {run.status}"
    if run.workflow.name:
        text += f", workflow {run.workflow.name}"
        if run.workflow.version:
            text += f" v{run.workflow.version}"
    text += "."
    if run.reviewed_by or run.reviewed_at:
        text += f" Reviewed by {run.reviewed_by or 'someone'}"
        text += f" at {run.reviewed_at}." if run.reviewed_at else "."
    if run.failure_reason or run.failure_message:
        reason = " ".join(p for p in (run.failure_reason, run.failure_message) if p)
        text += f" It failed: {reason.rstrip('.')}."
    elif run.in_progress:
        text += " It is still processing, so it has no results yet."
    return text


def metadata_answer(run: Run) -> str:
    name = f"is named {quote(run.name)}" if run.name else "has no name"
    tags = ", ".join(run.tags) if run.tags else "none"
    others = {k: v for k, v in run.metadata.items() if k != "tags"}
    pairs = "; ".join(f"{k} = {_meta_value(v)}" for k, v in others.items()) or "none"
    return f"{run.id} {name}. Tags: {tags}. Other metadata: {pairs}."


def low_confidence_answer(run: Run, threshold: float) -> str:
    scored = [f for f in run.fields if f.confidence is not None or f.review_agent_score is not None]
    low = [f for f in scored if f.is_low_confidence(threshold)]
    limit = format_confidence(threshold)
    if not low:
        if not scored:
            return f"{run.id} reports no confidence scores for its fields."
        weakest = min(scored, key=lambda f: f.confidence or 0)
        return (
            f"All {len(scored)} scored fields on {run.id} are at or above {limit} confidence; "
            f"the lowest is {weakest.name} ({score_text(weakest, full=True)})."
        )
    lines = [
        f"{len(low)} of {len(run.fields)} fields on {run.id} are below {limit} confidence "
        "or flagged by Extend's review agent (score 3/5 or less):"
    ]
    for extracted in sorted(low, key=lambda f: f.confidence or 0):
        line = f"- {extracted.name}: {format_value(extracted.value)}"
        cited = citation_text(extracted.citations)
        line += f" — {cited} ({score_text(extracted, full=True)})"
        lines.append(line)
    lines.append("Check these against the document.")
    return "\n".join(lines)


def _meta_value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    return format_value(value)


# --- changing ------------------------------------------------------------------------


def proposal_text(args: dict[str, Any]) -> str:
    """What the model is about to ask permission for, in words."""
    return (
        f"I'll change {args.get('run_id')}: {change_text(args)}. "
        "Nothing is written until you approve."
    )


def change_text(args: dict[str, Any]) -> str:
    parts = []
    if args.get("name") is not None:
        parts.append(f"rename it to {quote(str(args['name']))}")
    tags = [str(t) for t in args.get("add_tags") or []]
    if tags:
        parts.append(f"add the {'tag' if len(tags) == 1 else 'tags'} {and_list(tags)}")
    if args.get("metadata"):
        pairs = ", ".join(f"{k} = {_meta_value(v)}" for k, v in args["metadata"].items())
        parts.append(f"set {pairs}")
    return and_list(parts) or "make no change"


def changed_answer(args: dict[str, Any], run: Run | None, tool_text: str) -> str:
    """After an approved, successful write: what the run looks like now."""
    run_id = args.get("run_id") or (run.id if run else "the run")
    if run is None:
        return f"Done: {run_id} was changed. {tool_text}".strip()
    parts = []
    if args.get("name") is not None:
        parts.append(f"is now named {quote(run.name or '')}")
    if args.get("add_tags"):
        parts.append("is tagged " + (and_list(run.tags) or "(none)"))
    for key in args.get("metadata") or {}:
        parts.append(f"has {key} = {_meta_value(run.metadata.get(key))}")
    return f"Done: {run.id} " + (and_list(parts) or "was updated") + "."


def declined_answer(run_id: str) -> str:
    return f"OK, I did not change {run_id}: the change was not approved, so nothing was written."


def failed_change_answer(run_id: str, message: str) -> str:
    return f"I could not change {run_id}: {message.strip()}"


def failed_read_answer(run_id: str, message: str) -> str:
    return f"I could not read {run_id}: {message.strip()}"
