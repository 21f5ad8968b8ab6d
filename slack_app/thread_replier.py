"""Posting into one Slack thread: status, the answer (streamed), cards, notices.

The answer is streamed with Slack's chat streaming (``chat.startStream`` /
``appendStream`` / ``stopStream`` through ``WebClient.chat_stream``) when it
fits one streamed message; if streaming is off, not allowed for the app, or the
stream fails or has expired midway, the text is put in place with
``chat.update`` on the streamed message or posted with ``chat.postMessage``.
Either way the footer (the feedback buttons) ends up under the answer.
Every bot message is posted with link and media unfurling off, and never with
``link_names``: text from documents must not expand into previews or pings.
The answer is model text a document may have dictated, so it is defanged first
(``mrkdwn.defang_answer``: no link, image, heading, quote or fence from the text,
no control or bidi mark; its lists and bold stay). Streamed text is standard markdown,
not mrkdwn, so it is then made safe with ``mrkdwn.markdown_safe`` (no ``&gt;`` shown,
no ``<!channel>`` token) while posted and updated text is escaped for mrkdwn
(``mrkdwn.escape``); see ``slack_app.mrkdwn``.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from slack_app.blocks import (
    MAX_MESSAGE_TEXT,
    MAX_SECTION_TEXT,
    Block,
    SlackMessage,
    text_messages,
)
from slack_app.mrkdwn import defang_answer, markdown_safe, partition_text, split_text

logger = logging.getLogger(__name__)

MAX_STREAM_TEXT = 12_000  # one streamed message; longer answers are posted in parts
STREAM_PIECE = 3_000
NO_UNFURL: dict[str, Any] = {"unfurl_links": False, "unfurl_media": False}


class ThreadReplier:
    """Replies in ``channel_id``, in the thread ``thread_ts`` (top level when None)."""

    def __init__(
        self,
        client: WebClient,
        *,
        channel_id: str,
        thread_ts: str | None,
        team_id: str | None = None,
        user_id: str | None = None,
        streaming: bool = True,
    ) -> None:
        self.client = client
        self.channel_id = channel_id
        self.thread_ts = thread_ts
        self.team_id = team_id
        self.user_id = user_id
        self.streaming = streaming

    def set_status(self, status: str, loading_messages: list[str] | None = None) -> None:
        """The "is thinking…" line under the thread; best effort (not every thread has one)."""
        if not self.thread_ts:
            return
        try:
            self.client.assistant_threads_setStatus(
                channel_id=self.channel_id,
                thread_ts=self.thread_ts,
                status=status,
                loading_messages=loading_messages,
            )
        except SlackClientError as error:
            logger.debug("could not set the thread status: %s", _slack_error(error))

    def answer(self, text: str, *, footer: list[Block] | None = None) -> None:
        """Untrusted answer text, made safe: streamed if possible, else posted in parts.

        ``footer`` (e.g. feedback buttons) goes under the answer: in the stream's
        ``chat.stopStream`` blocks, or under the last posted part, whose text is
        then also given as section blocks (Slack shows a message's blocks, not its
        ``text``, when it has both).
        """
        shown = defang_answer(text.strip())
        parts = text_messages(shown, limit=MAX_MESSAGE_TEXT)
        streamable = self.streaming and self.thread_ts and len(parts) == 1
        markdown = markdown_safe(shown) or "_(no answer)_"
        if (
            streamable
            and len(markdown) <= MAX_STREAM_TEXT
            and self._stream(markdown, parts[0], footer or [])
        ):
            return
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            self.post(answer_message(part, footer if last else None))

    def post(self, message: SlackMessage) -> str:
        """Post one message in the thread; returns its ts. Raises ``SlackApiError``."""
        response = self.client.chat_postMessage(
            channel=self.channel_id,
            thread_ts=self.thread_ts,
            text=message.text,
            blocks=message.blocks or None,
            **NO_UNFURL,
        )
        return str(response.get("ts") or "")

    def notice(self, text: str) -> str | None:
        """Post our own short words (safe mrkdwn); failures are logged, not raised."""
        try:
            return self.post(SlackMessage(text=text))
        except SlackClientError as error:
            logger.warning("could not post a notice: %s", _slack_error(error))
            return None

    def update(self, ts: str, message: SlackMessage) -> None:
        self.client.chat_update(
            channel=self.channel_id, ts=ts, text=message.text, blocks=message.blocks
        )

    def ephemeral(self, user_id: str, text: str) -> None:
        """A message only ``user_id`` sees; failures are logged, not raised."""
        try:
            self.client.chat_postEphemeral(
                channel=self.channel_id, user=user_id, text=text, thread_ts=self.thread_ts
            )
        except SlackClientError as error:
            logger.warning("could not post an ephemeral message: %s", _slack_error(error))

    def _stream(self, markdown: str, escaped: str, footer: list[Block]) -> bool:
        """Stream ``markdown`` (``markdown_safe``), or put ``escaped`` (mrkdwn) in its place.

        False if nothing usable was shown.
        """
        stream = None
        try:
            stream = self.client.chat_stream(
                channel=self.channel_id,
                thread_ts=self.thread_ts or "",
                recipient_team_id=self.team_id,
                recipient_user_id=self.user_id,
                buffer_size=STREAM_PIECE,
            )
            for piece in partition_text(markdown, STREAM_PIECE):
                stream.append(markdown_text=piece)
            stream.stop(blocks=footer or None)
            return True
        except SlackClientError as error:
            logger.info("streaming the answer failed (%s); posting it instead", _slack_error(error))
        if stream is not None and stream.ts:  # started, then failed or expired: fill it in
            try:
                self.update(stream.ts, answer_message(escaped, footer))
                return True
            except SlackClientError as error:
                logger.info("updating the stopped stream failed: %s", _slack_error(error))
        return False


def answer_message(escaped: str, footer: list[Block] | None) -> SlackMessage:
    """An answer part (safe mrkdwn); with a ``footer``, the text in sections, then the footer.

    A part is at most ``MAX_MESSAGE_TEXT`` characters, so its sections (3000 each,
    cut at a line end or space past half) and the footer stay within 50 blocks.
    """
    if not footer:
        return SlackMessage(text=escaped)
    shown = [
        {"type": "section", "text": {"type": "mrkdwn", "text": piece}}
        for piece in split_text(escaped, MAX_SECTION_TEXT)
    ]
    return SlackMessage(text=escaped, blocks=[*shown, *footer])


def _slack_error(error: SlackClientError) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or error.response.status_code)
    return type(error).__name__
