"""The alert card's buttons: Summarize and Show source reply in the alert's thread.

Both read the run again (it may have changed since the alert) on the work pool
after Bolt has acked the click. Summarize posts the run card; Show source posts,
for each field the alert flagged (or every field if none was flagged), its
citations: page, where on the page, and the text it was read from. Open in
Extend is a link button: Slack opens the URL and still sends the click, which
is acked. Anyone who sees the alert may click: nothing here writes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from slack_app.blocks import Block, SlackMessage, sections, split_into_messages
from slack_app.mrkdwn import code, escape, inline, quotation
from slack_app.run_card import run_card
from slack_app.webhooks.alert_card import (
    OPEN_ALERT_IN_EXTEND_ACTION,
    SHOW_SOURCE_ACTION,
    SUMMARIZE_ACTION,
)
from tools.client.errors import ExtendError
from tools.client.validation import validate_run_id
from tools.runs.models import Citation, ExtractedField, Run

logger = logging.getLogger(__name__)

MAX_CITATIONS_PER_FIELD = 5
MAX_REFERENCE_TEXT = 500


def register_alert_actions(
    app: App,
    *,
    read_run: Callable[[str], Run],
    low_confidence: float,
    submit: Callable[..., None],
) -> None:
    """Listen for the alert card's buttons; ``submit(work, *args)`` runs work on the pool."""

    def reply(
        client: WebClient, body: dict[str, Any], action: dict[str, Any], source: bool
    ) -> None:
        where = _thread_of(body)
        run_id = str(action.get("value") or "")
        if where is not None and run_id:
            submit(_answer, client, where, run_id, read_run, low_confidence, source)

    @app.action(SUMMARIZE_ACTION)
    def handle_summarize(
        ack: Ack, client: WebClient, body: dict[str, Any], action: dict[str, Any]
    ) -> None:
        ack()
        reply(client, body, action, False)

    @app.action(SHOW_SOURCE_ACTION)
    def handle_show_source(
        ack: Ack, client: WebClient, body: dict[str, Any], action: dict[str, Any]
    ) -> None:
        ack()
        reply(client, body, action, True)

    @app.action(OPEN_ALERT_IN_EXTEND_ACTION)
    def handle_open(ack: Ack) -> None:
        ack()


def _thread_of(body: dict[str, Any]) -> tuple[str, str] | None:
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    message = body.get("message") or {}
    ts = (
        message.get("thread_ts")
        or message.get("ts")
        or (body.get("container") or {}).get("message_ts")
    )
    return (str(channel), str(ts)) if channel and ts else None


def _answer(
    client: WebClient,
    where: tuple[str, str],
    run_id: str,
    read_run: Callable[[str], Run],
    low_confidence: float,
    source: bool,
) -> None:
    channel, thread_ts = where
    try:
        run = read_run(validate_run_id(run_id))
        messages = (
            source_messages(run, low_confidence=low_confidence)
            if source
            else run_card(run, low_confidence=low_confidence)
        )
    except ExtendError as error:
        messages = [SlackMessage(text=f":warning: Could not read {code(run_id)}: {escape(error)}")]
    try:
        for message in messages:
            client.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts,
                text=message.text,
                blocks=message.blocks or None,
                unfurl_links=False,
                unfurl_media=False,
            )
    except SlackClientError as error:
        logger.warning("could not reply to an alert button: %s", type(error).__name__)


def source_messages(run: Run, *, low_confidence: float) -> list[SlackMessage]:
    """Where each flagged field (or every field, if none is flagged) was read from."""
    flagged = [f for f in run.fields if f.is_low_confidence(low_confidence)]
    chosen = flagged or run.fields
    title = "*Sources of the low-confidence fields*" if flagged else "*Sources of every field*"
    files = ", ".join(inline(f.name) for f in run.files if f.name)
    lines = [f"File: {files}"] if files else []
    lines += [_field_sources(f) for f in chosen] or ["_This run has no extracted fields._"]
    blocks: list[Block] = sections(lines, title=f"{title} of {code(run.id)}")
    return split_into_messages(blocks, fallback=escape(f"Sources of run {run.id}"))


def _field_sources(field_: ExtractedField) -> str:
    head = f"*{inline(field_.name)}*"
    if not field_.citations:
        return f"{head}: _no citation_"
    cited = [_citation(c) for c in field_.citations[:MAX_CITATIONS_PER_FIELD]]
    more = len(field_.citations) - len(cited)
    tail = [f"      _…{more} more_"] if more > 0 else []
    return "\n".join([head, *cited, *tail])


def _citation(citation: Citation) -> str:
    page = f"p. {citation.page}" if citation.page is not None else "page ?"
    box = ""
    if citation.polygon:
        xs = [p.x for p in citation.polygon]
        ys = [p.y for p in citation.polygon]
        box = f", at ({min(xs):.0f}, {min(ys):.0f})–({max(xs):.0f}, {max(ys):.0f}) pt"
    text = (citation.reference_text or "").strip()
    quoted = f" {quotation(text, MAX_REFERENCE_TEXT)}" if text else ""
    return f"      • _{page}{box}_{quoted}"
