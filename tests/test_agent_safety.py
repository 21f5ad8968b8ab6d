"""What the session hands to front ends cannot ping anyone or approve an unseen change.

Every reply text and change description has its mentions neutralized; a "yes"
typed into a thread approves a waiting change only after this session has shown
that change there (a restart forgets what was shown, so the change is shown again).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.safety import ZERO_WIDTH_SPACE, neutralize_mentions
from agent.testing import ScriptedChatModel, agent_session, call, say
from extend_emulator import EmulatorServer
from tests.support.agent_helpers import writes
from tools.client.clients import ExtendClient

SEED = "workflow_run_1234"
PINGS = "<!channel> <!here> <!everyone> <!subteam^S0123|@finance> <@U024BE7LH> @here @Channel"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<!channel>", f"<!{ZERO_WIDTH_SPACE}channel>"),
        ("<!subteam^S0123|@finance>", f"<!{ZERO_WIDTH_SPACE}subteam^S0123|@finance>"),
        ("<@U024BE7LH>", f"<@{ZERO_WIDTH_SPACE}U024BE7LH>"),
        ("<#C123|general>", f"<#{ZERO_WIDTH_SPACE}C123|general>"),
        ("ping @here now", f"ping @{ZERO_WIDTH_SPACE}here now"),
        ("@Everyone", f"@{ZERO_WIDTH_SPACE}Everyone"),
        ("mail ap@channel.example", "mail ap@channel.example"),
        ("a <b> c & d", "a <b> c & d"),  # escaping for Slack is the Slack layer's job
    ],
)
def test_neutralize_mentions(text: str, expected: str) -> None:
    assert neutralize_mentions(text) == expected
    assert neutralize_mentions(expected) == expected  # idempotent


def test_replies_and_descriptions_are_neutralized(client: ExtendClient, tmp_path: Path) -> None:
    model = ScriptedChatModel(
        script=[
            say(f"The notes say: {PINGS}"),
            call("update_run_metadata", run_id=SEED, name=PINGS),
        ]
    )
    with agent_session(client, model, tmp_path / "c.sqlite3") as session:
        answer = session.ask("t", "what do the notes say?")
        proposal = session.ask("t", "rename it")

    assert proposal.pending is not None
    for shown in (answer.text, proposal.text, proposal.pending.description):
        assert neutralize_mentions(shown) == shown
        for ping in ("<!channel>", "<!here>", "<!subteam", "<@U024BE7LH>", " @here", "@Channel"):
            assert ping not in shown, (ping, shown)
    assert "subteam^S0123" in proposal.pending.description  # still readable


def test_yes_only_counts_for_a_change_shown_in_this_thread(
    client: ExtendClient, emulator: EmulatorServer, tmp_path: Path
) -> None:
    db = tmp_path / "c.sqlite3"
    proposing = ScriptedChatModel(script=[call("update_run_metadata", run_id=SEED, name="AM")])
    with agent_session(client, proposing, db) as session:
        assert session.ask("t", "rename workflow_run_1234 to AM").pending is not None

    # another process on the same store (or this one after a restart) never showed the
    # change: a "yes" shows it instead of applying it, and only the next "yes" applies it
    with agent_session(client, ScriptedChatModel(script=[say("Renamed.")]), db) as session:
        shown = session.ask("t", "yes")
        assert shown.not_asked and shown.pending is not None
        assert "AM" in shown.text and "waiting for your approval" in shown.text
        assert writes(emulator) == []

        applied = session.ask("t", "yes")

    assert applied.text == "Renamed."
    assert len(writes(emulator, SEED)) == 1


def test_no_declines_even_a_change_not_shown(
    client: ExtendClient, emulator: EmulatorServer, tmp_path: Path
) -> None:
    db = tmp_path / "c.sqlite3"
    proposing = ScriptedChatModel(script=[call("update_run_metadata", run_id=SEED, name="X")])
    with agent_session(client, proposing, db) as session:
        session.ask("t", "rename workflow_run_1234 to X")
    with agent_session(client, ScriptedChatModel(script=[say("Not changed.")]), db) as session:
        reply = session.ask("t", "no")
    assert reply.text == "Not changed." and writes(emulator) == []


def test_text_is_never_a_decision_when_the_front_end_asks_itself(
    client: ExtendClient, emulator: EmulatorServer, tmp_path: Path
) -> None:
    model = ScriptedChatModel(script=[call("update_run_metadata", run_id=SEED, name="X")])
    with agent_session(client, model, tmp_path / "c.sqlite3") as session:
        session.ask("t", "rename workflow_run_1234 to X")
        for word in ("yes", "no"):
            reply = session.ask("t", word, decide_by_text=False)
            assert reply.not_asked and reply.pending is not None
        assert session.pending("t") is not None
    assert writes(emulator) == []
