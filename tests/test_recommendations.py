"""The daily recommendation rule of SPEC.md, on the embedded engine and SQLite."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from indexer.events import ingest_events
from indexer.indexing import index_feed
from merchandising.curation import Curation
from merchandising.dates import local_midnight
from merchandising.lists import stored_list
from merchandising.recommendations import ListBuilder, Rules, due_builds
from tests.conftest import make_product, write_feed

DAY = date(2026, 11, 27)
RU_MIDNIGHT = datetime(2026, 11, 26, 21, 0, tzinfo=UTC)  # 2026-11-27 00:00 Europe/Moscow


def at(hours_before: float, midnight: datetime = RU_MIDNIGHT) -> str:
    return (midnight - timedelta(hours=hours_before)).isoformat()


_ORDER_IDS = itertools.count(1)


def order(product: str, hours_before: float, country: str = "RU", quantity: int = 1, **kw) -> dict:
    """One order (its own order_id: two alike orders at the same time are two orders)."""
    return {
        "product_id": product,
        "country": country,
        "quantity": quantity,
        "ts": at(hours_before, **kw),
        "order_id": f"o{next(_ORDER_IDS)}",
    }


@pytest.fixture
def catalog(services, tmp_path: Path):
    """Index a small catalog; returns a function that ingests events and a ListBuilder."""

    def load(products: list[dict], events: list[dict], rules: Rules | None = None) -> ListBuilder:
        index_feed(
            write_feed(tmp_path / "feed.jsonl", products),
            services.indexing_engine,
            services.settings.ensure_data_dir(),
        )
        db = services.database
        if events:
            path = tmp_path / f"events-{len(events)}-{hash(json.dumps(events))}.jsonl"
            write_feed(path, events)
            report = ingest_events(path, db, services.settings.data_dir)
            assert report.rejected == 0
        return ListBuilder(db, services.indexing_engine, services.registry, rules)

    return load


def ids(entries) -> list[str]:
    return [e.product_id for e in entries]


def test_local_midnight_is_the_reference_time():
    assert local_midnight(DAY, "Europe/Moscow") == int(RU_MIDNIGHT.timestamp())


def test_recent_orders_weigh_more_with_a_48_hour_half_life(catalog):
    products = [make_product(p, p, orders=0) for p in ("old", "fresh")]
    # Two orders 4 days old weigh 2 * 0.25 = 0.5; one order a day old weighs 0.707.
    rec = catalog(products, [order("old", 96), order("old", 96), order("fresh", 24)])
    entries = rec.compute("RU", DAY)
    assert ids(entries)[:2] == ["fresh", "old"]
    assert entries[0].reason == entries[1].reason == "trending"
    assert entries[0].score == pytest.approx(0.5 ** (24 / 48))
    assert entries[1].score == pytest.approx(2 * 0.5 ** (96 / 48))


def test_only_the_30_local_days_before_the_date_count(catalog):
    products = [make_product(p, p) for p in ("in_window", "too_old", "on_the_day")]
    rec = catalog(
        products,
        [order("in_window", 30 * 24 - 1), order("too_old", 30 * 24 + 1), order("on_the_day", -1)],
    )
    trending = [e.product_id for e in rec.compute("RU", DAY) if e.reason == "trending"]
    assert trending == ["in_window"]


def test_the_date_is_local_to_each_country(catalog):
    # 22:30 UTC on Nov 26 is already Nov 27 in Moscow but still Nov 26 in New York.
    late = {"ts": "2026-11-26T22:30:00Z", "quantity": 1}
    products = [make_product("p", "p")]
    rec = catalog(
        products,
        [
            {"product_id": "p", "country": "RU", **late},
            {"product_id": "p", "country": "US", **late},
        ],
    )
    assert [e.reason for e in rec.compute("RU", DAY)] == ["popular"]  # from the US's orders
    assert [e.reason for e in rec.compute("US", DAY)] == ["trending"]


def test_at_most_five_products_per_category(catalog):
    bags = [make_product(f"bag{i}", f"bag {i}", category="luggage_bags") for i in range(8)]
    shoes = [make_product(f"shoe{i}", f"shoe {i}", category="shoes") for i in range(3)]
    events = [order(p["id"], 10, quantity=20 - i) for i, p in enumerate(bags)]
    events += [order(p["id"], 10) for p in shoes]
    entries = catalog(bags + shoes, events).compute("RU", DAY)
    assert ids(entries) == ["bag0", "bag1", "bag2", "bag3", "bag4", "shoe0", "shoe1", "shoe2"]


def test_list_size_is_configurable_and_ties_break_by_id(catalog):
    products = [
        make_product(f"p{i}", f"p{i}", category=c)
        for i, c in enumerate(["shoes", "toys", "food", "sports"])
    ]
    rec = catalog(products, [order(p["id"], 5) for p in products], Rules(size=3))
    assert ids(rec.compute("RU", DAY)) == ["p0", "p1", "p2"]


def test_hidden_deleted_and_not_shipping_products_are_left_out(catalog):
    products = [
        make_product("ok", "ok"),
        make_product("fake", "fake", flags=["counterfeit_suspected"]),
        make_product("us_only", "us only", ships_to=["US"]),
        {"id": "gone", "deleted": True},
    ]
    events = [order(p, 5, quantity=9) for p in ("fake", "us_only", "gone")] + [order("ok", 5)]
    entries = catalog(products, events).compute("RU", DAY)
    assert ids(entries) == ["ok"]


def test_pins_come_first_in_order_and_exclusions_never_appear(catalog, services):
    products = [
        make_product(p, p, category=c)
        for p, c in [("a", "shoes"), ("b", "toys"), ("c", "food"), ("d", "sports")]
    ]
    rec = catalog(products, [order("a", 5, quantity=5), order("b", 5, quantity=4)])
    curation = Curation(rec.db, services.registry, services.indexing_engine.get_products)
    d_pin = curation.add_pin("RU", "d", DAY, DAY, user="t")
    curation.add_pin("RU", "c", DAY, DAY, position=1, badge="−30%", user="t")
    a_out = curation.add_exclusion("RU", "a", DAY, DAY, user="t")
    entries = rec.compute("RU", DAY)
    assert [(e.product_id, e.reason, e.badge) for e in entries][:3] == [
        ("c", "pinned", "−30%"),
        ("d", "pinned", None),
        ("b", "trending", None),
    ]
    assert "a" not in ids(entries)
    c_out = curation.add_exclusion("RU", "c", DAY, DAY, user="t")  # an excluded pin stays out
    assert ids(rec.compute("RU", DAY))[:2] == ["d", "b"]
    curation.remove_exclusion(c_out.id, user="t")
    curation.remove_pin(d_pin.id, user="t")
    assert ids(rec.compute("RU", DAY))[:2] == ["c", "b"]
    other_day = rec.compute("RU", DAY + timedelta(days=1))
    assert other_day[0].reason != "pinned"  # pins belong to their span of dates
    assert curation.remove_exclusion(a_out.id, user="t") is not None
    assert curation.remove_exclusion(a_out.id, user="t") is None


def test_pins_and_exclusions_cover_every_day_of_their_span(catalog, services):
    products = [make_product(p, p, category=c) for p, c in [("a", "shoes"), ("b", "toys")]]
    rec = catalog(products, [order("a", 5, quantity=5), order("b", 5, quantity=4)])
    curation = Curation(rec.db, services.registry, services.indexing_engine.get_products)
    week = [DAY + timedelta(days=n) for n in range(7)]
    curation.add_pin("RU", "b", week[1], week[3], user="t")
    curation.add_exclusion("RU", "a", week[2], week[5], user="t")
    firsts = [ids(rec.compute("RU", day))[:2] for day in week]
    assert firsts[0] == ["a", "b"]  # before the span
    assert firsts[1] == ["b", "a"]  # pinned
    assert firsts[2] == firsts[3] == ["b"]  # pinned, and "a" excluded
    assert firsts[4] == firsts[5] == ["b"]  # excluded only
    assert firsts[6] == ["a", "b"]  # after both spans


def test_spans_and_products_are_checked(catalog, services):
    from merchandising.curation import CurationError

    rec = catalog([make_product("a", "a")], [])
    curation = Curation(rec.db, services.registry, services.indexing_engine.get_products)
    with pytest.raises(CurationError, match="before"):
        curation.add_pin("RU", "a", DAY, DAY - timedelta(days=1), user="t")
    with pytest.raises(CurationError, match="catalog"):
        curation.add_pin("RU", "nope", DAY, DAY, user="t")
    with pytest.raises(CurationError, match="unknown country"):
        curation.add_pin("XX", "a", DAY, DAY, user="t")
    with pytest.raises(CurationError, match="366"):
        curation.add_exclusion("RU", "a", DAY, DAY + timedelta(days=400), user="t")
    first = curation.add_pin("ru", "a", DAY, DAY, position=3, user="t")
    again = curation.add_pin("RU", "a", DAY, DAY, position=1, badge="Хит", user="t")
    assert again.id == first.id and (again.position, again.badge) == (1, "Хит")
    assert [p.country for p in curation.pins("RU")] == ["RU"]


def test_few_orders_are_filled_from_region_then_global_then_catalog(catalog):
    products = [
        make_product("sa_hit", "sa", category="shoes"),
        make_product("ae_hit", "ae", category="toys"),
        make_product("ru_hit", "ru", category="food"),
        make_product("classic", "classic", category="sports", orders=5000),
        make_product("unknown", "unknown", category="hair", orders=10),
    ]
    sa_midnight = datetime(2026, 11, 26, 21, 0, tzinfo=UTC)  # Riyadh is UTC+3 too
    events = [
        order("sa_hit", 5, "SA", midnight=sa_midnight),
        order("ae_hit", 5, "AE", quantity=3),
        order("ru_hit", 5, "RU", quantity=50),
    ]
    entries = catalog(products, events).compute("SA", DAY)
    assert [(e.product_id, e.reason) for e in entries] == [
        ("sa_hit", "trending"),
        ("ae_hit", "popular"),  # the region (mena) first
        ("ru_hit", "popular"),  # then every country
        ("classic", "popular"),  # then lifetime orders in the catalog
        ("unknown", "popular"),
    ]


def test_rebuilding_gives_the_same_list_and_replaces_the_old_one(catalog, tmp_path):
    products = [
        make_product(p, p, category=c) for p, c in [("a", "shoes"), ("b", "toys"), ("c", "food")]
    ]
    rec = catalog(products, [order("a", 5, quantity=2), order("b", 5)])
    first = rec.build("RU", DAY)
    again = rec.build("RU", DAY)
    assert first.entries == again.entries
    path = write_feed(tmp_path / "more.jsonl", [order("c", 2, quantity=10)])
    ingest_events(path, rec.db, tmp_path)
    rebuilt = ListBuilder(rec.db, rec.engine, rec.registry).build("RU", DAY)
    assert ids(rebuilt.entries)[0] == "c"
    with rec.db.connect() as conn:
        assert ids(stored_list(conn, "RU", DAY).entries) == ids(rebuilt.entries)


def test_beat_fans_out_each_country_just_after_its_local_midnight():
    timezones = {
        "RU": "Europe/Moscow",
        "BY": "Europe/Minsk",
        "GB": "Europe/London",
        "US": "America/New_York",
    }
    noon = int(datetime(2026, 11, 26, 12, 0, tzinfo=UTC).timestamp())
    built = {code: {date(2026, 11, d): noon for d in (24, 25, 26)} for code in timezones}
    # 21:05 UTC: five past midnight in Moscow and Minsk, evening in London and New York.
    now = datetime(2026, 11, 26, 21, 5, tzinfo=UTC).timestamp()
    assert due_builds(now, timezones, built) == [("BY", DAY), ("RU", DAY)]
    # 00:05 UTC: London's midnight; New York is still on the 26th.
    later = datetime(2026, 11, 27, 0, 5, tzinfo=UTC).timestamp()
    built["RU"][DAY] = built["BY"][DAY] = int(now)
    assert due_builds(later, timezones, built) == [("GB", DAY)]


def test_a_missed_day_is_caught_up():
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC).timestamp()
    built = {"RU": {date(2026, 11, 25): int(now) - 86400 * 2}}
    assert due_builds(now, {"RU": "Europe/Moscow"}, built) == [
        ("RU", date(2026, 11, 26)),
        ("RU", DAY),
    ]


def test_a_list_built_before_its_day_began_is_rebuilt_after_midnight():
    now = datetime(2026, 11, 26, 21, 5, tzinfo=UTC).timestamp()  # 00:05 on the 27th in Moscow
    early = int(RU_MIDNIGHT.timestamp()) - 3600  # someone previewed the 27th at 23:00 on the 26th
    built = {"RU": {date(2026, 11, 25): early, date(2026, 11, 26): early, DAY: early}}
    assert due_builds(now, {"RU": "Europe/Moscow"}, built) == [("RU", DAY)]
