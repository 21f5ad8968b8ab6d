"""One object the front ends talk to: ask in a thread, see a pending change, approve or decline.

The names front ends import, gathered from the modules that each do one part:

- ``agent.session_types``: ``AgentReply``, ``PendingWrite``, ``ChangeNotWaitingError``
  (plain data, no LangChain import);
- ``agent.session_turns``: ``AgentSession``, which runs a thread's turns on the agent
  graph and settles the change waiting for approval (how a thread pauses, what a
  "yes" may approve, refused proposals, pruning, thread safety);
- ``agent.session_pending``: the waiting change found in the graph's interrupts and
  previewed against Extend;
- ``agent.session_reply``: a finished turn read into an ``AgentReply``;
- ``agent.session_wiring``: ``open_agent_session``, everything wired from the
  environment.

Every text returned (answers, change descriptions) has its @channel-style mentions
neutralized (``agent.safety``).
"""

from __future__ import annotations

# Import order matters to start-up: session_turns (LangChain, LangGraph) must load before
# session_wiring (pydantic-settings, httpx); the other way round this import takes about
# 50 ms longer (LangSmith's pydantic models build slower). isort keeps this order only
# while the module names sort this way.
from agent.session_turns import AgentSession
from agent.session_types import AgentReply, ChangeNotWaitingError, PendingWrite
from agent.session_wiring import open_agent_session

__all__ = [
    "AgentReply",
    "AgentSession",
    "ChangeNotWaitingError",
    "PendingWrite",
    "open_agent_session",
]
