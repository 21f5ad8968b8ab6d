"""``/extend`` text -> a command: ``get``, ``rename``, ``tag``, ``meta``, ``help``.

Deterministic and model-free: the words a person types map to exactly one tool
call, or to a message saying what to type instead. Values follow the CLI's
``runs update``: ``key=value`` sets text, ``key:=json`` sets a JSON value.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from typing import Any

from slack_app.mrkdwn import unescape
from tools.client.errors import ExtendError
from tools.client.validation import validate_run_id

HELP_TEXT = (
    "*`/extend` reads and changes Extend workflow runs.*\n"
    "• `/extend get workflow_run_1234`: the run as a card (fields, pages, reference text)\n"
    "• `/extend rename workflow_run_1234 ACME March`: rename it\n"
    "• `/extend tag workflow_run_1234 urgent q3`: add tags\n"
    "• `/extend meta workflow_run_1234 vendor=ACME amount:=15735.1`: set metadata "
    "(`key=text`, `key:=JSON`)\n"
    "Changes are shown first and applied only after someone allowed clicks *Approve*. "
    "For questions in plain words, mention me or send me a direct message."
)
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


@dataclass(frozen=True)
class HelpCommand:
    """``/extend`` or ``/extend help``."""


@dataclass(frozen=True)
class GetCommand:
    run_id: str


@dataclass(frozen=True)
class UpdateCommand:
    """A rename, tags or metadata to apply to one run (after approval)."""

    run_id: str
    name: str | None = None
    metadata: dict[str, Any] | None = None
    add_tags: list[str] | None = field(default=None)


@dataclass(frozen=True)
class InvalidCommand:
    """Input that is not a command; ``problem`` says what is wrong (plain, unescaped)."""

    problem: str


Command = HelpCommand | GetCommand | UpdateCommand | InvalidCommand


def parse_command(text: str) -> Command:
    """What ``/extend <text>`` asks for; never raises."""
    try:
        words = shlex.split(unescape(text).translate(_QUOTES))
    except ValueError:
        return InvalidCommand("A quote is not closed. Put names with spaces in matching quotes.")
    if not words or words[0].lower() in ("help", "-h", "--help", "?"):
        return HelpCommand()
    verb, args = words[0].lower(), words[1:]
    if verb not in ("get", "rename", "tag", "meta"):
        return InvalidCommand(f"I don't know the command “{verb[:40]}”.")
    if not args:
        return InvalidCommand(f"`{verb}` needs a run id, e.g. `/extend {verb} workflow_run_1234`.")
    try:
        run_id = validate_run_id(args[0])
    except ExtendError as error:
        return InvalidCommand(error.message)
    rest = args[1:]
    if verb == "get":
        if rest:
            return InvalidCommand(
                "`get` takes only a run id, e.g. `/extend get workflow_run_1234`."
            )
        return GetCommand(run_id)
    if verb == "rename":
        name = " ".join(rest).strip()
        if not name:
            return InvalidCommand(
                "Give the new name: `/extend rename workflow_run_1234 ACME March`."
            )
        return UpdateCommand(run_id, name=name)
    if verb == "tag":
        tags = [t for word in rest for t in (p.strip() for p in word.split(",")) if t]
        if not tags:
            return InvalidCommand("Give at least one tag: `/extend tag workflow_run_1234 urgent`.")
        return UpdateCommand(run_id, add_tags=tags)
    return _meta(run_id, rest)


def _meta(run_id: str, pairs: list[str]) -> Command:
    if not pairs:
        return InvalidCommand("Give key=value pairs: `/extend meta workflow_run_1234 vendor=ACME`.")
    metadata: dict[str, Any] = {}
    for pair in pairs:
        if ":=" in pair and pair.index(":=") < pair.index("=") + 1:
            key, _, raw = pair.partition(":=")
            try:
                value: Any = json.loads(raw)
            except ValueError:
                return InvalidCommand(f"The part after “{key}:=” is not JSON (try {key}=text).")
        elif "=" in pair:
            key, _, value = pair.partition("=")
        else:
            return InvalidCommand(f"“{pair[:60]}” is not key=value.")
        key = key.strip()
        if not key:
            return InvalidCommand(f"“{pair[:60]}” has no key before the =.")
        metadata[key] = value
    return UpdateCommand(run_id, metadata=metadata)
