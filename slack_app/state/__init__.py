"""What the Slack app remembers between requests, replicas and restarts.

``slack_state.SlackState`` opens the store and holds its parts, each given the
connection it works on (``connection.StoreConnection``):

- ``handled.HandledKeys``: keys already handled (an ``event_id``, a message), so
  Slack's retries are answered once;
- ``threads.BotThreads``: threads the bot answered in (follow-ups need no mention);
- ``turns.ThreadTurns``: one turn at a time per conversation thread;
- ``approvals.ApprovalStore``: changes waiting for (or given) a decision.

The SQL is kept portable where it costs nothing (``INSERT ... ON CONFLICT``,
``?`` placeholders, no SQLite-only statements outside ``connection``), so a
PostgreSQL connection can later be put behind the same ``StoreConnection``.
"""

from __future__ import annotations
