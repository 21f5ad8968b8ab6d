"""The Slack front end: Bolt listeners, Block Kit views, the approve-before-write flow.

``build_app(settings, session, run_tools, web_client, state=...)`` builds the
Bolt app from its parts (``slack_app.app``); ``slack_app.runtime`` wires it from
the environment for ``extend-agent slack --socket`` / ``--http``;
``slack_app.server.create_asgi_app`` serves it over HTTP. Nothing is imported
or built at import time beyond this docstring, so ``import slack_app`` is free.
"""

from __future__ import annotations
