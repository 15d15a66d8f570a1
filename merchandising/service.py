"""RecommendationService: read, build and present a country's daily list.

It is for daily lists what `search.service.SearchService` is for search: the web,
the command line and the Celery tasks all go through it. Shoppers' pages only
read. A list that should exist but does not (the country's today or yesterday) is
requested once: queued to the Celery task when a broker is configured (`queue`),
otherwise built here, one build at a time per process, so never once per request.
Other dates are served when stored and are otherwise simply absent.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated, NotRequired

from pydantic import Field

from locales.registry import Registry
from search.answers import Item
from search.engines.base import SearchEngine
from search.service import SearchService
from storage import Database

from .dates import local_today
from .lists import REASONS, ListEntry, StoredList, built_lists, stored_dates, stored_list
from .recommendations import ListBuilder, Rules, due_builds

log = logging.getLogger("vitrina.recommendations")

CATCH_UP_DAYS = 3  # the beat tick builds any of the last three local days without a list
REQUEST_AGAIN_S = 60.0  # a queued build is asked for again after this long if still missing


class RecommendedItem(Item):
    """A product of a daily list, shaped like a search item, with why it is there."""

    reason: Annotated[str, Field(json_schema_extra={"enum": list(REASONS)})]
    badge: NotRequired[
        Annotated[str, Field(description='A merchandiser\'s badge for the product ("−30%")')]
    ]


class RecommendationService:
    """Daily lists of one database: stored, built on request, presented like search items."""

    def __init__(
        self,
        database: Database,
        engine: SearchEngine,
        registry: Registry,
        search: SearchService,
        *,
        rules: Rules | None = None,
        queue: Callable[[str, date], object] | None = None,
    ) -> None:
        """`engine` builds lists (long timeouts); `search` presents them; `queue` sends a
        build to the workers (None: build in this process)."""
        self.database = database
        self.engine = engine
        self.registry = registry
        self.search = search
        self.rules = rules or Rules()
        self.queue = queue
        self._building = threading.Lock()
        self._requested: dict[tuple[str, date], float] = {}

    # -- reading (what public pages do) -----------------------------------------

    def today(self, country: str) -> date:
        """The country's local date now."""
        return local_today(self.registry.country(country).timezone)

    def is_recent(self, country: str, day: date) -> bool:
        """Today or yesterday in the country: the dates a list is made for on request."""
        today = self.today(country)
        return today - timedelta(days=1) <= day <= today

    def stored(self, country: str, day: date) -> StoredList | None:
        """The stored list of (country, day); never builds."""
        code = self.registry.country(country).code
        with self.database.connect() as conn:
            return stored_list(conn, code, day)

    def on(self, country: str, day: date) -> StoredList | None:
        """The list of (country, day) for shoppers: the stored one; a missing recent one is
        requested (and, without a broker, built now); None while it is not there."""
        found = self.stored(country, day)
        if found is not None or not self.is_recent(country, day):
            return found
        return self._request(self.registry.country(country).code, day)

    def current(self, country: str) -> StoredList | None:
        """Today's list; while today's is being built, yesterday's; None when neither exists."""
        today = self.today(country)
        return self.on(country, today) or self.stored(country, today - timedelta(days=1))

    def present(
        self, stored: StoredList, locale: str, limit: int | None = None
    ) -> list[RecommendedItem]:
        """The list's products in `locale`, shaped like search items, each with its reason."""
        entries = stored.entries if limit is None else stored.entries[:limit]
        return self.present_entries(entries, stored.country, locale)

    def present_entries(
        self, entries: list[ListEntry], country: str, locale: str
    ) -> list[RecommendedItem]:
        """List entries as search items in `locale`, each with its reason (and badge)."""
        by_id = {entry.product_id: entry for entry in entries}
        presented = []
        for item in self.search.products(list(by_id), locale, country):
            entry = by_id[item["id"]]
            recommended = RecommendedItem(**item, reason=entry.reason)
            if entry.badge:
                recommended["badge"] = entry.badge
            presented.append(recommended)
        return presented

    # -- building (what tasks, the CLI and merchandisers do) ---------------------

    def builder(self) -> ListBuilder:
        """A builder sharing country scores between the lists of one run."""
        return ListBuilder(self.database, self.engine, self.registry, self.rules)

    def compute(self, country: str, day: date) -> list[ListEntry]:
        """The list (country, day) would get now, without storing it (a preview)."""
        return self.builder().compute(country, day)

    def build(self, country: str, day: date) -> StoredList:
        """Compute and store (replacing) the list of (country, day)."""
        return self.builder().build(country, day)

    def rebuild_stored(self, country: str, starts: date, ends: date) -> list[date]:
        """Rebuild the country's stored lists from `starts` to `ends` (what a pin or an
        exclusion over those dates changes), with the code the Celery task runs; lists
        of other dates are built when their day comes."""
        code = self.registry.country(country).code
        with self.database.connect() as conn:
            days = stored_dates(conn, code, starts, ends)
        builder = self.builder()
        for day in days:
            builder.build(code, day)
        return days

    def build_all(
        self, day: date | None = None, countries: list[str] | None = None
    ) -> list[StoredList]:
        """Every country's list for `day` (default: each country's local today)."""
        builder = self.builder()
        built = []
        for code in sorted(countries or self.registry.countries):
            country = self.registry.country(code)
            built.append(builder.build(country.code, day or local_today(country.timezone)))
        return built

    def due(self, now: float | None = None) -> list[tuple[str, date]]:
        """The (country, date) lists the beat tick should build now (missing or stale)."""
        moment = time.time() if now is None else now
        timezones = {code: c.timezone for code, c in self.registry.countries.items()}
        existing = {}
        with self.database.connect() as conn:
            for code, tz in timezones.items():
                since = local_today(tz, moment) - timedelta(days=CATCH_UP_DAYS)
                existing[code] = built_lists(conn, code, since)
        return due_builds(moment, timezones, existing, CATCH_UP_DAYS)

    def _request(self, country: str, day: date) -> StoredList | None:
        """Ask for a missing list: queue it (at most once a minute from this process) or,
        without a broker, build it here, one build at a time."""
        if self.queue is not None:
            key, now = (country, day), time.monotonic()
            if now - self._requested.get(key, -REQUEST_AGAIN_S) >= REQUEST_AGAIN_S:
                if len(self._requested) > 256:  # bounded: old requests need no memory
                    self._requested = {
                        k: at for k, at in self._requested.items() if now - at < REQUEST_AGAIN_S
                    }
                try:
                    self.queue(country, day)
                except Exception:  # a broker that is down must not fail a page view
                    log.warning("could not queue the list %s %s", country, day, exc_info=True)
                else:
                    self._requested[key] = now
            return None
        with self._building:  # whoever waited here finds the list the first caller built
            found = self.stored(country, day)
            return found if found is not None else self.build(country, day)
