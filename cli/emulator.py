"""``extend-agent emulator``: run the local Extend API in the foreground."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    @app.command("emulator")
    def emulator(
        port: Annotated[int, typer.Option(help="Port to listen on.", min=0, max=65535)] = 8765,
        host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
        data_dir: Annotated[
            Path | None, typer.Option("--data-dir", help="Keep state here (default: in memory).")
        ] = None,
        fixtures: Annotated[
            Path | None, typer.Option("--fixtures", help="Load more runs from *.json here.")
        ] = None,
        api_key: Annotated[
            str | None, typer.Option("--api-key", help="Require this bearer key (default: any).")
        ] = None,
        reset: Annotated[bool, typer.Option("--reset", help="Restore the sample runs.")] = False,
        default_version: Annotated[
            str, typer.Option("--default-version", help="API version when a request names none.")
        ] = "2024-12-23",
        webhook_url: Annotated[
            str | None,
            typer.Option(
                "--webhook-url",
                envvar="EXTEND_EMULATOR_WEBHOOK_URL",
                help="Send signed workflow run events here (POST /_emulator/runs/{id}/status).",
            ),
        ] = None,
        webhook_secret: Annotated[
            str | None,
            typer.Option(
                "--webhook-secret",
                envvar="EXTEND_EMULATOR_WEBHOOK_SECRET",
                help="Signing secret for the webhooks (the app's EXTEND_WEBHOOK_SECRET).",
            ),
        ] = None,
        generate: Annotated[
            int,
            typer.Option(
                "--generate",
                envvar="EXTEND_EMULATOR_GENERATE",
                min=0,
                max=20000,
                help="Add this many realistic invoice runs beside the samples.",
            ),
        ] = 0,
        seed: Annotated[
            int, typer.Option("--seed", help="Seed of --generate (same seed, same runs).")
        ] = 7,
    ) -> None:
        """Serve a local Extend API with sample runs (both API versions, fault injection)."""
        from cli.friendly_errors import friendly_errors
        from extend_emulator import run_forever

        if fixtures is not None and not fixtures.is_dir():
            raise typer.BadParameter(f"{fixtures} is not a folder.", param_hint="--fixtures")
        with friendly_errors():
            run_forever(
                host=host,
                port=port,
                data_dir=data_dir,
                fixtures_dir=fixtures,
                api_key=api_key,
                reset=reset,
                default_version=default_version,
                webhook_url=webhook_url,
                webhook_secret=webhook_secret,
                generate=generate,
                seed=seed,
            )
