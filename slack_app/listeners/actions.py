"""Block Kit button listeners: Approve, Cancel, and the Open in Extend link.

Approve (behind a confirm dialog) applies the change and Cancel drops it (nothing
is written), each only if the clicking person may decide; both are decided on
the work pool. Open in Extend is a link button: Slack opens the URL and still
sends the click, which is acked.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from slack_app.change_view import APPROVE_ACTION, CANCEL_ACTION
from slack_app.run_card import OPEN_IN_EXTEND_ACTION
from slack_app.services import SlackServices


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
