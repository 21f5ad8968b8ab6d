"""What the Slack app remembers between requests, replicas and restarts.

``slack_state.SlackState`` opens the store and holds its parts, each given the
connection it works on (``connection.StoreConnection``):

- ``handled.HandledKeys``: keys already handled (an ``event_id``, a message), so
  Slack's retries are answered once;
- ``threads.BotThreads``: threads the bot answered in (follow-ups need no mention);
- ``turns.ThreadTurns``: one turn at a time per conversation thread;
- ``approvals.ApprovalStore``: changes waiting for (or given) a decision.

The store is a SQLite file in the data dir, or PostgreSQL when
``EXTEND_AGENT_DATABASE_URL`` is set (``postgres.PostgresConnection``, so replicas
share it); the parts don't know which. Their SQL is portable (``INSERT ... ON
CONFLICT``, ``?`` placeholders, no backend-only statements outside the
connections), and their tables are versioned and migrated forward on start
(``schema``).
"""

from __future__ import annotations
