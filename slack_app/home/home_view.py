"""The App Home tab: runs needing review, recent failures, and what to ask.

A ``home`` view for ``views.publish``. Run names, files and workflows are shown
``mrkdwn.inline`` (one line, escaped, no formatting of their own); each run links
to Extend when it has a dashboard link. At most ``MAX_RUNS_SHOWN`` runs per list
keeps the view far under Slack's 100 blocks.
"""

from __future__ import annotations

from typing import Any

from slack_app.blocks import Block, context, header, sections
from slack_app.mrkdwn import code, escape, inline, truncate
from slack_app.webhooks.alert_card import OPEN_ALERT_IN_EXTEND_ACTION
from tools.runs.listing import RunListItem

MAX_RUNS_SHOWN = 10
MAX_LINE = 500
HOW_TO_ASK = (
    "Mention me in a channel or send me a direct message and name the run. "
    "I answer from the run's extracted fields and citations, and I show every change "
    "(rename, tags, metadata) for approval before making it."
)


def home_view(
    *,
    needing_review: list[RunListItem],
    failures: list[RunListItem],
    prompts: list[dict[str, str]],
    updated: str,
    problem: str | None = None,
) -> dict[str, Any]:
    blocks: list[Block] = [header("Extend runs"), context(f"Updated {escape(updated)}")]
    if problem:
        blocks += sections([f":warning: Couldn't read runs from Extend: {inline(problem)}"])
    else:
        blocks += _run_list(":eyes: *Needs review*", needing_review, "Nothing is waiting.")
        blocks.append({"type": "divider"})
        blocks += _run_list(":x: *Recent failures*", failures, "No failed runs.")
    blocks.append({"type": "divider"})
    lines = [f"• _{inline(p['message'])}_" for p in prompts]
    blocks += sections(lines or ["_No suggestions right now._"], title="*Try asking*")
    blocks.append(context(escape(HOW_TO_ASK)))
    return {"type": "home", "blocks": blocks}


def _run_list(title: str, runs: list[RunListItem], empty: str) -> list[Block]:
    blocks: list[Block] = sections([f"{title} · {len(runs)}" if runs else title])
    if not runs:
        return [*blocks, context(f"_{escape(empty)}_")]
    for run in runs[:MAX_RUNS_SHOWN]:
        block: Block = {"type": "section", "text": {"type": "mrkdwn", "text": _line(run)}}
        url = run.dashboard_url
        if url and url.startswith(("https://", "http://")):
            block["accessory"] = {
                "type": "button",
                "text": {"type": "plain_text", "text": "Open in Extend"},
                "url": url,
                "action_id": OPEN_ALERT_IN_EXTEND_ACTION,
                "value": run.id,
            }
        blocks.append(block)
    return blocks


def _line(run: RunListItem) -> str:
    parts = [code(run.id)]
    if run.name:
        parts.append(inline(run.name))
    if run.file_names:
        parts.append("file " + ", ".join(inline(n) for n in run.file_names[:3]))
    if run.workflow.name:
        parts.append(f"workflow {inline(run.workflow.name)}")
    if run.when:
        parts.append(f"updated {inline(run.when)}")
    return truncate(" · ".join(parts), MAX_LINE)
