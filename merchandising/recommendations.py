"""Building daily recommendations per country and local date (SPEC.md, "Daily recommendations").

For country C and date D the reference time is D's local midnight in C's time zone.
Each of C's orders in the 30 local days before it weighs `0.5 ** (age_hours / 48)`
times its quantity, summed in SQL over the daily rollup (one row per product and
local day, kept on ingest; exact, see storage/events.py) rather than every event. Products that are deleted or hidden (not in the
index) or do not ship to C are left out; at most 5 per category; merchandiser pins
come first, exclusions never appear. Countries with too few orders are filled from
their region's popularity, then global popularity, then the catalog's lifetime orders.
Ties break by product id, so building (C, D) twice from the same data gives the same list.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeGuard

from sqlalchemy import Float, cast, func, select

from locales.registry import Registry
from search.catalog import HIDING_FLAGS
from search.engines.base import EngineQuery, Filters, SearchEngine
from storage import Database
from storage.events import (
    DAY_SECONDS,
    ROLLUP_HALF_LIFE_S,
    LocalDays,
    day_number,
    local_midnight,
    roll_up_old,
)
from storage.schema import order_events, order_rollup

from .curation import excluded, pinned
from .dates import local_today
from .lists import ListEntry, StoredList, replace_list

LOOKUP_CHUNK = 100
CATALOG_PAGES = 50  # how deep the last fallback reads the catalog, in LOOKUP_CHUNK pages


@dataclass(frozen=True)
class Rules:
    size: int = 20
    per_category: int = 5
    window_days: int = 30
    half_life_hours: float = 48.0


Ranked = Iterable[tuple[str, float]]  # (product id, score), best first
Lookup = Callable[[Sequence[str]], dict[str, dict[str, Any]]]


def country_scores(
    db: Database, country: str, day: date, timezone: str, rules: Rules
) -> dict[str, float]:
    """Decayed order weight per product for (country, day), from the daily rollup: at
    most `window_days` rows per product (storage/events.py shows why it is exact).

    A half-life other than the rollup's reads the raw events instead.
    """
    if rules.half_life_hours * 3600 != ROLLUP_HALF_LIFE_S:
        return country_scores_from_events(db, country, day, timezone, rules)
    reference = local_midnight(day, timezone)
    first = day_number(day - timedelta(days=rules.window_days))
    decay = func.power(
        0.5, (reference - cast(order_rollup.c.day, Float) * DAY_SECONDS) / ROLLUP_HALF_LIFE_S
    )
    query = (
        select(order_rollup.c.product_id, func.sum(order_rollup.c.weight * decay))
        .where(
            order_rollup.c.country == country,
            order_rollup.c.day >= first,
            order_rollup.c.day < day_number(day),
        )
        .group_by(order_rollup.c.product_id)
    )
    with db.connect() as conn:
        # Rounded so that summation order in the database cannot flip a tie.
        return {pid: round(score, 9) for pid, score in conn.execute(query)}


def country_scores_from_events(
    db: Database, country: str, day: date, timezone: str, rules: Rules
) -> dict[str, float]:
    """The same scores computed from every raw event in the window (SPEC.md's rule as
    written; what the rollup is checked against)."""
    reference = local_midnight(day, timezone)
    start = local_midnight(day - timedelta(days=rules.window_days), timezone)
    half_life_s = rules.half_life_hours * 3600.0
    weight = order_events.c.quantity * func.power(
        0.5, cast(reference - order_events.c.ts, Float) / half_life_s
    )
    query = (
        select(order_events.c.product_id, func.sum(weight))
        .where(
            order_events.c.country == country,
            order_events.c.ts >= start,
            order_events.c.ts < reference,
        )
        .group_by(order_events.c.product_id)
    )
    with db.connect() as conn:
        return {pid: round(score, 9) for pid, score in conn.execute(query)}


def ranked(scores: dict[str, float]) -> list[tuple[str, float]]:
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def eligible(product: dict[str, Any] | None, country: str) -> TypeGuard[dict[str, Any]]:
    """In the index, not flagged, and ships to `country`."""
    if product is None or HIDING_FLAGS.intersection(product.get("flags") or ()):
        return False
    ships_to = product.get("ships_to")
    return ships_to is None or country in ships_to


def compose(
    country: str,
    rules: Rules,
    pins: Sequence[str],
    exclusions: set[str],
    sources: Iterable[tuple[str, Ranked]],
    lookup: Lookup,
    badges: Mapping[str, str | None] | None = None,
) -> list[ListEntry]:
    """The list: pins in order (with their `badges`), then each (reason, ranking) source
    until `rules.size`.

    Pins are never dropped by the category cap but count towards it.
    """
    chosen: list[ListEntry] = []
    taken = set(exclusions)
    per_category: Counter[str] = Counter()
    pin_ids = [p for p in dict.fromkeys(pins) if p not in taken]
    pinned_products = lookup(pin_ids) if pin_ids else {}
    for pid in pin_ids:
        product = pinned_products.get(pid)
        if len(chosen) < rules.size and eligible(product, country):
            chosen.append(ListEntry(pid, "pinned", 0.0, (badges or {}).get(pid)))
            taken.add(pid)
            per_category[product["category"]] += 1
    for reason, ranking in sources:
        for chunk in _chunks(ranking, LOOKUP_CHUNK):
            if len(chosen) >= rules.size:
                return chosen
            wanted = [pid for pid, _ in chunk if pid not in taken]
            products = lookup(wanted) if wanted else {}
            for pid, score in chunk:
                product = products.get(pid)
                if pid in taken or not eligible(product, country):
                    continue
                if per_category[product["category"]] >= rules.per_category:
                    continue
                chosen.append(ListEntry(pid, reason, score))
                taken.add(pid)
                per_category[product["category"]] += 1
                if len(chosen) >= rules.size:
                    return chosen
    return chosen


def _chunks(items: Iterable[tuple[str, float]], size: int) -> Iterator[list[tuple[str, float]]]:
    chunk: list[tuple[str, float]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class ListBuilder:
    """Computes and stores lists; shares per-country scores between the countries it builds."""

    def __init__(
        self, db: Database, engine: SearchEngine, registry: Registry, rules: Rules | None = None
    ) -> None:
        self.db = db
        self.engine = engine
        self.registry = registry
        self.rules = rules or Rules()
        self._scores: dict[tuple[str, date], dict[str, float]] = {}
        self._rolled_up = False

    def scores(self, country: str, day: date) -> dict[str, float]:
        key = (country, day)
        if key not in self._scores:
            if not self._rolled_up:  # events stored before the rollup existed
                zones = {c.code: c.timezone for c in self.registry.countries.values()}
                roll_up_old(self.db, LocalDays(zones))
                self._rolled_up = True
            tz = self.registry.country(country).timezone
            self._scores[key] = country_scores(self.db, country, day, tz, self.rules)
        return self._scores[key]

    def _summed(self, countries: Iterable[str], day: date) -> Iterator[tuple[str, float]]:
        total: Counter[str] = Counter()
        for code in countries:
            total.update(self.scores(code, day))
        yield from ranked({pid: round(score, 9) for pid, score in total.items()})

    def _catalog(self, country: str) -> Iterator[tuple[str, float]]:
        """Products that ship to `country`, most lifetime orders first."""
        for page in range(CATALOG_PAGES):
            result = self.engine.search(
                EngineQuery(
                    filters=Filters(ships_to=country),
                    sort="orders",
                    offset=page * LOOKUP_CHUNK,
                    limit=LOOKUP_CHUNK,
                    with_facets=False,
                )
            )
            hits = sorted(result.hits, key=lambda h: (-(h.product.get("orders") or 0), h.id))
            yield from ((h.id, float(h.product.get("orders") or 0)) for h in hits)
            if len(result.hits) < LOOKUP_CHUNK:
                return

    def compute(self, country: str, day: date) -> list[ListEntry]:
        """The list for (country, day) from current events, pins, exclusions and index."""
        country = self.registry.country(country).code
        region = self.registry.country(country).region
        in_region = sorted(c.code for c in self.registry.countries.values() if c.region == region)
        with self.db.connect() as conn:
            badges = dict(pinned(conn, country, day))
            exclusions = excluded(conn, country, day)
        sources: list[tuple[str, Ranked]] = [
            ("trending", ranked(self.scores(country, day))),
            ("popular", _lazy(lambda: self._summed(in_region, day))),
            ("popular", _lazy(lambda: self._summed(sorted(self.registry.countries), day))),
            ("popular", _lazy(lambda: self._catalog(country))),
        ]
        return compose(
            country, self.rules, list(badges), exclusions, sources, self.engine.get_products, badges
        )

    def build(self, country: str, day: date) -> StoredList:
        """Compute and store (replacing) the list for (country, day)."""
        country = self.registry.country(country).code
        entries = self.compute(country, day)
        built_at = int(time.time())
        with self.db.begin() as conn:
            replace_list(conn, country, day, entries, built_at)
        return StoredList(country, day, built_at, entries)


def _lazy(make: Callable[[], Iterator[tuple[str, float]]]) -> Iterator[tuple[str, float]]:
    """Runs `make` only when the list actually needs this fallback."""
    yield from make()


def due_builds(
    now: float,
    timezones: dict[str, str],
    built: dict[str, dict[date, int]],
    catch_up_days: int = 3,
) -> list[tuple[str, date]]:
    """(country, local date) pairs of the last `catch_up_days` local days that need a build.

    `built` maps each country's dates to when their list was built (epoch seconds). A date
    is due when it has no list, or one built before its local midnight (an early preview
    that could not see the day before's last orders). Called by the beat tick: right after
    a country's local midnight its new date is due, and a missed day is caught up.
    """
    due = []
    for country in sorted(timezones):
        tz = timezones[country]
        today = local_today(tz, now)
        lists = built.get(country, {})
        for back in range(catch_up_days - 1, -1, -1):
            day = today - timedelta(days=back)
            if day not in lists or lists[day] < local_midnight(day, tz):
                due.append((country, day))
    return due
