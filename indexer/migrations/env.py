"""Alembic environment: migrates the connection it is given, or the settings' database.

`indexer.storage.Database.migrate` passes its connection in `config.attributes`;
`alembic -c indexer/alembic.ini upgrade head` uses DATABASE_URL (or the SQLite default).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from indexer.storage.schema import metadata

config = context.config


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from vitrina.config import load_settings

    settings = load_settings()
    if settings.database.startswith("sqlite"):
        settings.ensure_data_dir()
    engine = create_engine(settings.database)
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run against a database")
run_migrations_online()
