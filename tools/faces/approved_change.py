"""The change a person approved, handed to the write it approves: nothing else is written.

A person approves a change as it was shown to them (``RunChange``, read from the run
when the change was proposed). Between that preview and their yes the run may
change (another user, another replica, Extend itself); the write must then do
nothing rather than something the person never saw. Approval frameworks resume the
paused tool call without a way to pass that along, so the approving code runs the
resume inside ``approved_change(change)`` and the LangChain ``update_run_metadata``
tool hands it to ``RunTools.update_run_metadata(approved=...)``, which re-reads the
run under its lock and writes only if the change is still exactly the one shown.

    with approved_change(pending.change):
        agent.invoke(Command(resume={"decisions": [{"type": "approve"}]}), config)

A ``ContextVar``: LangGraph and LangChain copy the context into the threads that run
tools, and concurrent resumes (two Slack threads) each see only their own change.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from tools.faces.run_change import RunChange

__all__ = ["approved_change", "current_approved_change"]

_APPROVED: ContextVar[RunChange | None] = ContextVar("extend_approved_change", default=None)


@contextmanager
def approved_change(change: RunChange | None) -> Iterator[None]:
    """Writes made inside happen only if the run still yields ``change`` (None: no check)."""
    token = _APPROVED.set(change)
    try:
        yield
    finally:
        _APPROVED.reset(token)


def current_approved_change() -> RunChange | None:
    """The change approved for the write being made now, if the approver gave one."""
    return _APPROVED.get()
