"""Text the agent returns, made unable to ping anyone: ``@channel``, ``<!here>``, ``<@U123>``.

A reply can quote a document ("... <!channel>"), and a proposed change can carry a
name a model copied from one, so every reply text and change description the
session hands to a front end goes through ``neutralize_mentions`` first. It puts a
zero-width space inside each mention, so the text still reads the same but Slack
(or anything that forwards it) no longer treats it as a ping:

- ``<!channel>``, ``<!here>``, ``<!everyone>``, ``<!subteam^S123|@team>`` (group
  pings) and ``<@U123>`` user pings, and ``<#C123>`` channel links;
- ``@channel``, ``@here``, ``@everyone`` typed bare (pings where names are linked).

This is the plain-text face (the CLI, and what Slack receives before it escapes).
Escaping ``&``, ``<`` and ``>`` for Slack's mrkdwn is the Slack layer's job.

``inert_reply`` adds the terminal's side for a whole reply, which a model may have
copied from a document: every control character but the line break and the tab
(``ESC``, ``\r``, ``BEL``, C1 controls), every bidirectional mark, and the invisible
word joiners, byte-order marks and Unicode tag characters (which can smuggle hidden
text to a model) are shown as escapes, so an answer can't clear the screen,
overwrite a line, reorder or hide what a person reads.
"""

from __future__ import annotations

import re

ZERO_WIDTH_SPACE = "\u200b"
_CONTROL_MENTION = re.compile(r"<([!@#])(?!\u200b)")
_BARE_BROADCAST = re.compile(r"(?<![\w<!])@(channel|here|everyone)\b", re.IGNORECASE)


_UNSAFE_IN_REPLY = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069"
    r"\ufeff\U000e0000-\U000e007f]"
)  # not U+200B-U+200D: the neutralizer's own zero-width space, and emoji joiners


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def inert_reply(text: str) -> str:
    """A reply for any front end: mentions neutralized, controls and bidi marks escaped."""
    lines = text.replace("\r\n", "\n")  # a Windows line break is a line break
    escaped = _UNSAFE_IN_REPLY.sub(_escape, lines)
    return neutralize_mentions(escaped)


def neutralize_mentions(text: str) -> str:
    """``<!channel>`` -> ``<!\u200bchannel>``, ``@here`` -> ``@\u200bhere``; idempotent."""
    text = _CONTROL_MENTION.sub(lambda m: f"<{m.group(1)}{ZERO_WIDTH_SPACE}", text)
    return _BARE_BROADCAST.sub(lambda m: f"@{ZERO_WIDTH_SPACE}{m.group(1)}", text)
