"""Where a value was read, in Slack: the crop uploaded into the thread, and the card's Show source.

The app's real ``WebClient`` uploads with ``files_upload_v2`` (three calls: upload
URL, raw bytes, complete) against the recording mock; the images are rendered from
the emulator's generated documents.
"""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from typing import Any

from PIL import Image

from slack_app.citation_upload import SHOW_SOURCE_ACTION, SourceRequest
from slack_app.run_card import run_card
from slack_app.testing.message_limits import limit_problem
from slack_app.testing.records import SlackUpload
from slack_app.testing.slack_requests import mention
from slack_app.testing.web_api import SlackMock
from slack_app.testing.workspace import ALICE, CHANNEL
from tests.support.slack_stack import SlackStack
from tools.runs.normalize import parse_run

SEED = "workflow_run_1234"


def uploads_in(slack: SlackMock, thread_ts: str, count: int = 1) -> list[SlackUpload]:
    return slack.wait_for(
        lambda s: (found := s.uploads(CHANNEL, thread_ts)) and len(found) >= count and found,
        what=f"{count} upload(s) in {CHANNEL}/{thread_ts}",
    )


def _png(upload: SlackUpload) -> Image.Image:
    image = Image.open(io.BytesIO(upload.data))
    assert image.format == "PNG"
    return image


def _highlighted(image: Image.Image) -> bool:
    colours = image.convert("RGB").getcolors(maxcolors=1 << 20) or []
    return any(r > 230 and g > 200 and b < 200 for _, (r, g, b) in colours)


def show_source_menu(slack: SlackMock, thread_ts: str, run_id: str) -> tuple[Any, dict[str, Any]]:
    """The card message of ``run_id`` in the thread and its Show source menu."""

    def find(s: SlackMock) -> tuple[Any, dict[str, Any]] | None:
        for call in s.posts(CHANNEL, thread_ts):
            for block in call.args.get("blocks") or []:
                for element in block.get("elements") or []:
                    if element.get("action_id") == SHOW_SOURCE_ACTION and run_id in json.dumps(
                        element
                    ):
                        return call, element
        return None

    return slack.wait_for(find, what=f"the Show source menu of {run_id}")


def pick(stack: SlackStack, card: Any, value: str, *, thread_ts: str) -> None:
    """Pick ``value`` in the card's Show source menu, as Slack sends it."""
    payload = {
        "type": "block_actions",
        "team": {"id": "T0TEAM001"},
        "user": {"id": ALICE, "team_id": "T0TEAM001"},
        "api_app_id": "A0APP0001",
        "container": {
            "type": "message",
            "message_ts": card.args["_ts"],
            "channel_id": CHANNEL,
            "thread_ts": thread_ts,
        },
        "channel": {"id": CHANNEL},
        "message": {"ts": card.args["_ts"], "thread_ts": thread_ts, "type": "message"},
        "response_url": stack.slack.response_url("show-source"),
        "trigger_id": "1.2.3",
        "actions": [
            {
                "type": "static_select",
                "action_id": SHOW_SOURCE_ACTION,
                "block_id": "show-source",
                "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": value},
                "action_ts": str(time.time()),
            }
        ],
    }
    assert stack.sender.click(payload).status_code == 200


def test_show_me_where_the_total_came_from_uploads_the_crop_into_the_thread(
    stack: SlackStack, slack: SlackMock
) -> None:
    event = mention(f"show me where the total came from on {SEED}")
    assert stack.sender.event(event).status_code == 200

    [upload] = uploads_in(slack, event["ts"])
    assert upload.filename.endswith("-p1.png")
    assert upload.alt_text is not None
    assert upload.alt_text.startswith("amount (value 15,735.10 USD): cited region, page 1")
    assert '"TOTAL  $15,735.1"' in upload.alt_text
    image = _png(upload)
    assert image.width <= 960 and image.height <= 720 and _highlighted(image)
    # the answer says what the image shows, and says it in the same thread
    answers = slack.wait_for(lambda s: s.answers(CHANNEL, event["ts"]), what="the answer")
    assert "The image shows the amount highlighted on page 1." in answers[0]
    # files_upload_v2's steps: an upload URL, the bytes sent there, then completion
    methods = [c.method for c in slack.calls() if c.method.startswith("files.")]
    assert methods == ["files.getUploadURLExternal", "files.completeUploadExternal"]
    [url_call] = slack.calls("files.getUploadURLExternal")
    assert url_call.args["length"] == str(len(upload.data))
    assert all(c.token == "xoxb-test-token" for c in slack.calls())


def test_card_offers_show_source_per_field_and_a_pick_uploads_that_crop(
    stack: SlackStack, slack: SlackMock
) -> None:
    event = mention(f"summarize {SEED}")
    assert stack.sender.event(event).status_code == 200
    card, menu = show_source_menu(slack, event["ts"], SEED)
    labels = [option["text"]["text"] for option in menu["options"]]
    assert labels == ["amount", "invoice_number"]
    assert all(len(option["value"]) <= 150 for option in menu["options"])
    assert not slack.uploads()

    pick(stack, card, menu["options"][1]["value"], thread_ts=event["ts"])

    [upload] = uploads_in(slack, event["ts"])
    assert upload.alt_text is not None
    assert upload.alt_text.startswith('invoice_number (value "36995"): cited region, page 1')
    assert upload.initial_comment is not None and "invoice_number" in upload.initial_comment
    assert _highlighted(_png(upload))


def test_document_text_in_alt_text_and_comment_pings_no_one(
    stack: SlackStack, slack: SlackMock
) -> None:
    event = mention("summarize workflow_run_injection")
    assert stack.sender.event(event).status_code == 200
    card, menu = show_source_menu(slack, event["ts"], "workflow_run_injection")
    [notes] = [o for o in menu["options"] if o["text"]["text"] == "notes"]

    pick(stack, card, notes["value"], thread_ts=event["ts"])

    [upload] = uploads_in(slack, event["ts"])
    assert upload.alt_text is not None and "Ignore previous instructions" in upload.alt_text
    assert "<!channel>" not in upload.alt_text and "<\u200b!channel>" in upload.alt_text
    assert "<!channel>" not in (upload.initial_comment or "")


def test_forged_or_undrawable_picks_upload_nothing(stack: SlackStack, slack: SlackMock) -> None:
    event = mention(f"summarize {SEED}")
    assert stack.sender.event(event).status_code == 200
    card, _ = show_source_menu(slack, event["ts"], SEED)

    pick(stack, card, '{"r":"../../etc","f":"amount"}', thread_ts=event["ts"])
    pick(stack, card, "not json", thread_ts=event["ts"])
    missing = SourceRequest(SEED, "no_such_field").option_value()
    assert missing is not None
    pick(stack, card, missing, thread_ts=event["ts"])

    [note] = slack.wait_for(lambda s: s.calls("chat.postEphemeral"), what="an ephemeral note")
    assert note.args["user"] == ALICE
    assert "has no field like" in note.args["text"] and "no_such_field" in note.args["text"]
    assert not slack.uploads()


def test_show_source_menu_stays_within_block_kit_limits() -> None:
    """A run with 130 cited fields, some with long names: at most 100 options, all valid.

    A label over 75 characters is cut; a name too long for an option's 150-character
    value is left out of the menu (the agent can still show it).
    """
    payload = json.loads(
        Path("extend_emulator/samples/workflow_run_1234.legacy.json").read_text(encoding="utf-8")
    )
    output = payload["workflowRun"]["outputs"][0]["output"]
    cited = output["metadata"]["amount"]
    too_long = "a_field_whose_name_does_not_fit_in_an_option_value_" * 3
    long_label = "a_long_label_" * 7
    names = [too_long, long_label, *(f"line_{n:03d}" for n in range(128))]
    output["value"] = {name: "x" for name in names}
    output["metadata"] = {name: cited for name in names}
    run = parse_run(payload)

    messages = run_card(run)

    menus = [
        element
        for message in messages
        for block in message.blocks
        for element in block.get("elements") or []
        if element.get("action_id") == SHOW_SOURCE_ACTION
    ]
    [menu] = menus
    assert len(menu["options"]) == 100
    requests = [SourceRequest.from_option_value(o["value"]) for o in menu["options"]]
    assert requests[:2] == [SourceRequest(run.id, long_label), SourceRequest(run.id, "line_000")]
    assert menu["options"][0]["text"]["text"].endswith("…")
    assert all(limit_problem({"blocks": m.blocks}) is None for m in messages)
    too_many = {"type": "actions", "elements": [{**menu, "options": menu["options"] * 2}]}
    assert (
        limit_problem({"blocks": [too_many]}) == "invalid_blocks: more than 100 options in block 0"
    )
