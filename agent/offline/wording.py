"""The offline model's fixed texts and the bound on the document text its answers quote.

Help and out-of-scope texts say exactly what the rule-based model understands, so a
person is never left guessing. Document text is shown as a quotation, never as
something to act on: ``tools.text.quoting.quote(text, limit=MAX_QUOTE,
marks="typographic")``, one line, bounded, controls escaped.
"""

from __future__ import annotations

__all__ = ["HELP_TEXT", "MAX_QUOTE", "OUT_OF_SCOPE_TEXT", "which_run"]

MAX_QUOTE = 160

HELP_TEXT = """I'm the offline assistant (no OpenAI key set), so I understand these requests:
- summarize a run: "summarize workflow_run_1234"
- a field's value and where it came from: "what is the total on workflow_run_1234 and where does it come from?"
- any field or metadata key by its own name: "what's the payment method on the Harbor Hardware receipt?", "what's the cost center on it?"
- a value before a reviewer corrected it: "what was the total before the correction?"
- why a value was read that way: "why is the invoice number 36995?"
- low-confidence fields: "which fields have low confidence on workflow_run_needs_review?"
- status, tags and metadata: "what's the status of workflow_run_processing?"
- rename: "rename workflow_run_1234 to ACME March"
- tag: "tag it urgent and q3"
- set metadata: "set vendor=ACME on it", "set po_number to 4411 and cost_center to CC-9 on it"
- remove: "remove the urgent tag", "remove the po_number key" (Extend keeps the key, set to null)
- undo: "undo that", "rename it back" (puts back what my last change altered)
- currency, pages, sums and corrections: "what currency is it in?", "does the subtotal plus tax add up?", "what did the reviewer change?"
- how a run ended: "why was the Vandelay invoice rejected?", "why did workflow_run_failed fail?", "how confident was the classification?"
- across runs: "which runs need review?", "which runs are processed?", "runs created after 2024-09-20", "anything tagged urgent?"
- comparing and ranking: "is the Acme total bigger than the Contoso one?", "compare the Acme and Bluebird invoices", "which invoice is the largest?", "which vendor billed us the most?"
- sums and filters the search can't do itself: "how much do we owe across all invoices?", "invoices over 1000 dollars", "which invoices are due in October?"
Follow-ups like "and the invoice number?" or "rename it to ..." refer to the last run we talked about. Every change waits for your approval."""  # noqa: E501

OUT_OF_SCOPE_TEXT = (
    "I'm the offline assistant, so I only understand a fixed set of requests about "
    "Extend runs: summaries, a field's value, where it came from and why, low-confidence "
    "fields, status, how a run ended, currency, pages, reviewer corrections, whether the "
    "totals add up, finding, listing, comparing, ranking and summing runs, and renaming, "
    "tagging, setting or "
    "removing metadata and undoing a change (say “help” for examples). Set OPENAI_API_KEY "
    "to ask free-form questions."
)


def which_run(action: str) -> str:
    return (
        f"Which run should I {action}? Give me its id (e.g. workflow_run_1234 or just 1234), "
        "a dashboard link, its file name, or the vendor or invoice number."
    )
