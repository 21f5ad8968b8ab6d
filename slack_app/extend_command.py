"""``/extend``: the slash command, from its text to its reply. No model is involved.

The words a person types map to exactly one command (``parse_command``), or to a
message saying what to type instead: ``get``, ``rename``, ``tag``, ``meta``,
``help``. Values follow the CLI's ``runs update``: ``key=value`` sets text,
``key:=json`` sets a JSON value.

``ExtendCommand.handle`` runs a command on the work pool, after the ack:
``get`` answers with the run card (only the caller sees it, through the
command's ``response_url``, which takes at most five messages: a longer card is
cut, says so and points to ``extend-agent runs get``); ``rename``, ``tag`` and
``meta`` are previewed against Extend and posted in the channel for approval with
the same buttons as the agent's changes; an approved change is applied with
``RunTools`` directly. Help and mistakes are answered to the caller only. Every
reply is sent with link and media unfurling off.
"""

from __future__ import annotations

import json
import logging
import shlex
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slack_app import texts
from slack_app.change_view import ChangeTooLargeError
from slack_app.failure_text import failure_text
from slack_app.mrkdwn import code, escape, unescape
from slack_app.proposals import ChangeProposals
from slack_app.run_card import run_card
from slack_app.thread_replier import NO_UNFURL, ThreadReplier
from tools.client.errors import ExtendError
from tools.client.validation import validate_run_id
from tools.faces.read_only import READ_ONLY_MESSAGE, is_read_only
from tools.faces.run_change import is_reserved_key
from tools.faces.run_tools import RunTools
from tools.text.quoting import quote

logger = logging.getLogger(__name__)

COMMAND = "/extend"
MAX_RESPONSES = 5  # a response_url takes at most five messages

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
        return InvalidCommand(f"I don't know the command {_quoted(verb, 40)}.")
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
                return InvalidCommand(
                    f"The part after {_quoted(key + ':=', 60)} is not JSON (try {key}=text)."
                )
        elif "=" in pair:
            key, _, value = pair.partition("=")
        else:
            return InvalidCommand(f"{_quoted(pair, 60)} is not key=value.")
        key = key.strip()
        if not key:
            return InvalidCommand(f"{_quoted(pair, 60)} has no key before the =.")
        metadata[key] = value
    return UpdateCommand(run_id, metadata=metadata)


def _quoted(text: str, limit: int) -> str:
    """What the person typed, in “quotes” on one line, cut to ``limit`` characters."""
    return quote(text, limit=limit, marks="typographic")


class ExtendCommand:
    """Runs ``/extend`` commands; ``handle`` is called on the work pool after the ack."""

    def __init__(
        self,
        *,
        client: WebClient,
        run_tools: RunTools,
        proposals: ChangeProposals,
        low_confidence: float,
    ) -> None:
        self.client = client
        self.run_tools = run_tools
        self.proposals = proposals
        self.low_confidence = low_confidence

    def handle(self, command: dict[str, Any], respond: Respond) -> None:
        parsed = parse_command(str(command.get("text") or ""))
        try:
            if isinstance(parsed, HelpCommand):
                respond(text=HELP_TEXT, **NO_UNFURL)
            elif isinstance(parsed, InvalidCommand):
                problem = f":warning: {escape(parsed.problem)} Type `/extend help` for examples."
                respond(text=problem, **NO_UNFURL)
            elif isinstance(parsed, GetCommand):
                self._get(parsed, respond)
            else:
                self._propose(parsed, command, respond)
        except Exception as error:  # words for the user, details in the log
            respond(text=f":warning: {failure_text(error)}", **NO_UNFURL)

    def _get(self, command: GetCommand, respond: Respond) -> None:
        run = self.run_tools.get_run(command.run_id).run
        messages = run_card(run, low_confidence=self.low_confidence)
        cut = len(messages) > MAX_RESPONSES
        for message in messages[: MAX_RESPONSES - 1] if cut else messages:
            respond(text=message.text, blocks=message.blocks, **NO_UNFURL)
        if cut:
            respond(text=texts.CARD_CUT.format(run_id=escape(run.id)), **NO_UNFURL)

    def _propose(self, command: UpdateCommand, payload: dict[str, Any], respond: Respond) -> None:
        if is_read_only():
            respond(text=f":no_entry: {READ_ONLY_MESSAGE}", **NO_UNFURL)
            return
        # ``extend:`` keys the person typed themselves (``/extend meta RUN
        # extend:usage_tags:=[...]``) are theirs to change; the card says they are reserved.
        reserved = [k for k in command.metadata or {} if is_reserved_key(k)]
        change = self.run_tools.preview_update(
            command.run_id,
            command.name,
            command.metadata,
            command.add_tags,
            reserved_keys=reserved,
        )
        replier = ThreadReplier(
            self.client, channel_id=str(payload.get("channel_id") or ""), thread_ts=None
        )
        try:
            self.proposals.propose(
                replier,
                kind="command",
                run_id=command.run_id,
                name=command.name,
                metadata=command.metadata,
                add_tags=command.add_tags,
                description=change.describe(),
                requester=str(payload.get("user_id") or "") or None,
                change=change,
            )
        except ChangeTooLargeError:
            too_large = texts.TOO_LARGE_TO_CONFIRM.format(run=code(command.run_id))
            respond(text=f":warning: {too_large}", **NO_UNFURL)
        except SlackApiError as error:
            logger.info("could not post /extend proposal: %s", error.response.get("error"))
            respond(text=f":warning: {texts.CANNOT_POST_HERE}", **NO_UNFURL)
