"""PostgreSQL for tests: found on this machine or in CI, skipped with a reason on a laptop.

The server is ``EXTEND_AGENT_TEST_DATABASE_URL`` when set (CI sets it where its
server is not on the default socket or port), else the first of
``DEFAULT_CANDIDATES`` that answers (the local server: unix socket, then
127.0.0.1:5432, trust auth, database ``test``). Without one, tests that need it
skip saying so. Each test gets its own schema (``postgres_url`` puts it on the
URL's ``search_path``), dropped afterwards, so parallel and repeated runs never
see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from functools import cache
from urllib.parse import quote

import pytest

URL_VARIABLE = "EXTEND_AGENT_TEST_DATABASE_URL"
DEFAULT_CANDIDATES = (
    "postgresql://postgres@/test?host=/var/run/postgresql",
    "postgresql://postgres@127.0.0.1:5432/test",
    "postgresql://root@127.0.0.1:5432/test",
)


@cache
def find_postgres() -> tuple[str | None, str]:
    """(a reachable server's URL, or None with why not)."""
    try:
        import psycopg
    except ImportError:
        return None, "psycopg is not installed (pip install -e '.[test]')"
    configured = os.environ.get(URL_VARIABLE, "").strip()
    candidates = (configured,) if configured else DEFAULT_CANDIDATES
    problems = []
    for url in candidates:
        try:
            with psycopg.connect(url, connect_timeout=2, autocommit=True) as connection:
                connection.execute("SELECT 1")
            return url, ""
        except psycopg.Error as error:
            problems.append(f"{url.split('@')[-1]}: {str(error).strip().splitlines()[0]}")
    where = f"{URL_VARIABLE}={configured!r}" if configured else f"no {URL_VARIABLE} and defaults"
    return None, f"no PostgreSQL server reachable ({where}: {'; '.join(problems)})"


def require_postgres() -> str:
    """The server's base URL, or skip the test saying why there is none."""
    url, reason = find_postgres()
    if url is None:
        pytest.skip(reason)
    return url


def with_search_path(url: str, schema: str) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose tables land in a fresh schema of the test server, dropped afterwards."""
    import psycopg

    base = require_postgres()
    schema = f"extend_test_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield with_search_path(base, schema)
    finally:
        with psycopg.connect(base, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
