"""What Approve and Cancel share: read who clicked what, decide on the work pool."""

from __future__ import annotations

from typing import Any

from slack_bolt import Respond

from slack_app.services import SlackServices


def decide_on_click(
    services: SlackServices,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond | None,
    *,
    approve: bool,
) -> None:
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
