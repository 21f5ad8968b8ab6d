"""The test workspace's ids and secrets, shared by the Slack mock and the signed sender.

One home for them, so what the mock answers (``auth.test``'s team and bot user)
and what the sender puts in payloads always agree. None of them is real: the
token and signing secret are only ever sent to loopback.
"""

from __future__ import annotations

TEAM_ID = "T0TEAM001"
BOT_USER_ID = "UBOT00001"
BOT_ID = "BBOT00001"
API_APP_ID = "A0APP0001"
BOT_TOKEN = "xoxb-test-token"
SIGNING_SECRET = "test-signing-secret-0123456789"
CHANNEL = "C0CHANNEL1"
DM_CHANNEL = "D0DIRECT01"
ALICE = "U0ALICE01"
BOB = "U0BOB0001"
APPROVER = "U0APPROV1"
