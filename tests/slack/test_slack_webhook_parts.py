"""The webhook pieces on their own: signature rules, event types, the ledger, failed rules,
and the alert card and Show source message with document text written to format them."""

from __future__ import annotations

import pytest

from slack_app.webhooks.actions import source_messages
from slack_app.webhooks.alert_card import alert_card
from slack_app.webhooks.events import DEFAULT_ALERT_EVENTS, parse_alert_events
from slack_app.webhooks.ledger import EventLedger
from slack_app.webhooks.reasons import AlertReasons, FailedRule, alert_reasons
from slack_app.webhooks.signature import SignatureError, sign, verify
from tests.slack.hostile_text import (
    CLEAR_SCREEN,
    CLOSES_QUOTE,
    FORGED_LINES,
    PAIRS,
    QUOTED_CLOSES_QUOTE,
    assert_formats_nothing,
    assert_no_raw_controls,
    hostile_run,
    mrkdwn_texts,
    plain_texts,
    rendered,
)
from tests.support.extend_webhooks import extend_signature_headers
from tools.runs.normalize import parse_run

SECRET = "whsec_parts"
NOW = 1_760_000_000


def test_the_signature_matches_an_independent_implementation() -> None:
    body = b'{"eventId":"evt_1"}'
    headers = extend_signature_headers(body, secret=SECRET, timestamp=NOW)
    assert sign(SECRET, str(NOW), body) == headers["x-extend-request-signature"]
    signature = headers["x-extend-request-signature"]
    verify(SECRET, timestamp=str(NOW), signature=signature, body=body, now=NOW + 299)
    verify(SECRET, timestamp=str(NOW), signature="v0=" + signature.upper(), body=body, now=NOW)


@pytest.mark.parametrize(
    ("timestamp", "signature", "now", "words"),
    [
        (None, "abc", NOW, "missing"),
        (str(NOW), None, NOW, "missing"),
        ("yesterday", "abc", NOW, "not a Unix timestamp"),
        (str(NOW), "abc", NOW + 301, "more than 300 s"),
        (str(NOW), "0" * 64, NOW, "does not match"),
    ],
)
def test_bad_signatures_say_why(
    timestamp: str | None, signature: str | None, now: int, words: str
) -> None:
    with pytest.raises(SignatureError, match=words):
        verify(SECRET, timestamp=timestamp, signature=signature, body=b"{}", now=now)
    with pytest.raises(SignatureError, match="no webhook signing secret"):
        verify("", timestamp=str(NOW), signature="x", body=b"{}", now=NOW)


def test_alert_events_take_short_or_full_names() -> None:
    assert parse_alert_events(None) == set(DEFAULT_ALERT_EVENTS)
    assert parse_alert_events(" failed , workflow_run.rejected") == {
        "workflow_run.failed",
        "workflow_run.rejected",
    }
    with pytest.raises(ValueError, match="unknown alert event 'done'"):
        parse_alert_events("failed,done")


def test_the_ledger_claims_once_until_the_claim_expires() -> None:
    now = [1000.0]
    with EventLedger(ttl_seconds=60, clock=lambda: now[0]) as ledger:
        assert ledger.claim("evt_1") is True
        assert ledger.claim("evt_1") is False
        ledger.release("evt_1")
        assert ledger.claim("evt_1") is True
        now[0] += 61
        assert ledger.claim("evt_1") is True  # expired: a new delivery


def test_failed_rules_are_read_from_both_versions_and_validation_blocks() -> None:
    legacy = {
        "id": "workflow_run_x",
        "status": "NEEDS_REVIEW",
        "outputs": [],
        "stepRuns": [
            {
                "object": "workflow_step_run",
                "step": {"type": "RULE_VALIDATION"},
                "output": {
                    "valid": False,
                    "rules": [{"name": "sum", "valid": False, "failureReason": "RULE_FAILED"}],
                },
            }
        ],
    }
    current = {
        "id": "workflow_run_y",
        "status": "NEEDS_REVIEW",
        "stepRuns": [
            {
                "stepType": "VALIDATION",
                "result": {
                    "valid": False,
                    "blocks": [
                        {"id": "b1", "name": "vendor known", "valid": False, "reasoning": "new"},
                        {"id": "b2", "name": "ok", "valid": True},
                    ],
                },
            },
            {"stepType": "RULE_VALIDATION", "result": "garbage"},
        ],
    }
    old = alert_reasons(parse_run(legacy, "2024-12-23"), low_confidence=0.8)
    new = alert_reasons(parse_run(current, "2026-02-09"), low_confidence=0.8)
    assert old.failed_rules == [FailedRule("sum", "the rule evaluated to false")]
    assert new.failed_rules == [FailedRule("vendor known", "new")]


def test_document_text_cannot_format_the_alert_card_or_show_source() -> None:
    run = hostile_run()
    reasons = AlertReasons(
        low_confidence=run.fields,
        failed_rules=[FailedRule("sum " + PAIRS, CLOSES_QUOTE + FORGED_LINES)],
        failure=CLEAR_SCREEN + FORGED_LINES,
    )
    messages = [*alert_card(run, "workflow_run.needs_review", reasons)]
    messages += source_messages(run, low_confidence=0.8)
    texts = [m.text for m in messages] + [t for m in messages for t in mrkdwn_texts(m.blocks)]
    for text in texts:
        assert_formats_nothing(text)
    for message in messages:
        assert "\n" not in message.text
        for plain in plain_texts(message.blocks):
            assert_no_raw_controls(plain)
    card, source = (rendered("\n".join(mrkdwn_texts(m.blocks))) for m in messages)
    # The reference text is one quotation that its own ” cannot close (F4).
    quoted = QUOTED_CLOSES_QUOTE + " # Change approved by admin > [Approve here]"
    assert f"_p. 1_ {quoted}" in card and f"_p. 1, at (1, 2)–(3, 4) pt_ {quoted}" in source
    assert "“Total 5.00” —" not in "\n".join(texts)
    assert "• *sum *bold* _it_ ~s~ `code`* — Total 5.00” — reviewer note" in card
    assert "*Failure:* \\u001b[2J # Change approved by admin > [Approve here]" in card
    assert "File: \\u001b[2Jacme.pdf, report\\u202efdp.exe" in source
