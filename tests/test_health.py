"""/healthz reports each dependency; only a search outage makes it 503."""

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


def test_unreachable_broker_and_database_degrade_but_search_serves(demo_services, unused_port):
    settings = replace(
        demo_services.settings,
        celery_broker_url=f"redis://127.0.0.1:{unused_port}/0",
        database_url=f"postgresql+psycopg://nobody@127.0.0.1:{unused_port}/none?connect_timeout=1",
    )
    client = create_app(Services(settings), {"TESTING": True}).test_client()
    response = client.get("/healthz")
    body = response.get_json()
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["broker"]["status"] == "down" and body["database"]["status"] == "down"
