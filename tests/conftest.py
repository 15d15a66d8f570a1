"""Shared fixtures: settings on a temporary data dir, an indexed demo catalog, the app.

Fixtures follow the Flask tutorial: `app`, `client`, `runner`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.indexing import index_feed
from vitrina.commands.demo import demo_catalog_path
from vitrina.config import Settings
from vitrina.services import Services

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


def shared_data(name: str) -> Path:
    """A file of ../shared/data, or skip: a user's fresh machine has no ../shared."""
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"{path} is absent (internal data, only on the team's machines)")
    return path


def write_feed(path: Path, products: list[dict | str]) -> Path:
    """Write products (dicts, or raw lines as str) as a JSON Lines feed."""
    with open(path, "w", encoding="utf-8") as f:
        for product in products:
            f.write(
                product if isinstance(product, str) else json.dumps(product, ensure_ascii=False)
            )
            f.write("\n")
    return path


def make_product(
    id: str, title: str, category: str = "luggage_bags", price_usd: float = 10.0, **fields
) -> dict:
    return {
        "id": id,
        "title": {"ru": title},
        "category": category,
        "price_usd": price_usd,
        **fields,
    }


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Embedded settings on a fresh data dir; also exported for code that reads the env."""
    data_dir = tmp_path / "var"
    for name in (
        "ELASTICSEARCH_URL",
        "CELERY_BROKER_URL",
        "DATABASE_URL",
        "VITRINA_SEARCH_BACKEND",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VITRINA_DATA_DIR", str(data_dir))
    return Settings(data_dir=data_dir)


@pytest.fixture
def services(settings: Settings) -> Services:
    return Services(settings)


@pytest.fixture
def demo_services(services: Services) -> Services:
    """Services whose engine holds the bundled demo catalog."""
    index_feed(demo_catalog_path(), services.indexing_engine, services.settings.ensure_data_dir())
    return services


@pytest.fixture
def app(demo_services: Services):
    from web.app import create_app

    return create_app(demo_services, {"TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(settings: Settings) -> CliRunner:
    return CliRunner()


@pytest.fixture
def unused_port() -> int:
    """A loopback port nothing listens on (bound and released)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
