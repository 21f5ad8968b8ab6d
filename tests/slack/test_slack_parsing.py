"""Pure pieces of the Slack app: ``/extend`` parsing, friendly errors, incoming messages."""

from __future__ import annotations

import pytest

from slack_app.conversation import incoming_message
from slack_app.extend_command import (
    GetCommand,
    HelpCommand,
    InvalidCommand,
    UpdateCommand,
    parse_command,
)
from slack_app.failure_text import (
    EXTEND_REFUSED,
    EXTEND_UNAVAILABLE,
    SOMETHING_WENT_WRONG,
    UNKNOWN_RUN,
    failure_text,
)
from slack_app.settings import SlackSettings
from tools.client import errors
from tools.faces.tool_errors import ToolError

RUN = "workflow_run_1234"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", HelpCommand()),
        ("help", HelpCommand()),
        (f"get {RUN}", GetCommand(RUN)),
        (f"GET {RUN}", GetCommand(RUN)),
        (f"rename {RUN} ACME March", UpdateCommand(RUN, name="ACME March")),
        (f"rename {RUN} “ACME  March”", UpdateCommand(RUN, name="ACME  March")),
        (f"rename {RUN} Smith &amp; Co", UpdateCommand(RUN, name="Smith & Co")),
        (f"tag {RUN} urgent q3,eu", UpdateCommand(RUN, add_tags=["urgent", "q3", "eu"])),
        (
            f"meta {RUN} vendor=ACME amount:=15735.1 note='a b'",
            UpdateCommand(RUN, metadata={"vendor": "ACME", "amount": 15735.1, "note": "a b"}),
        ),
        (
            f"meta {RUN} url=https://x.example/?a=b",
            UpdateCommand(RUN, metadata={"url": "https://x.example/?a=b"}),
        ),
    ],
)
def test_commands_parse(text: str, expected: object) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    "text",
    ["delete everything", "get", f"get {RUN} extra", "get ../etc", f"tag {RUN}",
     f"meta {RUN}", f"meta {RUN} =x", f"meta {RUN} n:=nope", f"rename {RUN} 'open"],
)  # fmt: skip
def test_bad_commands_say_what_is_wrong(text: str) -> None:
    parsed = parse_command(text)
    assert isinstance(parsed, InvalidCommand) and parsed.problem


def test_errors_become_words_by_type_never_the_exception_text() -> None:
    secret_detail = "https://internal.example/debug?token=abc"
    not_found = errors.NotFoundError(f"404 at {secret_detail}", status_code=404)
    assert failure_text(not_found) == UNKNOWN_RUN
    assert failure_text(errors.APIConnectionError(secret_detail)) == EXTEND_UNAVAILABLE
    assert failure_text(errors.ServerError(secret_detail)) == EXTEND_UNAVAILABLE
    assert failure_text(errors.AuthenticationError(secret_detail)) == EXTEND_REFUSED
    assert failure_text(RuntimeError(secret_detail)) == SOMETHING_WENT_WRONG
    wrapped = ToolError(f"Failed reading run x: {not_found}", cause=not_found)  # as RunTools
    assert failure_text(wrapped) == UNKNOWN_RUN
    invalid = errors.InvalidRunIdError("'a b' is not a valid run id <!channel>")
    assert failure_text(invalid) == (
        "That input isn't valid: 'a b' is not a valid run id &lt;!channel&gt;"
    )
    assert failure_text(ToolError("Nothing to change on run x.")) == "Nothing to change on run x."


def test_an_incoming_mention_loses_the_bot_mention_and_slack_escapes() -> None:
    body = {"team_id": "T1"}
    event = {"type": "app_mention", "user": "U1", "channel": "C1", "ts": "1.5",
             "text": "<@UBOT> rename it to Smith &amp; Co &lt;3"}  # fmt: skip
    message = incoming_message(body, event, bot_user_id="UBOT")
    assert message is not None
    assert message.text == "rename it to Smith & Co <3"
    assert message.thread_id == "slack:T1:C1:1.5"
    threaded = incoming_message(body, {**event, "thread_ts": "1.0"}, bot_user_id="UBOT")
    assert threaded is not None and threaded.thread_id == "slack:T1:C1:1.0"
    assert incoming_message(body, {"type": "message", "channel": "C1"}, bot_user_id=None) is None


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api")
    monkeypatch.setenv("SLACK_APPROVER_IDS", " U1, U2 ,,")
    assert SlackSettings().approval_ttl_seconds == 7 * 24 * 3600
    monkeypatch.setenv("SLACK_APPROVAL_TTL_SECONDS", "3600")
    settings = SlackSettings()
    assert settings.approval_ttl_seconds == 3600
    assert settings.api_url == "http://127.0.0.1:9/api/"
    assert settings.approver_ids == frozenset({"U1", "U2"})
    assert settings.require_bot_token() == "xoxb-1"
    assert "xoxb-1" not in repr(settings)
