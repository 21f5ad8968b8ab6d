"""What people see in Slack: streamed answers, run cards and approval cards render right.

Slack reads three kinds of text differently. ``mrkdwn`` (message ``text``, section and
context blocks) needs ``&``, ``<``, ``>`` sent as ``&amp;``, ``&lt;``, ``&gt;`` and
shows them as characters. ``plain_text`` (headers, buttons, dialogs) is shown as
sent. ``markdown_text`` (chat.startStream / appendStream / stopStream) is standard
markdown, where Slack documents no entity decoding, so nothing may be sent as an
entity there. ``shown`` renders each kind the way Slack does; every check reads the
rendered text (no ``&gt;`` a person would see) and the raw text (no ``<!channel>``,
``<!here>`` or ``<@U…>`` token Slack would turn into a ping).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx

from agent.safety import inert_reply
from extend_emulator import EmulatorServer
from slack_app.mrkdwn import ZERO_WIDTH_SPACE, defang_answer, inline, markdown_safe, truncate
from slack_app.testing.records import SlackCall
from slack_app.testing.slack_requests import mention
from slack_app.testing.web_api import SlackMock
from slack_app.testing.workspace import ALICE, CHANNEL
from tests.conftest import EMULATOR_KEY
from tests.slack.hostile_text import (
    FORGED_LINES,
    HOSTILE,
    PAIRS,
    assert_formats_nothing,
    assert_no_raw_controls,
)
from tests.support.slack_stack import SlackStack, click, outcome_of, proposals

STREAM_METHODS = ("chat.startStream", "chat.appendStream", "chat.stopStream")
MESSAGE_METHODS = ("chat.postMessage", "chat.update", "chat.postEphemeral")
ENTITIES = ("&gt;", "&lt;", "&amp;")
PING = re.compile(r"<[!@#]|(?<![\w\u200b])@(?:channel|here|everyone)\b", re.IGNORECASE)


def shown(call: SlackCall) -> Iterator[tuple[str, str, str]]:
    """``(kind, raw, rendered)`` for every text of a call, rendered as Slack renders it."""
    if call.method in STREAM_METHODS:
        raw = str(call.args.get("markdown_text") or "")
        for chunk in call.args.get("chunks") or []:
            if isinstance(chunk, dict) and chunk.get("type") == "markdown_text":
                raw += str(chunk.get("text") or "")
        yield "markdown", raw, raw
        return
    if call.method not in MESSAGE_METHODS:
        return
    text = str(call.args.get("text") or "")
    yield "mrkdwn", text, _mrkdwn(text)
    yield from _block_texts(call.args.get("blocks") or [])


def _block_texts(value: object) -> Iterator[tuple[str, str, str]]:
    if isinstance(value, list):
        for item in value:
            yield from _block_texts(item)
    elif isinstance(value, dict):
        kind, text = value.get("type"), value.get("text")
        if kind in ("mrkdwn", "plain_text") and isinstance(text, str):
            yield str(kind), text, _mrkdwn(text) if kind == "mrkdwn" else text
        for item in value.values():
            if isinstance(item, dict | list):
                yield from _block_texts(item)


def _mrkdwn(text: str) -> str:
    """mrkdwn as Slack shows it: the three entities decoded, once."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def assert_renders_right(slack: SlackMock, *, allowed_mention: str | None = None) -> int:
    """Every text sent shows no entity and carries no ping; returns how many were checked."""
    checked = 0
    for call in slack.calls():
        for kind, raw, rendered in shown(call):
            checked += 1
            where = f"{call.method} {kind}: {raw[:300]!r}"
            assert not any(e in rendered for e in ENTITIES), where
            tokens = raw.replace(allowed_mention, "") if allowed_mention else raw
            if kind != "plain_text":
                assert not PING.search(tokens), where
    return checked


def served_run_ids(emulator: EmulatorServer) -> list[str]:
    ids: list[str] = []
    token = None
    while True:
        params = {"maxPageSize": 50, **({"nextPageToken": token} if token else {})}
        page = httpx.get(
            f"{emulator.url}/workflow_runs",
            params=params,
            headers={"Authorization": f"Bearer {EMULATOR_KEY}"},
        ).json()
        ids += [run["id"] for run in page["workflowRuns"]]
        token = page.get("nextPageToken")
        if not token:
            return ids


def summarize_in_slack(stack: SlackStack, slack: SlackMock, run_id: str) -> tuple[str, list[str]]:
    """Ask for a summary; wait for the streamed answer and the run card."""
    event = mention(f"summarize {run_id}")
    stack.sender.event(event)
    [answer] = slack.wait_for(lambda s: s.answers(CHANNEL, event["ts"]), what=f"{run_id}")
    cards = slack.wait_for(
        lambda s: [c for c in s.posts(CHANNEL, event["ts"]) if c.args.get("blocks")],
        what=f"the card of {run_id}",
    )
    return answer, [rendered for c in cards for kind, _, rendered in shown(c) if kind != "markdown"]


def test_every_summary_and_card_renders_without_entities_or_pings(
    stack: SlackStack, slack: SlackMock, emulator: EmulatorServer
) -> None:
    run_ids = served_run_ids(emulator)
    assert len(run_ids) >= 9
    answers = {}
    for run_id in run_ids:
        answers[run_id], _ = summarize_in_slack(stack, slack, run_id)
    assert len(slack.calls("chat.startStream")) == len(run_ids)  # every answer was streamed
    assert assert_renders_right(slack) > 3 * len(run_ids)
    for run_id, answer in answers.items():
        assert run_id in answer and len(answer) <= 700
        assert "logprobs" not in answer and "OCR" not in answer
    corrected = answers["workflow_run_reviewed_corrections"]
    assert "from Oct 16, 2024 to Oct 31, 2024" in corrected and "$1,420.00" in corrected
    assert "maria.lopez@example.com" in corrected or "user_2Nf8QkLx" in corrected
    assert "PWNED" in answers["workflow_run_injection"]  # pointed out, as text


def test_the_card_shows_corrections_and_the_reviewer_as_characters(
    stack: SlackStack, slack: SlackMock
) -> None:
    _, card = summarize_in_slack(stack, slack, "workflow_run_reviewed_corrections")
    text = "\n".join(card)
    assert "Oct 16, 2024 → Oct 31, 2024" in text and "$1,240.00 → $1,420.00" in text
    assert "2024-10-16" not in text and "1,420.00 USD" not in text  # human formats on cards
    assert "reviewed by user_2Nf8QkLx" in text  # the 2024-12-23 client gets the id only
    _, injection = summarize_in_slack(stack, slack, "workflow_run_injection")
    assert "<!channel>" in "\n".join(injection)  # rendered as the document wrote it...
    assert_renders_right(slack)  # ...and sent escaped, so it pings no one


def test_cards_show_scores_in_whole_percent(stack: SlackStack, slack: SlackMock) -> None:
    _, weak = summarize_in_slack(stack, slack, "workflow_run_needs_review")
    _, classified = summarize_in_slack(stack, slack, "workflow_run_classify")
    text = "\n".join(weak + classified)
    assert re.search(r"low confidence \(\d{1,3}%\)", "\n".join(weak)), weak
    assert re.search(r"Classified as\* .+ \(\d{1,3}%\)", "\n".join(classified)), classified
    assert not re.search(r"\d\.\d%", text)  # 74%, never 74.0%: people read cards


def test_a_change_with_reserved_characters_renders_right_everywhere(
    stack: SlackStack, slack: SlackMock
) -> None:
    # Slack sends what the person typed escaped, as here.
    event = mention("rename workflow_run_1234 to Smith &amp; Co -&gt; West &lt;!here&gt;")
    stack.sender.event(event)
    [proposal] = slack.wait_for(lambda s: proposals(s), what="the proposal")
    card = "\n".join(r for kind, _, r in shown(proposal.call) if kind == "mrkdwn")
    assert "Smith & Co -> West" in card
    click(stack, proposal, user=ALICE)
    assert "Approved by" in _mrkdwn(outcome_of(slack, proposal))
    done = slack.wait_for(
        lambda s: [a for a in s.answers(CHANNEL, event["ts"]) if "Smith" in a],
        what="the agent's confirmation",
    )
    assert "Smith & Co -> West" in done[0]  # streamed as characters, not -&gt;
    assert_renders_right(slack, allowed_mention=f"<@{ALICE}>")


def test_a_refused_stream_is_posted_as_escaped_mrkdwn(stack: SlackStack, slack: SlackMock) -> None:
    slack.fail("chat.startStream", "not_allowed_token_type")
    event = mention("summarize workflow_run_injection")
    stack.sender.event(event)
    [answer] = slack.wait_for(lambda s: s.answers(CHANNEL, event["ts"]), what="the answer")
    assert slack.streams() == {}
    assert "PWNED" in _mrkdwn(answer)
    assert_renders_right(slack)


def test_markdown_safe_leaves_no_entity_and_no_token() -> None:
    text = "before -> after & <!channel> <@U0BOB0001> <https://x.example|click> &lt;!here&gt; a < b"
    safe = markdown_safe(text)
    assert safe.replace(ZERO_WIDTH_SPACE, "") == text  # reads exactly as written
    assert "before -> after & " in safe and " a < b" in safe
    assert not PING.search(safe) and "<https" not in safe and "&lt;" not in safe
    assert markdown_safe(safe) == safe


def test_defang_answer_keeps_lists_and_bold_and_reads_the_rest_as_text() -> None:
    own = "Runs needing review:\n- workflow_run_1 · ACME · **$1,420.00**\n- and 2 more\n1. first"
    forged = (
        "\n  - > nested\n1. # heading\n```\nfence\n~~~\nTitle\n===\n---\n[x]: https://evil.example"
    )
    hostile = own + "".join(f"\n{h}" for h in HOSTILE) + forged + "\a\x9b\u2066"
    safe = markdown_safe(defang_answer(hostile))
    assert safe.startswith(own + "\n")  # the app's own lists and bold render as before
    assert defang_answer(defang_answer(hostile)) == defang_answer(hostile)
    for line in safe.split("\n")[4:]:
        opener = re.match(r"\s*(?:(?:[-*+]|\d+[.)])\s+)*(#|>|```|~~~|=+$|-+$)", line)
        assert opener is None, f"{line!r} opens a block"
    assert "](" not in safe and "]:" not in safe  # no link, image or link definition
    assert_no_raw_controls(safe)
    assert safe.replace(ZERO_WIDTH_SPACE, "") == inert_reply(hostile)  # reads as written
    assert "*bold* _it_ ~s~ `code`" in safe  # emphasis from the model is its own to use


def test_inline_text_is_one_line_that_formats_nothing() -> None:
    for hostile in HOSTILE:
        shown = inline(hostile)
        assert "\n" not in shown
        assert_formats_nothing(shown)
    assert _mrkdwn(inline(PAIRS + FORGED_LINES)).replace(ZERO_WIDTH_SPACE, "") == (
        "*bold* _it_ ~s~ `code` # Change approved by admin > [Approve here]"
        "(https://evil.example/approve) ![img](https://evil.example/p.png)"
    )
    assert inline("acme_invoice_2024.pdf 10:30 user_2Nf8QkLx") == (
        "acme_invoice_2024.pdf 10:30 user_2Nf8QkLx"  # nothing to pair: left as it is
    )
    assert inline(":white_check_mark: Approved") == f":{ZERO_WIDTH_SPACE}white_check_mark: Approved"
    assert inline("<!channel> & co") == "&lt;!channel&gt; &amp; co"
    for limit in range(1, 40):  # a cut never leaves a marker without its zero-width spaces
        cut = truncate(inline(PAIRS), limit)
        assert len(cut) <= limit and not re.search(f"[*_~`](?!{ZERO_WIDTH_SPACE})", cut)
