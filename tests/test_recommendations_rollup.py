"""The daily rollup gives the same scores and lists as SPEC.md's rule over raw events.

Random events over two months in countries with and without daylight saving time
(clocks change inside the window), on SQLite and the real PostgreSQL.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from indexer.events import ingest_events, timezones
from merchandising.recommendations import (
    Rules,
    country_scores,
    country_scores_from_events,
    ranked,
)
from storage import Database
from storage.events import LocalDays, day_number, roll_up_old
from storage.schema import order_events, order_rollup
from tests.events_backends import BACKENDS, pg_schema_url

COUNTRIES = ["RU", "US", "DE", "BR", "GB", "EG"]


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'rollup.sqlite3'}")
        yield db
        db.dispose()
        return
    for url in pg_schema_url():
        db = Database(url)
        yield db
        db.dispose()


def random_events(rng: random.Random, count: int) -> list[dict]:
    start = datetime(2026, 9, 20, tzinfo=UTC).timestamp()
    events = []
    for i in range(count):
        ts = datetime.fromtimestamp(start + rng.random() * 60 * 86400, UTC)
        event = {
            "product_id": f"p{int(60 * rng.random() ** 2)}",
            "country": rng.choice(COUNTRIES),
            "quantity": rng.choice([1, 1, 1, 2, 3, 50]),
            "ts": ts.isoformat(),
        }
        if i % 2:
            event["order_id"] = f"o{i}"
        events.append(event)
    return events


def test_rollup_scores_and_lists_equal_the_raw_events(database: Database, tmp_path: Path):
    rng = random.Random(20261128)
    events = random_events(rng, 6000)
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    ingest_events(path, database, tmp_path)
    with database.connect() as conn:
        assert conn.execute(select(func.count(order_rollup.c.day))).scalar_one() < 6000
    zones = timezones()
    rules = Rules()
    # Days before, across and after the clocks change (Oct 25 in Europe, Nov 1 in the US).
    days = [date(2026, 10, 20) + timedelta(days=d) for d in range(0, 40, 3)]
    compared = 0
    for country in COUNTRIES:
        for day in days:
            rolled = country_scores(database, country, day, zones[country], rules)
            raw = country_scores_from_events(database, country, day, zones[country], rules)
            assert rolled.keys() == raw.keys()
            for pid, score in raw.items():
                assert rolled[pid] == pytest.approx(score, rel=1e-9, abs=1e-9)
            assert [pid for pid, _ in ranked(rolled)][:20] == [pid for pid, _ in ranked(raw)][:20]
            compared += len(raw)
    assert compared > 1000


def test_events_stored_before_the_rollup_are_rolled_up_once(database: Database, tmp_path: Path):
    """Rows from before migration 0004 (no local day yet) join the rollup on first use."""
    rng = random.Random(7)
    events = random_events(rng, 500)
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    ingest_events(path, database, tmp_path)
    with database.begin() as conn:  # as if stored by the old code
        conn.execute(order_events.update().values(day=None))
        conn.execute(order_rollup.delete())
    days = LocalDays(timezones())
    assert roll_up_old(database, days) == 500
    assert roll_up_old(database, days) == 0
    zones = timezones()
    day = date(2026, 11, 1)
    with database.connect() as conn:
        orders = conn.execute(select(func.sum(order_rollup.c.orders))).scalar_one()
        first = conn.execute(select(func.min(order_events.c.day))).scalar_one()
    assert orders == sum(e["quantity"] for e in events)
    assert first >= day_number(date(2026, 9, 19))
    for country in COUNTRIES:
        rolled = country_scores(database, country, day, zones[country], Rules())
        raw = country_scores_from_events(database, country, day, zones[country], Rules())
        assert rolled == pytest.approx(raw, rel=1e-9)
