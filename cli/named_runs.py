"""A run the question names by a reference ("the Acme invoice", "1234"), and the run it is.

People name runs by vendor, file name, invoice number or id ending. ``named_run_reference``
reads the question as the offline model does (``agent.offline.references``): the
words that name one run, and the question with "it" in their place; None when the
question names a run by its full id, or asks about many runs (a status, a vendor's
runs, a comparison, a ranking). ``run_resolver`` turns those words into the one run
Extend's listing resolves them to (``find_runs``' resolver, ``RunTools.resolve_run``),
or None when none or several match. So the reference comes from the person's words
and the id from Extend, never from a model or a document: that is the run
``ask --yes`` binds a change to (``cli.yes_scope``), and a reference that resolves to
no single run is a run that could not be found (``ask`` exits non-zero).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from agent.names import run_ids_in
from tools.client.errors import ExtendError
from tools.faces.tool_errors import ToolError

if TYPE_CHECKING:
    from agent.offline.references import NamedReference
    from agent.session import AgentReply
    from tools.faces.run_tools import RunTools

__all__ = ["RunResolver", "named_run_missing", "named_run_reference", "run_resolver"]

RunResolver = Callable[[str], str | None]
"""The one run id a reference names, or None (none, several, invalid or unreadable)."""


def named_run_reference(question: str) -> NamedReference | None:
    """The words naming the one run ``question`` is about, unless it names it by full id."""
    from agent.offline.ranking import ranking_of  # here: their patterns cost start-up time
    from agent.offline.references import comparison, cross_run_filters, named_reference

    if run_ids_in(question) or cross_run_filters(question) is not None:
        return None
    if comparison(question) is not None or ranking_of(question) is not None:
        return None
    return named_reference(question)


def run_resolver(run_tools: RunTools) -> RunResolver:
    """Resolve a reference with ``find_runs``' resolver: one run's id, else None."""

    def resolve(reference: str) -> str | None:
        try:
            resolution = run_tools.resolve_run(reference)
        except (ToolError, ExtendError):  # unreachable, bad key: no run is bound to it
            return None
        return resolution.run_id if resolution.outcome == "run" else None

    return resolve


def named_run_missing(question: str, replies: Sequence[AgentReply], resolve: RunResolver) -> bool:
    """The question names a run by a reference and it is not one run: none or several match.

    Only looked up when no reply showed a run (a run shown was found), so a question
    answered from its run costs no second search.
    """
    if any(reply.reference_unmatched for reply in replies):
        return True  # "compare the Acme and Zeta invoices": Zeta is no run
    if any(reply.runs for reply in replies):
        return False
    named = named_run_reference(question)
    return named is not None and resolve(named.reference) is None
