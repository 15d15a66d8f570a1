"""Accounts, API tokens and signed-in clients for the admin's tests (import the fixtures)."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from indexer.indexing import index_feed
from vitrina.commands.demo import demo_catalog_path
from vitrina.config import Settings
from vitrina.services import Services

# The fixtures; `demo_services` replaces conftest's with a copy of an index built once.
__all__ = ["admin", "admin_client", "demo_index", "demo_services", "merchandiser", "signed_in"]

PASSWORD = "correct horse battery"


def csrf(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


@dataclass
class Account:
    name: str
    role: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture(scope="session")
def demo_index(tmp_path_factory) -> Path:
    """A data dir holding the indexed demo catalog (and no database), built once a run."""
    data_dir = tmp_path_factory.mktemp("demo-index") / "var"
    services = Services(Settings(data_dir=data_dir))
    index_feed(demo_catalog_path(), services.indexing_engine, services.settings.ensure_data_dir())
    return data_dir


@pytest.fixture
def demo_services(settings, demo_index) -> Services:
    """Services whose engine holds the demo catalog: a fresh copy of `demo_index`."""
    shutil.copytree(
        demo_index, settings.data_dir, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.db*")
    )
    return Services(settings)


def make_account(services, name: str, role: str) -> Account:
    services.accounts.add(name, PASSWORD, role, by="test")
    return Account(name, role, services.accounts.new_token(name, by="test"))


@pytest.fixture
def merchandiser(app) -> Account:
    return make_account(app.extensions["vitrina"], "masha", "merchandiser")


@pytest.fixture
def admin(app) -> Account:
    return make_account(app.extensions["vitrina"], "root", "admin")


def sign_in(client, name: str, password: str = PASSWORD, address: str = "127.0.0.1"):
    """Sign in through the login form, from the client at `address`."""
    token = csrf(client.get("/admin/login").get_data(as_text=True))
    return client.post(
        "/admin/login",
        data={"csrf_token": token, "name": name, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


@pytest.fixture
def signed_in(client, merchandiser):
    """A client signed in as the merchandiser."""
    assert sign_in(client, merchandiser.name).status_code == 302
    return client


@pytest.fixture
def admin_client(app, admin):
    client = app.test_client()
    assert sign_in(client, admin.name).status_code == 302
    return client
