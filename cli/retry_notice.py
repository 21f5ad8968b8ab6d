"""Retries said once on stderr, not a line per attempt.

The client logs every retry (``tools.client.clients``, WARNING), which is right for
a service's logs but noisy in a terminal: a flaky minute would print a line per
attempt. While ``retries_said_once()`` is active, the first retry prints one line
("Extend did not answer (ServerError); retrying, up to 3 times...") and the rest
are counted, not printed; the final outcome (an answer or one error line) says
the rest.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["CLIENT_LOGGER", "RetryNotice", "retries_said_once"]

CLIENT_LOGGER = "tools.client.clients"


class RetryNotice(logging.Handler):
    """Prints the first retry warning as one plain line; counts the others."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.retries = 0

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "retrying" not in message:
            print(f"warning: {message}", file=sys.stderr)
            return
        self.retries += 1
        if self.retries == 1:
            reason = message.split(";", 1)[0]
            print(
                f"Extend did not answer ({reason}); retrying (EXTEND_MAX_RETRIES sets how often)…",
                file=sys.stderr,
            )


@contextmanager
def retries_said_once() -> Iterator[RetryNotice]:
    """Route the client's retry warnings through one ``RetryNotice`` while active."""
    logger = logging.getLogger(CLIENT_LOGGER)
    notice = RetryNotice()
    propagate = logger.propagate
    logger.addHandler(notice)
    logger.propagate = False
    try:
        yield notice
    finally:
        logger.removeHandler(notice)
        logger.propagate = propagate
