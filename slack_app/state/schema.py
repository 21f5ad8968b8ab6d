"""Versioned schemas: each store's tables created on start and migrated forward, once.

A ``Schema`` is a named list of steps; step *n* takes the store from version
*n - 1* to *n*. ``migrate`` runs, under the connection's ``setup_lock`` (an
advisory lock on PostgreSQL), the steps past the version recorded in the
``schema_version`` table (one row per schema name), recording each as it
completes, so a replica that starts while another migrates waits and then finds
nothing left to do. Steps are written to be idempotent (``IF NOT EXISTS``,
``add_missing_columns``) so a step interrupted before it was recorded can run
again. A database already migrated by a newer release is refused with a clear
message rather than used with a schema this code doesn't know.

Any store on a ``StoreConnection`` (another team's table too) gets the same by
declaring its own ``Schema`` with a distinct name and calling ``migrate``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from slack_app.state.connection import StoreConnection

Step = Callable[[StoreConnection], None]


class SchemaTooNewError(ValueError):
    """The database was migrated by a newer release than this one."""


@dataclass(frozen=True)
class Schema:
    """``name`` (its row in ``schema_version``) and its steps, oldest first."""

    name: str
    steps: Sequence[Step]

    @property
    def latest(self) -> int:
        return len(self.steps)


def create_version_table(connection: StoreConnection) -> None:
    connection.execute(
        "CREATE TABLE IF NOT EXISTS schema_version "
        "(name TEXT PRIMARY KEY, version INTEGER NOT NULL)"
    )


def schema_version(connection: StoreConnection, name: str) -> int:
    """The version recorded for ``name`` (0: never migrated)."""
    create_version_table(connection)
    row = connection.execute("SELECT version FROM schema_version WHERE name = ?", (name,)).first()
    return int(row[0]) if row else 0


def migrate(connection: StoreConnection, schema: Schema) -> int:
    """Bring ``schema`` to its latest version; returns how many steps ran."""
    with connection.setup_lock():
        current = schema_version(connection, schema.name)
        if current > schema.latest:
            raise SchemaTooNewError(
                f"the {schema.name} tables are at schema version {current}, but this release "
                f"knows versions up to {schema.latest}: upgrade extend-run-agent on every "
                "replica sharing this database"
            )
        for version in range(current + 1, schema.latest + 1):
            schema.steps[version - 1](connection)
            connection.execute(
                "INSERT INTO schema_version (name, version) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET version = excluded.version "
                "WHERE schema_version.version < excluded.version",
                (schema.name, version),
            )
        return max(0, schema.latest - current)
