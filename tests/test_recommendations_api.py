"""`GET /api/v1/recommendations/{country}` and `vitrina recommend` on the demo catalog."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from indexer.events import ingest_events
from merchandising.dates import local_today
from tests.conftest import write_feed
from vitrina.cli import main


@pytest.fixture
def demo_ids() -> list[str]:
    from vitrina.commands.demo import demo_catalog_path

    products = [
        json.loads(line) for line in demo_catalog_path().read_text(encoding="utf-8").splitlines()
    ]
    return [
        p["id"]
        for p in products
        if not p.get("flags") and not p.get("deleted") and p.get("ships_to") is None
    ]


@pytest.fixture
def ordered(app, demo_ids, tmp_path: Path) -> str:
    """RU shoppers ordered one demo product a lot in the last hours; returns its id."""
    hot = demo_ids[3]
    now = datetime.now(UTC)
    events = [
        {
            "product_id": hot,
            "country": "RU",
            "quantity": 5,
            "ts": (now - timedelta(hours=30 + i)).isoformat(),
        }
        for i in range(5)
    ]
    svc = app.extensions["vitrina"]
    ingest_events(write_feed(tmp_path / "ev.jsonl", events), svc.database, svc.data_dir)
    return hot


def test_recommendations_are_built_on_demand_and_shaped_like_search_items(client, ordered):
    answer = client.get("/api/v1/recommendations/RU?locale=ru")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["country"] == "RU"
    assert body["date"] == local_today("Europe/Moscow").isoformat()
    assert len(body["items"]) == 20
    first = body["items"][0]
    assert first["id"] == ordered and first["reason"] == "trending"
    assert first["price"]["currency"] == "RUB" and "₽" in first["price"]["formatted"]
    assert {"title", "category", "url", "rating", "orders", "ships_from"} <= first.keys()
    assert {item["reason"] for item in body["items"][1:]} == {"popular"}


def test_pins_show_first_with_reason_pinned_at_once(app, client, demo_ids, ordered):
    day = local_today("Europe/Moscow")
    client.get("/api/v1/recommendations/RU")  # the list is stored now
    services = app.extensions["vitrina"]
    services.curation.add_pin("RU", demo_ids[10], day, day, badge="−30%", user="t")
    # The stored list of that date was rebuilt with the pin.
    items = client.get(f"/api/v1/recommendations/RU?date={day.isoformat()}").get_json()["items"]
    assert [(i["id"], i["reason"]) for i in items[:2]] == [
        (demo_ids[10], "pinned"),
        (ordered, "trending"),
    ]
    assert items[0]["badge"] == "−30%" and "badge" not in items[1]


def test_other_locales_and_countries(client, ordered):
    body = client.get("/api/v1/recommendations/de?locale=en").get_json()
    assert body["country"] == "DE"
    assert body["items"][0]["price"]["currency"] == "EUR"
    assert body["items"][0]["id"] == ordered  # Europe falls back to global popularity


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("/api/v1/recommendations/XX", 404, "unknown_country"),
        ("/api/v1/recommendations/RU?date=27.11.2026", 400, "invalid_parameter"),
        ("/api/v1/recommendations/RU?date=2026-13-01", 400, "invalid_parameter"),
        ("/api/v1/recommendations/RU?date=2999-01-01", 400, "invalid_parameter"),
        ("/api/v1/recommendations/RU?locale=xx", 400, "invalid_parameter"),
    ],
)
def test_bad_requests_get_clear_errors(client, url, status, code):
    answer = client.get(url)
    assert answer.status_code == status
    assert answer.get_json()["error"]["code"] == code


def test_recommend_command_prints_each_countrys_list(runner, app, ordered):
    result = runner.invoke(main, ["recommend", "--country", "RU", "--date", "2026-11-27"])
    assert result.exit_code == 0, result.output
    assert "RU 2026-11-27: 20 products" in result.output
    bad = runner.invoke(main, ["recommend", "--date", "tomorrow"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output


# -- public GETs only read -----------------------------------------------------------


def stored_lists(app) -> list[tuple]:
    from sqlalchemy import select

    from storage.schema import recommendation_lists

    with app.extensions["vitrina"].database.connect() as conn:
        rows = conn.execute(
            select(
                recommendation_lists.c.country,
                recommendation_lists.c.date,
                recommendation_lists.c.built_at,
            )
        )
        return sorted(tuple(row) for row in rows)


@pytest.mark.parametrize("day", ["2001-01-01", "2026-01-01"])  # earlier: 400 (test_hostile_input)
def test_a_list_nobody_built_answers_404_and_nothing_is_written(app, client, day):
    answer = client.get(f"/api/v1/recommendations/RU?date={day}")
    assert answer.status_code == 404
    assert answer.get_json()["error"] == {
        "code": "not_found",
        "message": f"no list for RU on {day}",
    }
    assert stored_lists(app) == []


def test_without_a_broker_todays_missing_list_is_built_once_not_per_request(app, client):
    today = local_today("Europe/Moscow")
    first = client.get("/api/v1/recommendations/RU").get_json()
    assert first["date"] == today.isoformat() and first["items"]
    built = stored_lists(app)
    assert [(c, d) for c, d, _ in built] == [("RU", today)]
    for _ in range(3):
        assert client.get("/api/v1/recommendations/RU").get_json() == first
        client.get("/ru/deals")
    assert stored_lists(app) == built  # the same list, not rebuilt


def test_with_a_broker_a_missing_list_is_queued_once_and_yesterdays_is_served(app, client):
    lists = app.extensions["vitrina"].recommendations
    queued: list[tuple] = []
    lists.queue = lambda country, day: queued.append((country, day))
    today = local_today("Europe/Moscow")
    for _ in range(3):
        pending = client.get("/api/v1/recommendations/RU")
        assert pending.status_code == 503 and pending.headers["Retry-After"]
        assert pending.get_json()["error"]["code"] == "list_pending"
        assert client.get("/ru/deals").status_code == 200  # popular products meanwhile
    assert queued == [("RU", today)]
    assert stored_lists(app) == []
    yesterday = today - timedelta(days=1)
    lists.build("RU", yesterday)  # what the worker did for yesterday
    answer = client.get("/api/v1/recommendations/RU").get_json()
    assert answer["date"] == yesterday.isoformat() and answer["items"]
    explicit = client.get(f"/api/v1/recommendations/RU?date={today.isoformat()}")
    assert explicit.status_code == 503  # asked for today by name: not yesterday's
