"""``extend-agent slack``: run the Slack app, over Socket Mode or HTTP.

``--socket`` (needs ``SLACK_BOT_TOKEN`` and ``SLACK_APP_TOKEN``) connects out to
Slack, so it works from a laptop with no public URL; ``--http --port 3000``
(needs ``SLACK_BOT_TOKEN`` and ``SLACK_SIGNING_SECRET``) serves
``/slack/events`` for a server behind HTTPS. With neither flag, Socket Mode is
used when ``SLACK_APP_TOKEN`` is set, else HTTP. Extend webhooks (alerts, with
``EXTEND_WEBHOOK_SECRET``) are served at ``/extend/webhooks`` beside the events
in HTTP mode, and on ``--webhooks-port`` in Socket Mode. This is the one place
``agent`` touches ``slack_app``, and it imports it only when the command runs.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from cli.friendly_errors import friendly_errors
from tools.text.quoting import terminal_safe


def register(app: typer.Typer) -> None:
    @app.command("slack")
    def slack(
        socket: Annotated[
            bool, typer.Option("--socket", help="Socket Mode (needs SLACK_APP_TOKEN).")
        ] = False,
        http: Annotated[
            bool,
            typer.Option(
                "--http", help="HTTP mode: serve /slack/events (needs SLACK_SIGNING_SECRET)."
            ),
        ] = False,
        port: Annotated[int, typer.Option("--port", help="HTTP mode port.")] = 3000,
        host: Annotated[str, typer.Option("--host", help="HTTP mode address.")] = "0.0.0.0",
        webhooks_port: Annotated[
            int | None,
            typer.Option(
                "--webhooks-port",
                min=0,
                max=65535,
                help="Socket Mode: receive Extend webhooks (POST /extend/webhooks) on this port "
                "(needs EXTEND_WEBHOOK_SECRET). HTTP mode serves them beside /slack/events.",
            ),
        ] = None,
    ) -> None:
        """Run the Slack app: answers mentions and DMs, asks before every change."""
        if socket and http:
            print("error: choose one of --socket and --http.", file=sys.stderr)
            raise typer.Exit(2)
        if not socket and not http:
            socket = bool(os.environ.get("SLACK_APP_TOKEN", "").strip())
        if webhooks_port is not None and not socket:
            print(
                "error: --webhooks-port is for Socket Mode; HTTP mode serves /extend/webhooks "
                "on --port.",
                file=sys.stderr,
            )
            raise typer.Exit(2)
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
        from slack_bolt.error import BoltError

        from slack_app import runtime
        from slack_app.workers.pool import WorkerStartError

        try:
            with friendly_errors(), slack_unreachable():  # settings, Extend, network
                if socket:
                    runtime.run_socket_mode(webhooks_port=webhooks_port, webhooks_host=host)
                else:
                    runtime.run_http(host=host, port=port)
        except WorkerStartError as error:
            print(
                f"error: {error}. Each agent worker builds the whole app (Slack's auth.test, "
                "Extend, the data dir): check SLACK_BOT_TOKEN, SLACK_API_URL and the Extend "
                "settings, or set SLACK_AGENT_PROCESSES=0 to run everything in one process.",
                file=sys.stderr,
            )
            raise typer.Exit(2) from None
        except BoltError:
            logging.getLogger("cli").debug("Bolt failed to start", exc_info=True)
            print(
                "error: Slack did not accept the app's tokens (auth.test failed); "
                "check SLACK_BOT_TOKEN and SLACK_API_URL.",
                file=sys.stderr,
            )
            raise typer.Exit(2) from None


@contextmanager
def slack_unreachable() -> Iterator[None]:
    """Slack's Web API not reachable at start-up (``auth.test``): say where it was looked for."""
    from urllib.error import URLError

    try:
        yield
    except URLError as error:
        url = os.environ.get("SLACK_API_URL", "").strip() or "https://slack.com/api/"
        print(
            f"error: could not reach Slack's Web API at {terminal_safe(url)} "
            f"({terminal_safe(str(error.reason))}): check SLACK_API_URL and the network.",
            file=sys.stderr,
        )
        raise typer.Exit(2) from None
