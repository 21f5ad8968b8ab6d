"""The feedback click: record the vote (on the work pool, after the ack), thank the person.

The thanks is ephemeral (only the voter sees it) and says what was recorded;
a click on a value that is not ours is acked and ignored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from slack_app.feedback.buttons import FEEDBACK_ACTION, Vote, read_vote
from slack_app.feedback.store import FeedbackStore

logger = logging.getLogger(__name__)

THANKS_HELPFUL = "Thanks, glad it helped. Your feedback was recorded."
THANKS_NOT_HELPFUL = (
    "Thanks for telling me. Your feedback was recorded; rephrasing the question or naming "
    "the field and run may get a better answer."
)


def register_feedback(app: App, *, store: FeedbackStore, submit: Callable[..., None]) -> None:
    @app.action(FEEDBACK_ACTION)
    def handle_feedback(
        ack: Ack, client: WebClient, body: dict[str, Any], action: dict[str, Any]
    ) -> None:
        ack()
        vote = read_vote(action.get("value"))
        user_id = (body.get("user") or {}).get("id")
        channel_id = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
            "channel_id"
        )
        message = body.get("message") or {}
        message_ts = message.get("ts") or (body.get("container") or {}).get("message_ts")
        if vote is None or not (user_id and channel_id and message_ts):
            return
        submit(
            record_vote,
            store,
            client,
            vote,
            user_id=str(user_id),
            channel_id=str(channel_id),
            message_ts=str(message_ts),
            thread_ts=message.get("thread_ts"),
        )


def record_vote(
    store: FeedbackStore,
    client: WebClient,
    vote: Vote,
    *,
    user_id: str,
    channel_id: str,
    message_ts: str,
    thread_ts: str | None,
) -> None:
    store.record(
        thread_id=vote.thread_id,
        channel_id=channel_id,
        message_ts=message_ts,
        user_id=user_id,
        helpful=vote.helpful,
    )
    try:
        client.chat_postEphemeral(
            channel=channel_id,
            user=user_id,
            thread_ts=thread_ts,
            text=THANKS_HELPFUL if vote.helpful else THANKS_NOT_HELPFUL,
        )
    except SlackClientError as error:
        logger.info("could not thank for feedback: %s", type(error).__name__)
