"""Block Kit listeners: Approve, Cancel, the Open in Extend link, and Show source.

Approve (behind a confirm dialog) applies the change and Cancel drops it (nothing
is written), each only if the clicking person may decide; both are decided on
the work pool. Open in Extend is a link button: Slack opens the URL and still
sends the click, which is acked. Show source (a run card's menu of fields) uploads
where the picked field was read into the card's thread, on the work pool.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from slack_app.change_view import APPROVE_ACTION, CANCEL_ACTION
from slack_app.citation_upload import (
    SHOW_SOURCE_ACTION,
    SourceRequest,
    clicked_thread,
    show_source,
)
from slack_app.run_card import OPEN_IN_EXTEND_ACTION
from slack_app.services import SlackServices
from slack_app.thread_replier import ThreadReplier


def register(app: App, services: SlackServices) -> None:
    @app.action(APPROVE_ACTION)
    def handle_approve(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond
    ) -> None:
        ack()
        decide_on_click(services, body, action, respond, approve=True)

    @app.action(CANCEL_ACTION)
    def handle_cancel(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond
    ) -> None:
        ack()
        decide_on_click(services, body, action, respond, approve=False)

    @app.action(OPEN_IN_EXTEND_ACTION)
    def handle_open_in_extend(ack: Ack) -> None:
        ack()

    @app.action(SHOW_SOURCE_ACTION)
    def handle_show_source(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        show_source_on_click(services, body, action)


def show_source_on_click(
    services: SlackServices, body: dict[str, Any], action: dict[str, Any]
) -> None:
    """A field picked in a card's "Show source" menu: upload its crop on the work pool."""
    request = SourceRequest.from_option_value((action.get("selected_option") or {}).get("value"))
    channel_id, thread_ts = clicked_thread(body)
    if request is None or not channel_id:
        return
    conversations = services.conversations
    replier = ThreadReplier(conversations.client, channel_id=channel_id, thread_ts=thread_ts)
    user_id = (body.get("user") or {}).get("id")
    services.run_in_background(
        show_source, conversations.session.run_tools, replier, request, user_id=user_id
    )


def decide_on_click(
    services: SlackServices,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond | None,
    *,
    approve: bool,
) -> None:
    """Read who clicked what; decide on the work pool."""
    user_id = str((body.get("user") or {}).get("id") or "")
    channel_id = (body.get("channel") or {}).get("id")
    approval_id = str(action.get("value") or "")
    # The clicked message's ts: the proposal can be clicked before its ts is stored.
    message_ts = (body.get("container") or {}).get("message_ts") or (body.get("message") or {}).get(
        "ts"
    )
    if not user_id or not approval_id:
        return
    services.run_in_background(
        services.decisions.decide,
        approval_id,
        user_id,
        approve,
        channel_id=channel_id,
        respond=respond,
        message_ts=message_ts,
    )
