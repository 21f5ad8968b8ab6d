"""The feedback block under an answer: Slack's ``feedback_buttons`` in a ``context_actions`` block.

Each button's value is ``good:<thread id>`` or ``bad:<thread id>``, so the click
says which conversation it judges without any lookup. Thread ids are the app's
own (``slack:<team>:<channel>:<thread ts>``), far under the 2000-character limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from slack_app.blocks import Block

FEEDBACK_ACTION = "answer_feedback"
GOOD = "good"
BAD = "bad"
MAX_VALUE = 2000


@dataclass(frozen=True)
class Vote:
    helpful: bool
    thread_id: str


def feedback_block(thread_id: str) -> Block:
    """Thumbs up / down for the answer above, tied to ``thread_id``."""
    return {
        "type": "context_actions",
        "elements": [
            {
                "type": "feedback_buttons",
                "action_id": FEEDBACK_ACTION,
                "positive_button": {
                    "text": {"type": "plain_text", "text": "Helpful"},
                    "value": f"{GOOD}:{thread_id}"[:MAX_VALUE],
                    "accessibility_label": "This answer was helpful",
                },
                "negative_button": {
                    "text": {"type": "plain_text", "text": "Not helpful"},
                    "value": f"{BAD}:{thread_id}"[:MAX_VALUE],
                    "accessibility_label": "This answer was not helpful",
                },
            }
        ],
    }


def read_vote(value: object) -> Vote | None:
    """The vote in a clicked button's value, or None if it is not one of ours."""
    if not isinstance(value, str):
        return None
    verdict, _, thread_id = value.partition(":")
    if verdict not in (GOOD, BAD) or not thread_id.startswith("slack:"):
        return None
    return Vote(helpful=verdict == GOOD, thread_id=thread_id)
