"""``/extend``: deterministic run commands, no model involved.

``get`` answers with the run card (only the caller sees it, through the
command's ``response_url``, which takes at most five messages: a longer card is
cut, says so and points to ``extend-agent runs get``); ``rename``, ``tag`` and
``meta`` are previewed against Extend and posted in the channel for approval with
the same buttons as the agent's changes; an approved change is applied with
``RunTools`` directly. Help and mistakes are answered to the caller only. Every
reply is sent with link and media unfurling off.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slack_app import texts
from slack_app.change_view import ChangeTooLargeError
from slack_app.commands import (
    HELP_TEXT,
    GetCommand,
    HelpCommand,
    InvalidCommand,
    UpdateCommand,
    parse_command,
)
from slack_app.errors import friendly_message
from slack_app.mrkdwn import code, escape
from slack_app.proposals import ChangeProposals
from slack_app.replies import NO_UNFURL, ThreadReplier
from slack_app.run_card import run_card
from tools.faces.run_tools import RunTools

logger = logging.getLogger(__name__)

MAX_RESPONSES = 5  # a response_url takes at most five messages


class SlashCommands:
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
            respond(text=f":warning: {friendly_message(error)}", **NO_UNFURL)

    def _get(self, command: GetCommand, respond: Respond) -> None:
        run = self.run_tools.get_run(command.run_id).run
        messages = run_card(run, low_confidence=self.low_confidence)
        cut = len(messages) > MAX_RESPONSES
        for message in messages[: MAX_RESPONSES - 1] if cut else messages:
            respond(text=message.text, blocks=message.blocks, **NO_UNFURL)
        if cut:
            respond(text=texts.CARD_CUT.format(run_id=escape(run.id)), **NO_UNFURL)

    def _propose(self, command: UpdateCommand, payload: dict[str, Any], respond: Respond) -> None:
        change = self.run_tools.preview_update(
            command.run_id, command.name, command.metadata, command.add_tags
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
