"""Where a value was read, shown in Slack: the cited region uploaded into the thread as an image.

Two ways in: the agent drew it while answering "show me where the total came from"
(``AgentReply.images``, uploaded by ``slack_app.agent_reply``), or someone picked a
field in a run card's "Show source" menu (``SHOW_SOURCE_ACTION``, handled by
``show_source``). Either way the PNGs go up with ``files_upload_v2`` into the
thread, each with alt text naming the field, its value and the page.

Alt text, titles and the comment come from the run (field names, values, reference
text: document content), so they are defanged or escaped (``slack_app.mrkdwn``)
and cut to Slack's limits before they leave. A click's payload is untrusted too:
its run id and field are checked before anything is read, and a field that cannot
be drawn gets a short note only the clicking person sees.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackClientError

from slack_app.mrkdwn import defang_plain, inline, truncate
from slack_app.thread_replier import ThreadReplier
from tools.client.errors import ExtendError
from tools.client.validation import validate_run_id
from tools.faces.run_tools import RunTools
from tools.faces.show_citation import ShownImage, shown_images
from tools.faces.tool_errors import ToolError

logger = logging.getLogger(__name__)

SHOW_SOURCE_ACTION = "show_source"
MAX_ALT_TEXT = 1000  # Slack's limit for a file's alt text
MAX_TITLE = 250
MAX_IMAGES_PER_UPLOAD = 4
MAX_OPTION_VALUE = 150  # Block Kit: an option's value
MAX_FIELD_NAME = 200


@dataclass(frozen=True)
class SourceRequest:
    """What a "Show source" option asks for: one field of one run."""

    run_id: str
    field: str

    def option_value(self) -> str | None:
        """The option's value, ``{"r": run, "f": field``}; None if over Slack's 150 characters."""
        value = json.dumps({"r": self.run_id, "f": self.field}, separators=(",", ":"))
        return value if len(value) <= MAX_OPTION_VALUE else None

    @classmethod
    def from_option_value(cls, value: object) -> SourceRequest | None:
        """The request a clicked option carries; None when it is not one of ours."""
        try:
            data = json.loads(str(value))
            run_id = validate_run_id(data["r"])
            field = data["f"]
        except (ValueError, TypeError, KeyError, ExtendError):
            return None
        if not isinstance(field, str) or not field.strip() or len(field) > MAX_FIELD_NAME:
            return None
        return cls(run_id, field)


def upload_citations(
    replier: ThreadReplier, images: Sequence[ShownImage], comment: str = ""
) -> None:
    """Upload ``images`` (at most ``MAX_IMAGES_PER_UPLOAD``) into the replier's thread.

    ``comment`` is our own mrkdwn, already escaped. Raises ``SlackClientError``.
    """
    shown = list(images)[:MAX_IMAGES_PER_UPLOAD]
    if not shown:
        return
    uploads = [
        {
            "content": image.png,
            "filename": image.filename,
            "title": truncate(defang_plain(f"{image.field} · page {image.page}"), MAX_TITLE),
            "alt_txt": alt_text(image),
        }
        for image in shown
    ]
    replier.client.files_upload_v2(
        file_uploads=uploads,
        channel=replier.channel_id,
        thread_ts=replier.thread_ts,
        initial_comment=comment or None,
    )


def alt_text(image: ShownImage) -> str:
    """The image's alt text (field, value, page, quoted reference text), safe and within limits."""
    return truncate(defang_plain(image.alt_text), MAX_ALT_TEXT)


def show_source(
    run_tools: RunTools,
    replier: ThreadReplier,
    request: SourceRequest,
    *,
    user_id: str | None,
) -> bool:
    """Draw where ``request``'s field was read and upload it; False (person told) if not drawn."""
    from tools.images.page_render import SLACK

    try:
        output = run_tools.show_citation(request.run_id, request.field, size=SLACK)
    except ToolError as error:
        if user_id:
            replier.ephemeral(user_id, f":warning: {inline(error.message)}")
        return False
    images = shown_images(output)
    try:
        upload_citations(replier, images, comment=inline(output.text))
    except SlackClientError:
        logger.warning("could not upload the source of %s", request.run_id, exc_info=True)
        if user_id:
            replier.ephemeral(user_id, ":warning: The image could not be uploaded; try again.")
        return False
    return True


def clicked_thread(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """The channel and thread of a clicked message (the message itself starts one if needed)."""
    channel_id = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    message = body.get("message") or {}
    container = body.get("container") or {}
    thread_ts = (
        container.get("thread_ts")
        or message.get("thread_ts")
        or container.get("message_ts")
        or message.get("ts")
    )
    return channel_id, thread_ts
