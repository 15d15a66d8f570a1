"""A Redis or PostgreSQL that accepts connections and never answers (issue 13, defects 2 and 6).

Before, such a dependency held a serving worker for 30 s and more (psycopg's default connect
timeout is 130 s; a Redis socket without a timeout waits forever); now each call gives up
within a couple of seconds and the feature that needs it degrades: a 503 in the error shape,
or the page without that block. Each request runs in a thread and must answer before
HANG_BOUND_S, a third of gunicorn's worker timeout: a hang detector, not a speed test.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from tests.admin_fixtures import *  # noqa: F403 (the fixtures)
from tests.admin_fixtures import sign_in
from vitrina.services import Services
from web.app import create_app

HANG_BOUND_S = 10.0
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port whose connections the kernel accepts and nobody ever answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(512)  # never accept(): connects complete, reads wait forever
        yield server.getsockname()[1]


def answer(client, url: str, **kwargs):
    """The client's answer to `url`, failing the test when it hangs past HANG_BOUND_S."""
    box: list = []
    worker = threading.Thread(target=lambda: box.append(client.get(url, **kwargs)), daemon=True)
    worker.start()
    worker.join(HANG_BOUND_S)
    assert box, f"{url} did not answer within {HANG_BOUND_S} s"
    return box[0]


def app_with(demo_services, **changes):
    services = Services(replace(demo_services.settings, **changes), serving=True)
    return create_app(services, {"TESTING": True})


def test_silent_redis_broker(demo_services, silent_port):
    client = app_with(demo_services, celery_broker_url=f"redis://127.0.0.1:{silent_port}/0")
    client = client.test_client()
    health = answer(client, "/healthz")
    assert health.status_code == 503
    broker = health.get_json()["broker"]
    # Answered from the probes at their deadline, while the broker's probe still waits.
    assert broker["status"] == "down" and broker["detail"].startswith("no answer for")
    assert health.get_json()["search"]["status"] == "ok"
    # Today's list is missing and cannot be queued: a 503 in the error shape, twice.
    for _ in range(2):
        deals = answer(client, "/api/v1/recommendations/RU")
        assert deals.status_code == 503 and deals.get_json()["error"]["code"] == "list_pending"
    page = answer(client, "/ru/")
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    assert answer(client, "/api/v1/search?q=сумка").get_json()["total"] > 0
    assert answer(client, "/livez").status_code == 200


def test_silent_postgresql(demo_services, silent_port):
    url = f"postgresql+psycopg://nobody@127.0.0.1:{silent_port}/none"
    client = app_with(demo_services, database_url=url).test_client()
    health = answer(client, "/healthz")
    assert health.status_code == 503
    assert health.get_json()["database"]["status"] == "down"
    found = answer(client, "/api/v1/search?q=сумка")
    assert found.status_code == 200 and found.get_json()["total"] > 0
    deals = answer(client, "/api/v1/recommendations/RU")
    assert deals.status_code == 503 and deals.get_json()["error"]["code"] == "backend_unavailable"
    # Pages come without the blocks that need the database (the daily deals).
    for page in (
        "/ru/",
        "/ru/search?q=сумка",
        "/ru/deals",
        "/ru/product/demo-0001",
        "/admin/login",
    ):
        shown = answer(client, page)
        assert shown.status_code == 200 and "<html" in shown.get_data(as_text=True), page


def test_admin_with_the_database_down_answers_503_not_500(app, demo_services, merchandiser):
    """Defect 6: the error page asked the database who is signed in, and failed in turn."""
    signed = app.test_client()
    assert sign_in(signed, merchandiser.name).status_code == 302
    session = signed.get_cookie("session", path="/admin")
    assert session is not None
    down = app_with(demo_services, database_url=POSTGRES.replace("5432", "1")).test_client()
    down.set_cookie("session", session.value, path="/admin")
    for path in ("/admin/deals", "/admin/rules", "/admin/reports", "/admin/"):
        page = answer(down, path)
        assert page.status_code == 503, path
        assert "database is not answering" in page.get_data(as_text=True)
        assert page.headers["Retry-After"]
    api = answer(down, "/admin/api/v1/pins", headers=merchandiser.headers)
    assert api.status_code == 503 and api.get_json()["error"]["code"] == "backend_unavailable"


@pytest.mark.services
def test_serving_processes_bound_each_statement(settings):
    """A statement of a web worker gives up after the web timeout; batch work has none."""
    serving = Services(replace(settings, database_url=POSTGRES, web_database_timeout_s=1.0),
                       serving=True)  # fmt: skip
    with (
        pytest.raises(OperationalError, match="statement timeout"),
        serving.database.engine.connect() as conn,
    ):
        conn.execute(text("SELECT pg_sleep(5)"))
    batch = Services(replace(settings, database_url=POSTGRES))
    with batch.database.engine.connect() as conn:
        assert conn.execute(text("SHOW statement_timeout")).scalar() == "0"
