"""Suggested prompts built from real runs, limited to what the app really answers.

The app answers questions about a named run (a value and where it was read,
the uncertain fields, why it failed, a reviewer's corrections) and proposes
renames, tags and metadata for approval. It does not search for runs, so no
prompt asks it to. Prompts name runs that exist right now (the newest needing
review, the newest failure); the built-in examples fill the rest.
"""

from __future__ import annotations

from slack_app import texts
from tools.runs.listing import RunListItem

MAX_PROMPTS = 4


def suggested_prompts(
    needing_review: list[RunListItem], failures: list[RunListItem]
) -> list[dict[str, str]]:
    """Up to four ``{title, message}`` prompts for Slack's suggested prompts."""
    prompts: list[dict[str, str]] = []
    if needing_review:
        run_id = needing_review[0].id
        prompts.append(
            {
                "title": "Check uncertain fields",
                "message": f"Which fields on {run_id} have low confidence?",
            }
        )
        prompts.append({"title": "Summarize a run for review", "message": f"Summarize {run_id}"})
    if failures:
        prompts.append(
            {"title": "Find out why a run failed", "message": f"Why did {failures[0].id} fail?"}
        )
    titles = {p["title"] for p in prompts}
    for example in texts.SUGGESTED_PROMPTS:
        if len(prompts) >= MAX_PROMPTS:
            break
        if example["title"] not in titles:
            prompts.append(example)
    return prompts[:MAX_PROMPTS]
