"""Insert-or-update of one row by its key, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def upsert(conn: Connection, table: Table, key: dict[str, Any], values: dict[str, Any]) -> None:
    """Insert the row `key | values`, or update `values` where a row with `key` exists.

    One statement, so two processes writing the same key at once never collide.
    """
    dialect: Any = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values({**key, **values})
    conn.execute(statement.on_conflict_do_update(index_elements=list(key), set_=values))
