"""The Slack app's own words: greeting, suggested prompts, status lines, notices.

Product text, reviewed like UI copy. All of it is safe mrkdwn (no user or
document text is pasted in here; callers escape what they add).
"""

from __future__ import annotations

GREETING = (
    "Hi! I answer questions about Extend workflow runs: a field's value, where it is "
    "on the page, what a reviewer changed, which values are uncertain. I can also rename "
    "a run, tag it or set its metadata; I show you the change first and apply it only "
    "after you approve."
)
SUGGESTED_PROMPTS_TITLE = "Try asking"
# Searches that work on any account; ``slack_app.home.prompts`` puts prompts naming
# the account's own runs before them. None names a run (no sample run is assumed).
SUGGESTED_PROMPTS: list[dict[str, str]] = [
    {"title": "Runs waiting for review", "message": "Which runs need review?"},
    {"title": "Recent failures", "message": "Which runs failed?"},
    {"title": "Runs in progress", "message": "Which runs are still processing?"},
    {"title": "Rejected runs", "message": "Which runs were rejected?"},
]
WORKING_STATUS = "is looking at Extend…"
LOADING_MESSAGES = ["Reading the run…", "Checking pages and citations…"]
CHANGE_IN_PROGRESS = "That change is being applied right now; ask again in a moment."
WAITING_FOR_DECISION = (
    "A change is waiting for a decision: {description}. Use the buttons on it "
    "(or reply “yes” or “no”), then ask again."
)
STILL_WORKING = (
    "I'm still working on an earlier message in this thread; send this one again in a moment."
)
STILL_WORKING_CLICK = "I'm still working in this thread; click again in a moment."
NOT_ALLOWED = "Only {requester} or an approver can decide on this change, so nothing was done."
NO_LONGER_WAITING = "This change is no longer waiting for a decision."
ALREADY_DECIDED = "This change has already been decided: {outcome}"
BEING_DECIDED = "This change is being decided right now; its message will show the outcome."
STALE_CHANGE = "This change was no longer waiting in the conversation, so nothing was changed."
RUN_CHANGED = (
    "Not applied: {run} has changed since this change was proposed, so the “before” values "
    "shown are out of date. Ask again to see the change against the run as it is now."
)
EXPIRED = (
    "Expired: this change waited longer than {age} for a decision, so nothing was changed. "
    "Ask again if you still want it."
)
INTERRUPTED = (
    "Not applied: the app stopped while applying this change, and Extend does not show it. "
    "Ask again if you still want it."
)
NOT_APPLIED_SEE_REPLY = (
    "Approved by {who}, but Extend does not show the change; see the reply below."
)
NOT_APPLIED_BECAUSE = "Approved by {who}, but the change was not applied: {reason}"
UNCONFIRMED = (
    "Approved by {who}, but I couldn't check with Extend whether the change was applied; "
    "`extend-agent runs get {run_id}` shows the run as it is."
)
APPLIED_BUT_NO_REPLY = "The change was applied, but I couldn't finish my reply: {reason}"
TOO_LARGE_TO_CONFIRM = (
    "This change to {run} is too large to show in full in Slack, so it can't be confirmed here "
    "and nothing was changed. Use the CLI instead: `extend-agent runs update` or "
    "`extend-agent ask`."
)
CARD_CUT = (
    "The card is cut here: a command reply holds only a few messages. "
    "See the whole run with `extend-agent runs get {run_id}`."
)
IMAGES_NOT_UPLOADED = (
    "I couldn't upload the image of where that was read. Ask again, or use "
    "`extend-agent runs cite RUN FIELD` in a terminal."
)
CARD_NOT_POSTED = (
    "I couldn't post this change for approval, so nothing can be decided yet. "
    "Reply in this thread and I'll try to show it again."
)
CARD_POSTED_AGAIN = (
    "Posting this change for approval failed earlier, so your reply did not decide anything. "
    "Here it is: check it, then use its buttons (or reply “yes” or “no”)."
)
CANNOT_POST_HERE = (
    "I can't post in this channel, so I can't show the change for approval here. "
    "Invite me with `/invite @Extend` or use `/extend` in a direct message with me."
)


def approved_by(who: str) -> str:
    """The outcome line of an applied change; ``who`` is a safe mention."""
    return f":white_check_mark: Approved by {who} and applied."


def cancelled_by(who: str) -> str:
    return f":heavy_multiplication_x: Cancelled by {who}. Nothing was changed."


def warning(text: str) -> str:
    return f":warning: {text}"
