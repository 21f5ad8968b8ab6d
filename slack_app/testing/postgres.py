"""A PostgreSQL server for tests and benchmarks of the replicated app: found, and a schema each.

The server is ``EXTEND_AGENT_TEST_DATABASE_URL`` when set (CI sets it where its
server is not on the default socket or port), else the first of
``DEFAULT_CANDIDATES`` that answers (a local server: unix socket, then
127.0.0.1:5432, trust auth, database ``test``). ``find_postgres`` says which, or
why there is none (a test then skips with that reason). ``fresh_schema`` gives a
URL whose tables land in a new schema (on the URL's ``search_path``), dropped on
exit, so parallel and repeated runs never see each other's rows.

psycopg is imported only when a server is looked for: it is an optional extra.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from urllib.parse import quote

URL_VARIABLE = "EXTEND_AGENT_TEST_DATABASE_URL"
DEFAULT_CANDIDATES = (
    "postgresql://postgres@/test?host=/var/run/postgresql",
    "postgresql://postgres@127.0.0.1:5432/test",
    "postgresql://root@127.0.0.1:5432/test",
)


@cache
def find_postgres() -> tuple[str | None, str]:
    """(a reachable server's URL, "") or (None, why there is none)."""
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


def with_search_path(url: str, schema: str) -> str:
    """``url`` with ``options=-csearch_path=<schema>``: its tables go to ``schema``."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-csearch_path={schema}')}"


@contextmanager
def fresh_schema(base_url: str, prefix: str = "extend_test") -> Iterator[str]:
    """A URL on a new schema of ``base_url``'s database, the schema dropped on exit."""
    import psycopg

    schema = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base_url, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield with_search_path(base_url, schema)
    finally:
        with psycopg.connect(base_url, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
