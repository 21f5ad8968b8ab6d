"""Open an Extend client: the real API when EXTEND_API_KEY is set, else the built-in emulator.

A new user with no keys gets working sample runs at once; the emulator keeps its
state in the data dir, so a rename made from the CLI is still there next time.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agent.settings import AgentSettings
from tools.client.clients import ExtendClient
from tools.client.config import ClientConfig

if TYPE_CHECKING:
    from extend_emulator import EmulatorServer

EMULATOR_KEY = "emulator-local-key"
BASE_URL_IGNORED = (
    "EXTEND_BASE_URL is set but EXTEND_API_KEY is not, so the base URL is ignored and the "
    "built-in emulator is used. Set EXTEND_API_KEY to talk to that URL."
)


def announce_on_stderr(message: str) -> None:
    print(message, file=sys.stderr)


@dataclass
class ExtendConnection:
    """A ready client and a human description of what it talks to."""

    client: ExtendClient
    description: str
    emulator: EmulatorServer | None = None

    @property
    def is_emulator(self) -> bool:
        return self.emulator is not None


@contextmanager
def open_extend(
    settings: AgentSettings | None = None,
    *,
    announce: Callable[[str], None] | None = announce_on_stderr,
    **client_options: Any,
) -> Iterator[ExtendConnection]:
    """Yield a connection; start (and later stop) the emulator when there is no key."""
    settings = settings or AgentSettings()
    emulator = None
    try:
        if settings.uses_emulator:
            from extend_emulator import EmulatorServer

            data_dir = settings.ensure_data_dir() / "emulator"
            emulator = EmulatorServer(host="127.0.0.1", port=0, data_dir=data_dir).start()
            config = ClientConfig.from_env(api_key=EMULATOR_KEY, base_url=emulator.url)
            description = f"built-in Extend emulator (sample runs; data in {data_dir})"
            if announce:
                announce(f"No EXTEND_API_KEY set: using the {description}.")
                if os.environ.get("EXTEND_BASE_URL", "").strip():
                    announce(BASE_URL_IGNORED)
        else:
            config = ClientConfig.from_env()
            description = f"Extend at {config.display_base_url} (API {config.api_version})"
        with ExtendClient(config=config, **client_options) as client:
            yield ExtendConnection(client=client, description=description, emulator=emulator)
    finally:
        if emulator is not None:
            emulator.stop()
