"""Acks that never wait on the agent: a thin front process and agent worker processes.

With the agent in the same process as the HTTP server, every agent turn (the
offline model is pure Python) competes with the request path for the GIL, and
acks slow down under load. Here the process that answers Slack does only what
the ack needs, and hands each request to worker processes that run the whole
app:

- ``front``: the Starlette endpoint: body checks, signature, ``url_verification``,
  dedupe of Slack's retries by ``event_id`` (in the shared SQLite state), then
  the request is queued and 200 goes back at once;
- ``pool``: worker processes, each with its own Bolt app, agent session, Web API
  client and connection to the same state; each request is dispatched there as
  Slack sent it (the signature is checked again), so listeners, approvals and
  per-thread turns work exactly as in one process.
"""

from __future__ import annotations
