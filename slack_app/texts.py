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
SUGGESTED_PROMPTS: list[dict[str, str]] = [
    {
        "title": "Find a value and its source",
        "message": "What is the total on workflow_run_1234 and where does it come from?",
    },
    {
        "title": "Check uncertain fields",
        "message": "Which fields on workflow_run_needs_review have low confidence?",
    },
    {
        "title": "See a reviewer's corrections",
        "message": "What did the reviewer change on workflow_run_reviewed_corrections?",
    },
    {"title": "Rename a run", "message": "Rename workflow_run_1234 to ACME March"},
]
WORKING_STATUS = "is looking at Extend…"
LOADING_MESSAGES = ["Reading the run…", "Checking pages and citations…"]
CHANGE_IN_PROGRESS = "That change is being applied right now; ask again in a moment."
WAITING_FOR_DECISION = (
    "A change is waiting for a decision: {description}. Use the buttons on it "
    "(or reply “yes” or “no”), then ask again."
)
NO_LONGER_WAITING = "This change is no longer waiting for a decision."
ALREADY_DECIDED = "This change has already been decided."
STALE_CHANGE = "This change was no longer waiting in the conversation, so nothing was changed."
CANNOT_POST_HERE = (
    "I can't post in this channel, so I can't show the change for approval here. "
    "Invite me with `/invite @Extend` or use `/extend` in a direct message with me."
)
