"""Suggested prompts built from real runs, limited to what the app really answers.

Slack shows them in the assistant pane (thread start, the Messages tab) and the
Home tab shows the same list. The app answers questions about a named run (a
value and where it was read, the uncertain fields, why it failed, a summary),
finds runs by status, vendor, file or tag, and proposes renames, tags and
metadata for approval. Prompts that name a run name one that exists right now in
the workspace's Extend (the newest needing review, the newest failure, the newest
processed run); the rest ask for searches that work on any account, so no prompt
names a run that is not there (the emulator's samples included).

``PromptSource`` lists those runs for the assistant pane, at most once a minute
(three list calls; Extend's read limit is about ten a second), and falls back to
the search prompts when Extend cannot be read.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from slack_app import texts
from tools.client.errors import ExtendError
from tools.runs.listing import RunListItem

if TYPE_CHECKING:
    from tools.client.clients import ExtendClient

logger = logging.getLogger(__name__)

MAX_PROMPTS = 4  # Slack shows at most four suggested prompts
REFRESH_SECONDS = 60.0
Prompt = dict[str, str]


def suggested_prompts(
    needing_review: Sequence[RunListItem],
    failures: Sequence[RunListItem],
    processed: Sequence[RunListItem] = (),
) -> list[Prompt]:
    """Up to four ``{title, message}`` prompts: runs that exist first, then searches."""
    prompts: list[Prompt] = []
    if needing_review:
        run_id = needing_review[0].id
        prompts.append(
            {
                "title": "Check uncertain fields",
                "message": f"Which fields on {run_id} have low confidence?",
            }
        )
    if failures:
        prompts.append(
            {"title": "Find out why a run failed", "message": f"Why did {failures[0].id} fail?"}
        )
    if processed:
        prompts.append({"title": "Summarize a run", "message": f"Summarize {processed[0].id}"})
    if needing_review and len(prompts) < MAX_PROMPTS - 1:
        prompts.append(
            {"title": "Summarize a run for review", "message": f"Summarize {needing_review[0].id}"}
        )
    titles = {p["title"] for p in prompts}
    for search in texts.SUGGESTED_PROMPTS:
        if len(prompts) >= MAX_PROMPTS:
            break
        if search["title"] not in titles:
            prompts.append(search)
    return prompts[:MAX_PROMPTS]


def newest_runs(extend: ExtendClient, status: str, count: int) -> list[RunListItem]:
    """The ``count`` most recently updated runs with ``status`` (one list call)."""
    page = extend.list_runs(
        status=status, sort_by="updatedAt", sort_dir="desc", max_page_size=count
    )
    return page.items[:count]


class PromptSource:
    """``prompts()``: the suggested prompts for the runs in Extend now, kept a minute."""

    def __init__(
        self,
        extend: ExtendClient,
        *,
        refresh_seconds: float = REFRESH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._extend = extend
        self._refresh_seconds = refresh_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: tuple[float, list[Prompt]] | None = None

    def prompts(self) -> list[Prompt]:
        with self._lock:
            now = self._clock()
            if self._cached is not None and now - self._cached[0] < self._refresh_seconds:
                return [dict(p) for p in self._cached[1]]
            try:
                found = suggested_prompts(
                    newest_runs(self._extend, "NEEDS_REVIEW", 1),
                    newest_runs(self._extend, "FAILED", 1),
                    newest_runs(self._extend, "PROCESSED", 1),
                )
            except ExtendError as error:  # not cached: the next thread tries again
                logger.info("suggested prompts without runs: %s", type(error).__name__)
                return suggested_prompts([], [])
            self._cached = (now, found)
            return [dict(p) for p in found]
