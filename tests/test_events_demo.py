"""The demo's synthetic order events: deterministic, valid, different in each country."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

from indexer.events import parse_events
from indexer.feed import Rejection
from locales.registry import default_registry
from vitrina.commands.demo import demo_catalog_path
from vitrina.demo.events import demo_events, load_catalog

DAY = date(2026, 11, 27)


def test_demo_events_are_deterministic_valid_and_local():
    products = load_catalog(demo_catalog_path())
    registry = default_registry()
    events = list(demo_events(products, registry, DAY))
    assert events == list(demo_events(products, registry, DAY))
    assert {e["country"] for e in events} == set(registry.countries)
    lines = (json.dumps(e).encode() for e in events)
    assert not [r for r in parse_events(lines) if isinstance(r, Rejection)]
    category = {p["id"]: p["category"] for p in products}

    def favourite(country: str) -> str:
        counts = Counter(category[e["product_id"]] for e in events if e["country"] == country)
        return counts.most_common(1)[0][0]

    assert favourite("RU") != favourite("SA")
    hidden = {p["id"] for p in products if p.get("flags") or p.get("deleted")}
    assert not hidden & {e["product_id"] for e in events}
