"""How a run id looks in a message: what the session, the offline model and the CLI look for.

A run id in text is ``workflow_run_`` followed by the characters
``tools.client.validation`` accepts in an id, so every id found here also passes the
client's validation. (The tools' names, on which the approval gate, the offline
model and the session key, are spelled once in ``tools.faces.tool_names``.)
"""

from __future__ import annotations

import re

from tools.client.validation import RUN_ID_PATTERN

RUN_ID_IN_TEXT = re.compile(rf"\bworkflow_run_(?:{RUN_ID_PATTERN.pattern})")
"""A run id inside free text (a trailing ``_`` or ``-`` is punctuation, not part of it)."""


def run_ids_in(text: str) -> tuple[str, ...]:
    """The run ids ``text`` names, in order, each once: ``"rename workflow_run_1234 ..."``."""
    found = (match.group(0).rstrip("_-") for match in RUN_ID_IN_TEXT.finditer(text))
    return tuple(dict.fromkeys(run_id for run_id in found if run_id != "workflow_run"))


MAX_SHOWN_ID = 48
"""Longer run ids are shortened when echoed back (a pasted blob must not flood an answer)."""


def shown_id(run_id: str, limit: int = MAX_SHOWN_ID) -> str:
    """``run_id`` as echoed to a person: ``workflow_run_abc…xyz (413 characters)`` when long."""
    if len(run_id) <= limit:
        return run_id
    return f"{run_id[: limit - 12]}…{run_id[-8:]} ({len(run_id)} characters)"


def with_shown_ids(text: str, run_id: str) -> str:
    """``text`` with every copy of a long ``run_id`` shortened as ``shown_id`` does."""
    return text.replace(run_id, shown_id(run_id)) if len(run_id) > MAX_SHOWN_ID else text
