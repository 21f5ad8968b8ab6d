"""Turn any failure into one clear line on stderr and a non-zero exit, never a traceback.

Error messages can carry a server's text, so controls in them are shown as escapes
(``terminal_safe``), never sent to the terminal. ``model_errors`` does the same for a
failed model request (no network, a bad OpenAI key) in the commands that talk to one.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from tools.client.errors import ExtendError
from tools.text.quoting import terminal_safe

logger = logging.getLogger("cli")


def one_line(exc: ValueError) -> str:
    """A settings error from pydantic reads ``EXTEND_LOW_CONFIDENCE: Input should be ...``."""
    from pydantic import ValidationError

    from agent.settings import settings_problems

    if isinstance(exc, ValidationError):
        return settings_problems(exc)
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


@contextmanager
def friendly_errors() -> Iterator[None]:
    try:
        yield
    except ExtendError as exc:
        print(f"error: {terminal_safe(str(exc))}", file=sys.stderr)
        raise typer.Exit(2) from None
    except ValueError as exc:  # configuration errors (bad EXTEND_API_VERSION, ...)
        print(f"error: {terminal_safe(one_line(exc))}", file=sys.stderr)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        raise typer.Exit(130) from None
    except OSError as exc:
        logger.debug("OS error", exc_info=True)
        print(f"error: {terminal_safe(str(exc.strerror or exc))}", file=sys.stderr)
        raise typer.Exit(1) from None


@contextmanager
def model_errors() -> Iterator[None]:
    """Model/server failures (no network, bad OpenAI key, ...) as one line, exit 2."""
    try:
        yield
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except Exception as exc:
        if not is_model_error(exc):
            raise
        logger.debug("model error", exc_info=True)
        print(f"error: the model request failed: {exc}", file=sys.stderr)
        raise typer.Exit(2) from None


def is_model_error(exc: Exception) -> bool:
    """Whether ``exc`` is the OpenAI client's (imported only once something failed)."""
    try:
        import openai
    except ImportError:  # pragma: no cover - openai is a dependency
        return False
    return isinstance(exc, openai.OpenAIError)
