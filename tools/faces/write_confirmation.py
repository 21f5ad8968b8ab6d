"""Confirmation before a write for hosts that don't ask their user: propose, then confirm.

An MCP client that supports elicitation is asked directly (``tools.faces.mcp_server``).
One that doesn't still must not write in one call: the first call of
``update_run_metadata`` only proposes the change and gets a confirmation token; the
write happens on a second call with the same arguments and that token. A token is:

- short-lived (``ttl_s``, 5 minutes by default) and single use: any attempt to
  redeem it, right or wrong, spends it;
- bound to the exact call and change: other arguments, or a run that changed
  since the proposal (``RunTools.update_run_metadata(approved=...)``), write nothing.

Tokens live in this process's memory: a restarted server forgets them, and the
caller simply proposes again.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field

from tools.faces.run_change import RunChange
from tools.faces.tool_errors import ToolError

__all__ = ["DEFAULT_TTL_S", "ConfirmWrite", "ConfirmationTokens", "call_fingerprint"]

DEFAULT_TTL_S = 300.0
MAX_PENDING = 1000
_PREFIX = "confirm_"


class ConfirmWrite(BaseModel):
    """The form shown to a person when the host supports elicitation."""

    confirm: bool = Field(
        default=True,
        title="Write this change to Extend",
        description="Leave checked and accept to write the change; decline to leave the run as is.",
    )


def call_fingerprint(tool: str, arguments: Mapping[str, Any]) -> str:
    """A digest of one call's arguments (nulls dropped, keys sorted): what a token is bound to."""
    canonical = {k: v for k, v in sorted(arguments.items()) if v is not None}
    text = json.dumps([tool, canonical], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class _Proposal:
    fingerprint: str
    change: RunChange
    expires_at: float


class ConfirmationTokens:
    """Issued, unspent confirmation tokens; safe to share between threads."""

    def __init__(
        self, ttl_s: float = DEFAULT_TTL_S, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if ttl_s <= 0:
            raise ValueError("ttl_s must be positive.")
        self.ttl_s = ttl_s
        self._clock = clock
        self._pending: dict[str, _Proposal] = {}
        self._guard = threading.Lock()

    def issue(self, fingerprint: str, change: RunChange) -> str:
        """A new token for ``change``, proposed by the call with ``fingerprint``."""
        token = _PREFIX + secrets.token_urlsafe(18)
        now = self._clock()
        with self._guard:
            self._pending = {t: p for t, p in self._pending.items() if p.expires_at > now}
            while len(self._pending) >= MAX_PENDING:  # oldest first: a flood can't grow memory
                self._pending.pop(next(iter(self._pending)))
            self._pending[token] = _Proposal(fingerprint, change, now + self.ttl_s)
        return token

    def redeem(self, token: str, fingerprint: str) -> RunChange:
        """The change ``token`` was issued for, spending the token; ``ToolError`` if unusable."""
        with self._guard:
            proposal = self._pending.pop(token, None)
        again = "Call update_run_metadata again without confirmation_token to propose it afresh."
        if proposal is None:
            raise ToolError(
                "That confirmation token is not valid: it was already used, or this server "
                "never issued it (tokens are single use and lost on restart). Nothing was "
                f"written. {again}"
            )
        if self._clock() >= proposal.expires_at:
            raise ToolError(
                f"That confirmation token expired (tokens last {self.ttl_s:.0f} seconds). "
                f"Nothing was written. {again}"
            )
        if proposal.fingerprint != fingerprint:
            raise ToolError(
                "That confirmation token was issued for a different change "
                f"({proposal.change.describe()}); a token only confirms the exact call that "
                f"proposed it. Nothing was written, and the token is now spent. {again}"
            )
        return proposal.change
