"""The offline model's extra step for "where is the total on the page?": draw the citation.

A turn is normally one tool call and an answer. When the question asks where a
field was read ("where", "which page", "comes from", "source") and names fields
that have a box on the page, the offline model, once ``get_run`` has answered,
also calls ``show_citation`` for those fields (at most ``MAX_IMAGES``); the
answer is then the usual field sentence plus one line per image. The images
themselves travel as the tool's artifact, for the front end to show (Slack
uploads them into the thread, the CLI writes them to files).

Fields are read from the person's own question (or, naming none, from their
earlier questions, as ``agent.offline.field_answers`` does), never from
document text.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.messages.tool import tool_call

from agent.change_text import and_list
from agent.offline.conversation import Turn, artifact_run, earlier_questions, message_text
from agent.offline.fields import read_fields
from agent.offline.intents import understand
from agent.offline.references import named_reference
from agent.offline.run_finding import resolved_run
from tools.faces.tool_names import FIND_RUNS, GET_RUN, SHOW_CITATION
from tools.runs.models import Run
from tools.text.formatting import format_field_name

__all__ = ["MAX_IMAGES", "citation_calls", "citation_lines", "without_citations"]

MAX_IMAGES = 3
"""Fields drawn for one question; a question naming more gets the first ones."""


def citation_calls(turn: Turn, tool_names: Any) -> AIMessage | None:
    """``show_citation`` calls for the fields a "where" question names, once ``get_run`` answered.

    None when the question is not such a question, the tool is not bound, this turn
    already drew, or no named field has a box to draw.
    """
    if tool_names is not None and SHOW_CITATION not in tool_names:
        return None
    if any(call.get("name") == SHOW_CITATION for call in turn.calls.values()):
        return None
    result = turn.results[-1]
    call = turn.call_for(result) or {}
    if call.get("name") not in (GET_RUN, FIND_RUNS) or result.status == "error":
        return None
    question = turn.question
    if call.get("name") == FIND_RUNS:  # "where is the VAT on the Northwind invoice?"
        run = resolved_run(result)
        named = named_reference(question)
        question = named.rest if named is not None else question
    else:
        run = artifact_run(result)
    if run is None:
        return None
    names = [f.name for f in run.fields]
    understanding = understand(question, tuple(names))
    if understanding.kind != "field" or "where" not in understanding.aspects:
        return None
    reading = read_fields(question, names)
    if not reading.names_a_field:
        earlier = (read_fields(q, names) for q in earlier_questions(turn.history))
        reading = next((r for r in earlier if r.names_a_field), reading)
    boxed = [m.name for m in reading.matches if _has_box(run, m.name)]
    fields = list(dict.fromkeys(boxed))[:MAX_IMAGES]
    if not fields:
        return None
    calls = [
        tool_call(
            name=SHOW_CITATION,
            args={"run_id": run.id, "field": name},
            id=f"offline_{uuid.uuid4().hex[:16]}",
        )
        for name in fields
    ]
    return AIMessage(content="", tool_calls=calls)


def without_citations(turn: Turn) -> Turn:
    """The turn as if ``show_citation`` had not been called (what the usual answer reads)."""
    kept = [r for r in turn.results if not _is_citation(turn, r)]
    return replace(turn, results=kept)


def citation_lines(turn: Turn) -> list[str]:
    """One sentence per ``show_citation`` result of this turn: what the image shows, or why none."""
    lines = []
    for result in turn.results:
        if not _is_citation(turn, result):
            continue
        call = turn.call_for(result) or {}
        field = format_field_name(str((call.get("args") or {}).get("field") or "field"))
        artifact = result.artifact if isinstance(result.artifact, dict) else {}
        images = artifact.get("images") or []
        if result.status == "error" or not images:
            lines.append(f"I could not draw where the {field} was read: {message_text(result)}")
            continue
        pages = [str(image.get("page")) for image in images if isinstance(image, dict)]
        where = ("page " if len(pages) == 1 else "pages ") + and_list(pages)
        count = "The image shows" if len(images) == 1 else f"The {len(images)} images show"
        lines.append(f"{count} the {field} highlighted on {where}.")
    return lines


def _is_citation(turn: Turn, result: ToolMessage) -> bool:
    call = turn.call_for(result) or {}
    return (call.get("name") or result.name) == SHOW_CITATION


def _has_box(run: Run, name: str) -> bool:
    """Whether the field cites a region with an area (a zero-area polygon is no box to draw)."""
    from tools.images.locate import citation_has_box

    extracted = run.field(name)
    return extracted is not None and any(citation_has_box(c) for c in extracted.citations)
