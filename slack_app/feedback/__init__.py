"""Thumbs up / down on the agent's answers: the buttons, and where the votes are kept.

- ``buttons``: the ``feedback_buttons`` block put under each answer; its values
  carry the conversation (thread) id, so a vote is tied to the conversation it
  judges;
- ``store``: votes in SQLite, one per person per answer (a changed mind
  replaces the vote), counted overall and per thread;
- ``listener``: the click: record the vote, thank the person (only they see it).
"""

from __future__ import annotations
