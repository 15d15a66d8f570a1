"""Accounts, API tokens and signed-in clients for the admin's tests (import the fixtures)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

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
