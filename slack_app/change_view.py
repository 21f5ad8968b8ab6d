"""A change to a run as Block Kit: waiting for approval (with buttons), then its outcome.

People approve exactly what they see: the whole change is shown, before -> after,
one line per touched item, over as many sections as it needs, each untrusted value
inert (``mrkdwn.inert``) so none can forge a line or reverse the text around it. A change too large
to show in full in one message is never offered for approval in Slack
(``ChangeTooLargeError``; the CLI can show it). The confirm dialog repeats the
change when it fits Slack's 300 characters, else points at the message.
"""

from __future__ import annotations

from slack_app.blocks import (
    MAX_BLOCKS,
    MAX_CONFIRM_TEXT,
    Block,
    SlackMessage,
    context,
    plain_text,
    sections,
)
from slack_app.mrkdwn import defang_plain, escape, inert, reveal, truncate, user_mention
from tools.faces.run_change import RESERVED_NOTE, RunChange
from tools.text.formatting import format_value

APPROVE_ACTION = "approve_change"
CANCEL_ACTION = "cancel_change"
_BLOCKS_AFTER_CHANGE = 2  # who may decide + the buttons (or the outcome line)


class ChangeTooLargeError(ValueError):
    """The change cannot be shown in full in one Slack message, so it must not be offered."""


def change_lines(change: RunChange) -> list[str]:
    """``• name: (none) → `ACME March``` style lines, one per touched item.

    Every value from the run, the model or the person (name, key, value, tag) is
    shown ``inert``: a newline or a bidi override in it cannot forge a line or
    reorder the "→ new value" part.
    """
    lines = []
    if change.renames:
        before = inert(change.name_before) if change.name_before else "(none)"
        lines.append(f"• *name*: {before} → {inert(change.name_after or '')}")
    for key in change.metadata_keys:
        before = (
            inert(format_value(change.metadata_before[key]))
            if key in change.metadata_before
            else "(unset)"
        )
        after = inert(format_value(change.metadata_after[key]))
        reserved = f" _{RESERVED_NOTE.strip()}_" if key in change.reserved_keys else ""
        lines.append(f"• *metadata* {inert(key)}{reserved}: {before} → {after}")
    if change.tags_added:
        lines.append("• *tags*: add " + ", ".join(inert(t) for t in change.tags_added))
    if change.tags_removed:
        lines.append("• *tags*: remove " + ", ".join(inert(t) for t in change.tags_removed))
    return lines


def check_showable(run_id: str, description: str, change: RunChange | None) -> None:
    """Raise ``ChangeTooLargeError`` unless the whole change fits one proposal message."""
    _change_blocks("", run_id, description, change)


def proposal_message(
    approval_id: str,
    run_id: str,
    description: str,
    change: RunChange | None,
    requester: str | None,
) -> SlackMessage:
    """The whole change, with Approve (behind a confirm dialog) and Cancel buttons."""
    blocks = _change_blocks(":pencil2: *Change waiting for approval*", run_id, description, change)
    who = (
        f"Requested by {user_mention(requester)}. Only they or an approver can decide"
        if requester
        else "Only an approver can decide"
    )
    blocks.append(context(f"{who}; nothing is written to Extend before that."))
    approve = {
        "type": "button",
        "action_id": APPROVE_ACTION,
        "text": plain_text("Approve", 75),
        "style": "primary",
        "value": approval_id,
        "confirm": {
            "title": plain_text("Apply this change?", 100),
            "text": {"type": "plain_text", "text": _confirm_text(run_id, description)},
            "confirm": plain_text("Apply", 30),
            "deny": plain_text("Go back", 30),
        },
    }
    cancel = {
        "type": "button",
        "action_id": CANCEL_ACTION,
        "text": plain_text("Cancel", 75),
        "value": approval_id,
    }
    blocks.append(
        {"type": "actions", "block_id": f"approval:{approval_id}", "elements": [approve, cancel]}
    )
    text = escape(f"Change waiting for approval: {truncate(reveal(description), 500)}")
    return SlackMessage(text=text, blocks=blocks)


def outcome_message(
    run_id: str, description: str, change: RunChange | None, outcome: str
) -> SlackMessage:
    """The decided change without buttons; ``outcome`` is mrkdwn, already escaped."""
    blocks = _change_blocks("*Change*", run_id, description, change)
    blocks.append(context(outcome))
    return SlackMessage(text=truncate(outcome, 3000), blocks=blocks)


def _change_blocks(
    title: str, run_id: str, description: str, change: RunChange | None
) -> list[Block]:
    lines = change_lines(change) if change is not None and not change.is_empty else []
    blocks = sections(lines or [escape(reveal(description))], title=f"{title} to {inert(run_id)}")
    if len(blocks) + _BLOCKS_AFTER_CHANGE > MAX_BLOCKS:
        raise ChangeTooLargeError(run_id)
    return blocks


def _confirm_text(run_id: str, description: str) -> str:
    """The change itself when it fits the dialog; otherwise a pointer to the message."""
    whole = defang_plain(reveal(" ".join(description.split())))
    if len(whole) <= MAX_CONFIRM_TEXT:
        return whole
    pointer = defang_plain(f"Apply the change shown in the message to {reveal(run_id)}?")
    return truncate(pointer, MAX_CONFIRM_TEXT)
