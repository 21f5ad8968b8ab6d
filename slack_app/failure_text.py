"""``failure_text``: a failure as words for Slack users, chosen by its type; details go to the log.

A user sees one of a few sentences (unknown run, Extend unavailable, not allowed,
invalid input, something else) and never ``str(exception)``: an exception's text
can hold URLs, request bodies or document text. Our own validation messages are
the one exception to "never the message": they are written for users, say what
to fix, and are escaped before they are shown.

``RunTools`` wraps every Extend error in a ``ToolError`` whose ``cause`` is the
original error, which is what the type is read from.
"""

from __future__ import annotations

import logging

from slack_app.mrkdwn import escape
from tools.client import errors as extend_errors
from tools.faces.tool_errors import ToolError

logger = logging.getLogger(__name__)

UNKNOWN_RUN = "I couldn't find that run in Extend. Check the id: it looks like `workflow_run_…`."
EXTEND_UNAVAILABLE = (
    "Extend isn't answering right now, so nothing was read or changed. Try again in a minute."
)
EXTEND_REFUSED = (
    "Extend refused this request: the app's Extend key may not do that. "
    "Ask whoever runs this app to check its EXTEND_API_KEY."
)
EXTEND_REJECTED = "Extend rejected the request as invalid, so nothing was changed."
MODEL_UNAVAILABLE = "The language model isn't answering right now. Try again in a minute."
SOMETHING_WENT_WRONG = "Something went wrong on my side; the details are in the app's log."


def failure_text(error: BaseException) -> str:
    """Safe mrkdwn describing ``error`` by its type; the full error is logged here."""
    message = _message_for(error)
    if message == SOMETHING_WENT_WRONG:
        logger.error("request failed unexpectedly", exc_info=error)
    else:
        logger.info("request failed: %s: %s", type(error).__name__, error)
    return message


def _message_for(error: BaseException) -> str:
    cause = error
    if isinstance(error, ToolError) and error.cause is not None:
        cause = error.cause
    if isinstance(cause, extend_errors.NotFoundError):
        return UNKNOWN_RUN
    if isinstance(
        cause,
        extend_errors.TransportError
        | extend_errors.ServerError
        | extend_errors.RateLimitError
        | extend_errors.InvalidResponseError,
    ):
        return EXTEND_UNAVAILABLE
    if isinstance(
        cause,
        extend_errors.AuthenticationError
        | extend_errors.PermissionDeniedError
        | extend_errors.PaymentRequiredError,
    ):
        return EXTEND_REFUSED
    if isinstance(cause, extend_errors.ValidationError):
        return f"That input isn't valid: {escape(cause.message)}"
    if isinstance(cause, extend_errors.BadRequestError | extend_errors.UnprocessableError):
        return EXTEND_REJECTED
    if isinstance(error, ToolError) and cause is error:
        return escape(error.message)  # RunTools' own words (e.g. "nothing to change")
    if _is_model_error(error):
        return MODEL_UNAVAILABLE
    return SOMETHING_WENT_WRONG


def _is_model_error(error: BaseException) -> bool:
    try:
        import openai
    except ImportError:  # pragma: no cover - openai is a dependency
        return False
    return isinstance(error, openai.OpenAIError)
