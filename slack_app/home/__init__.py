"""The App Home tab: the runs that need someone, and what to ask the app about them.

- ``prompts``: suggested prompts built from real runs (only requests the app
  answers: values and sources, uncertain fields, why a run failed, corrections);
- ``home_view``: the Home tab view (runs needing review, recent failures, prompts);
- ``listener``: ``app_home_opened`` on the Home tab -> ``views.publish``.
"""

from __future__ import annotations
