"""Alembic environment: migrates the connection it is given, or the URL named on the command line.

`storage.Database.migrate` passes its connection in `config.attributes`; an operator
runs `alembic -c storage/alembic.ini -x url=postgresql+psycopg://… upgrade head`
(Vitrina also migrates by itself on first use, so this is rarely needed).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from storage.schema import metadata

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
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise SystemExit(
            "name the database: alembic -c storage/alembic.ini -x url=URL upgrade head"
        )
    engine = create_engine(url)
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run against a database")
run_migrations_online()
