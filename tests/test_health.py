"""/healthz reports each dependency from background probes and answers 503 when one the
request path needs is down; /livez only says the process serves."""

from __future__ import annotations

from dataclasses import replace

from vitrina.services import Services
from web.app import create_app


def test_healthy_embedded_default(client):
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok"
    assert body["search"]["status"] == "ok" and body["search"]["products"] > 400
    assert body["database"] == {"status": "ok", "dialect": "sqlite"}
    assert body["broker"] == {"status": "in-process"}


def test_healthy_with_the_real_redis_broker(demo_services):
    settings = replace(demo_services.settings, celery_broker_url="redis://127.0.0.1:6379/0")
    client = create_app(Services(settings), {"TESTING": True}).test_client()
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.get_json()["broker"] == {"status": "ok"}


def test_an_unreachable_broker_or_database_is_503_so_traffic_goes_elsewhere(
    demo_services, unused_port
):
    for changes in (
        {"celery_broker_url": f"redis://127.0.0.1:{unused_port}/0"},
        {"database_url": f"postgresql+psycopg://nobody@127.0.0.1:{unused_port}/none"},
    ):
        settings = replace(demo_services.settings, **changes)
        client = create_app(Services(settings), {"TESTING": True}).test_client()
        response = client.get("/healthz")
        body = response.get_json()
        assert response.status_code == 503 and body["status"] == "down", changes
        down = [name for name in ("search", "database", "broker") if body[name]["status"] == "down"]
        assert down == ["broker" if "celery_broker_url" in changes else "database"]
        assert body["search"]["status"] == "ok"
        assert client.get("/livez").get_json() == {"status": "alive"}
        assert client.get("/api/v1/search?q=сумка").status_code == 200  # search still serves


def test_a_search_outage_is_503(tmp_path):
    from vitrina.config import Settings

    client = create_app(Services(Settings(data_dir=tmp_path / "empty")), {"TESTING": True})
    answer = client.test_client().get("/healthz")
    assert answer.status_code == 503 and answer.get_json()["search"]["status"] != "ok"
