"""A deterministic month of synthetic order events for the demo catalog, in every country.

Countries favour different categories (phones in Russia, tools in Germany, watches in
the Gulf...), popular products sell more, and in each country a few products spike in
the last three days, so every storefront shows its own "trending" deals. A couple of
small markets get only a handful of orders and show the regional fallback.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

from locales.registry import Registry

SEED = 20261127
DAYS = 30
SPIKE_DAYS = 3

# Orders per day by country; small markets (EG, AT) lean on their region's popularity.
DAILY_ORDERS = {
    "RU": 220, "UA": 60, "BY": 40, "KZ": 50, "US": 120, "GB": 60, "BR": 90, "PT": 20,
    "ES": 50, "MX": 45, "DE": 70, "AT": 2, "SA": 40, "AE": 35, "EG": 1,
}  # fmt: skip
DEFAULT_DAILY_ORDERS = 20

# Category preferences by region, then by country (multiplies the product weight).
REGION_TASTE = {
    "cis": {"phones": 3.0, "consumer_electronics": 2.5, "home_garden": 1.8, "automotive": 1.5},
    "americas": {"computers": 2.5, "sports": 2.2, "toys": 2.0, "beauty_health": 1.6},
    "europe": {"tools": 2.5, "hardware": 2.0, "lighting": 1.8, "furniture": 1.6},
    "mena": {"watches": 3.0, "jewelry": 2.5, "weddings_events": 2.2, "apparel": 1.5},
}
COUNTRY_TASTE = {
    "RU": {"luggage_bags": 2.0, "shoes": 1.6},
    "KZ": {"automotive": 2.5},
    "BR": {"beauty_health": 3.0, "shoes": 2.0},
    "MX": {"mother_kids": 2.5},
    "ES": {"apparel": 2.5, "shoes": 2.0},
    "DE": {"automotive": 2.0},
    "GB": {"home_appliances": 2.0},
    "AE": {"consumer_electronics": 2.0},
}


def load_catalog(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _sellable(product: dict, country: str) -> bool:
    ships_to = product.get("ships_to")
    return (
        not product.get("deleted")
        and "counterfeit_suspected" not in (product.get("flags") or ())
        and (ships_to is None or country in ships_to)
    )


def demo_events(
    products: list[dict], registry: Registry, today: date | None = None
) -> Iterator[dict]:
    """Order events of the DAYS days before `today` (default: today in UTC), ending at
    `today`'s local midnight in each country; the same day always gives the same events."""
    from merchandising.dates import local_midnight

    day = today or datetime.now(UTC).date()
    for code in sorted(registry.countries):
        country = registry.country(code)
        rng = random.Random(f"{SEED}:{code}")
        end = local_midnight(day, country.timezone)
        start = end - DAYS * 86400
        taste = {**REGION_TASTE.get(country.region, {}), **COUNTRY_TASTE.get(code, {})}
        catalog = [p for p in products if _sellable(p, code)]
        if not catalog:
            continue
        weights = [
            math.log10((p.get("orders") or 0) + 10)
            * taste.get(p["category"], 1.0)
            * rng.uniform(0.3, 1.7)
            for p in catalog
        ]
        total = DAILY_ORDERS.get(code, DEFAULT_DAILY_ORDERS) * DAYS
        for product in rng.choices(catalog, weights=weights, k=total):
            yield _event(product, code, rng.uniform(start, end), rng)
        if total < DAYS * 10:
            continue  # too small a market for a spike to mean anything
        hits: set[int] = (
            set()
        )  # this country's surprise hits, most likely in its favourite categories
        while len(hits) < 2:
            hits.add(rng.choices(range(len(catalog)), weights=weights)[0])
        for product in (catalog[i] for i in sorted(hits)):
            for _ in range(rng.randint(25, 60)):
                yield _event(product, code, rng.uniform(end - SPIKE_DAYS * 86400, end), rng)


def _event(product: dict, country: str, ts: float, rng: random.Random) -> dict:
    quantity = 1 if rng.random() < 0.8 else rng.randint(2, 4)
    return {
        "product_id": product["id"],
        "country": country,
        "quantity": quantity,
        "ts": datetime.fromtimestamp(int(ts), UTC).isoformat().replace("+00:00", "Z"),
        "price_usd": product["price_usd"],
    }


def write_demo_events(
    catalog: Path, registry: Registry, out_dir: Path, today: date | None = None
) -> Path:
    """Write the demo events as JSON Lines into `out_dir`; returns the file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = (today or datetime.now(UTC).date()).isoformat()
    path = out_dir / f"demo-events-{stamp}.jsonl"
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        for event in demo_events(load_catalog(catalog), registry, today):
            f.write(json.dumps(event, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return path
