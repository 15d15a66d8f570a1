"""Merchandiser tools at /admin/ and `vitrina users add`."""

from __future__ import annotations

import re

import pytest

from merchandising.dates import local_today
from vitrina.cli import main
from vitrina.services import Services

PASSWORD = "correct horse battery"


def csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


@pytest.fixture
def merchandiser(app):
    app.extensions["vitrina"].accounts.add("masha", PASSWORD, "merchandiser")
    return "masha"


@pytest.fixture
def logged_in(client, merchandiser):
    token = csrf(client.get("/admin/login").get_data(as_text=True))
    answer = client.post(
        "/admin/login", data={"csrf": token, "name": merchandiser, "password": PASSWORD}
    )
    assert answer.status_code == 302
    return client


def test_tools_need_a_login(client):
    answer = client.get("/admin/?country=RU")
    assert answer.status_code == 302 and "/admin/login" in answer.headers["Location"]


def test_wrong_password_and_missing_csrf_are_refused(client, merchandiser):
    token = csrf(client.get("/admin/login").get_data(as_text=True))
    wrong = client.post(
        "/admin/login", data={"csrf": token, "name": merchandiser, "password": "nope nope"}
    )
    assert wrong.status_code == 401 and "Wrong name or password" in wrong.get_data(as_text=True)
    forged = client.post("/admin/login", data={"name": merchandiser, "password": PASSWORD})
    assert forged.status_code == 400
    assert client.get("/admin/").status_code == 302


def test_merchandiser_pins_excludes_and_rebuilds(logged_in, app):
    client = logged_in
    day = local_today("Europe/Moscow").isoformat()
    page = client.get(f"/admin/?country=RU&date={day}").get_data(as_text=True)
    assert "No list has been built" in page
    token = csrf(page)
    target = {"csrf": token, "country": "RU", "date": day}
    client.post("/admin/rebuild", data=target)
    api = client.get(f"/api/v1/recommendations/RU?date={day}").get_json()["items"]
    first, second = api[0]["id"], api[1]["id"]

    client.post("/admin/pin", data={**target, "product_id": "demo-0300", "position": "1"})
    client.post("/admin/exclude", data={**target, "product_id": first})
    client.post("/admin/rebuild", data=target)
    items = client.get(f"/api/v1/recommendations/RU?date={day}").get_json()["items"]
    assert (items[0]["id"], items[0]["reason"]) == ("demo-0300", "pinned")
    assert first not in [i["id"] for i in items]
    assert second in [i["id"] for i in items]
    page = client.get(f"/admin/?country=RU&date={day}").get_data(as_text=True)
    assert "demo-0300" in page and "Remove pin" in page and "Remove exclusion" in page

    client.post("/admin/unpin", data={**target, "product_id": "demo-0300"})
    client.post("/admin/unexclude", data={**target, "product_id": first})
    client.post("/admin/rebuild", data=target)
    items = client.get(f"/api/v1/recommendations/RU?date={day}").get_json()["items"]
    assert items[0]["id"] == first and items[0]["reason"] != "pinned"


def test_pinning_an_unknown_product_says_so(logged_in):
    token = csrf(logged_in.get("/admin/").get_data(as_text=True))
    answer = logged_in.post(
        "/admin/pin",
        data={"csrf": token, "country": "RU", "date": "2026-11-27", "product_id": "no-such-thing"},
        follow_redirects=True,
    )
    assert "No product no-such-thing in the catalog" in answer.get_data(as_text=True)


def test_bad_country_or_date_is_a_400(logged_in):
    assert logged_in.get("/admin/?country=XX").status_code == 400
    assert logged_in.get("/admin/?country=RU&date=soon").status_code == 400


def test_users_add_reads_the_password_from_stdin(runner, settings):
    result = runner.invoke(
        main,
        ["users", "add", "petya", "--role", "merchandiser", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    user = Services(settings).accounts.authenticate("petya", PASSWORD)
    assert user is not None and user.role == "merchandiser"
    short = runner.invoke(main, ["users", "add", "vasya", "--password-stdin"], input="123\n")
    assert short.exit_code == 2 and "at least 8" in short.output
