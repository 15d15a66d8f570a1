"""The Alembic migrations: one line of history, and data carried across them."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from storage import Database
from storage.database import MIGRATIONS
from tests.test_celery_services import PG_DSN, PG_URL


def config_for(conn) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    return config


def test_the_migrations_have_one_head():
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_day_pins_and_exclusions_become_one_day_spans(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'old.db'}")
    with database.engine.begin() as conn:
        command.upgrade(config_for(conn), "0002")
        conn.execute(text(
            "INSERT INTO merch_pins (country, date, product_id, position) VALUES "
            "('RU', '2026-11-27', 'a', 2), ('RU', '2026-11-27', 'b', 1)"
        ))  # fmt: skip
        conn.execute(text(
            "INSERT INTO merch_exclusions (country, date, product_id) VALUES ('DE', '2026-11-28', 'c')"
        ))  # fmt: skip
    database.migrate()
    day = date(2026, 11, 27)
    from merchandising.curation import excluded, pinned

    with database.connect() as conn:
        assert pinned(conn, "RU", day) == [("b", None), ("a", None)]
        assert excluded(conn, "DE", date(2026, 11, 28)) == {"c"}
        assert pinned(conn, "RU", date(2026, 11, 28)) == []
    with database.engine.begin() as conn:
        command.downgrade(config_for(conn), "0002")
        command.upgrade(config_for(conn), "head")


@pytest.mark.services
def test_the_same_on_postgresql():
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(PG_DSN, autocommit=True, connect_timeout=2)
    except psycopg.Error as exc:
        pytest.skip(f"PostgreSQL does not answer at {PG_DSN}: {exc}")
    schema = f"vitrina_test_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE SCHEMA "{schema}"')
    database = Database(f"{PG_URL}?options=-csearch_path%3D{schema}")
    try:
        with database.engine.begin() as conn:
            command.upgrade(config_for(conn), "0002")
            conn.execute(text(
                "INSERT INTO merch_pins (country, date, product_id, position) "
                "VALUES ('RU', '2026-11-27', 'a', 1)"
            ))  # fmt: skip
        database.migrate()
        from merchandising.curation import pinned

        with database.connect() as conn:
            assert pinned(conn, "RU", date(2026, 11, 27)) == [("a", None)]
        with database.engine.begin() as conn:
            command.downgrade(config_for(conn), "0002")
            command.upgrade(config_for(conn), "head")
    finally:
        database.dispose()
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()


def _events_carried_into_0004(database: Database) -> None:
    """Events of files re-sent before 0004 were stored twice: one copy stays, and the
    application rolls them up (with their local day) on first use."""
    with database.engine.begin() as conn:
        command.upgrade(config_for(conn), "0003_merchandising")
        conn.execute(text(
            "INSERT INTO order_events (product_id, country, quantity, ts) VALUES "
            "('a', 'RU', 1, 1795687200), ('a', 'RU', 1, 1795687200), ('b', 'RU', 2, 1795687200)"
        ))  # fmt: skip
    database.migrate()
    from storage.events import LocalDays, roll_up_old

    assert roll_up_old(database, LocalDays({"RU": "Europe/Moscow"})) == 2
    with database.connect() as conn:
        rows = conn.execute(text("SELECT product_id, day FROM order_events ORDER BY product_id"))
        assert rows.fetchall() == [("a", 20783), ("b", 20783)]  # 2026-11-26
        rollup = conn.execute(text("SELECT product_id, orders FROM order_rollup ORDER BY 1"))
        assert rollup.fetchall() == [("a", 1), ("b", 2)]
    with database.engine.begin() as conn:
        command.downgrade(config_for(conn), "0003_merchandising")
        command.upgrade(config_for(conn), "head")


def test_0004_keeps_one_copy_of_each_event_on_sqlite(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'old.db'}")
    _events_carried_into_0004(database)
    database.dispose()


@pytest.mark.services
def test_0004_keeps_one_copy_of_each_event_on_postgresql():
    from tests.events_backends import pg_schema_url

    for url in pg_schema_url():
        database = Database(url)
        try:
            _events_carried_into_0004(database)
        finally:
            database.dispose()


def test_the_heads_read_without_alembic_are_alembics():
    from storage.database import head_revisions

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert head_revisions() == frozenset(ScriptDirectory.from_config(config).get_heads())


def test_a_database_behind_the_head_is_migrated_on_first_use(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    database = Database(url)
    assert not database.at_head()  # no schema at all
    with database.engine.begin() as conn:
        command.upgrade(config_for(conn), "0003_merchandising")
    assert not database.at_head()
    with database.connect() as conn:  # ready() migrates
        assert conn.execute(text("SELECT count(*) FROM order_rollup")).scalar() == 0
    assert Database(url).at_head()
    database.dispose()


def test_a_process_whose_database_is_at_the_head_never_imports_alembic(tmp_path):
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    Database(url).migrate()
    script = (
        "import sys\n"
        "from sqlalchemy import text\n"
        "from storage import Database\n"
        f"with Database({url!r}).connect() as conn:\n"
        "    conn.execute(text('SELECT count(*) FROM order_rollup'))\n"
        "print('alembic' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"
