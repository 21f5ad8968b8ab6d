"""PostgreSQL for tests: found on this machine or in CI, skipped with a reason on a laptop.

Finding the server and giving each test its own schema are the product's testing
helpers (``slack_app.testing.postgres``: ``EXTEND_AGENT_TEST_DATABASE_URL``, else
the local server); here they become pytest's: a test that needs PostgreSQL skips
saying why there is none, and ``postgres_url`` puts each test in a fresh schema,
dropped afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from slack_app.testing.postgres import find_postgres, fresh_schema


def require_postgres() -> str:
    """The server's base URL, or skip the test saying why there is none."""
    url, reason = find_postgres()
    if url is None:
        pytest.skip(reason)
    return url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose tables land in a fresh schema of the test server, dropped afterwards."""
    with fresh_schema(require_postgres()) as url:
        yield url
