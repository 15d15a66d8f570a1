"""Settings on SQLite or on a fresh schema of the real PostgreSQL, for the events tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_celery_services import PG_DSN, PG_URL
from vitrina.config import Settings

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.services),
]


def pg_schema_url() -> Iterator[str]:
    """A fresh schema of the real PostgreSQL (dropped afterwards) as a SQLAlchemy URL."""
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(PG_DSN, autocommit=True, connect_timeout=2)
    except psycopg.Error as exc:
        pytest.skip(f"PostgreSQL does not answer at {PG_DSN}: {exc}")
    schema = f"vitrina_test_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()


@pytest.fixture(params=BACKENDS)
def backend_settings(
    request: pytest.FixtureRequest, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """`settings` on SQLite, then on PostgreSQL (DATABASE_URL exported for the CLI)."""
    if request.param == "sqlite":
        yield settings
        return
    for url in pg_schema_url():
        monkeypatch.setenv("DATABASE_URL", url)
        yield Settings(data_dir=Path(settings.data_dir), database_url=url)
