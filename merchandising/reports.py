"""Reports over the search log: what shoppers searched most, and what found nothing.

Per locale, country and period (the last `days` days, UTC). Queries are grouped as
logged (lowercase, single spaces; search/analytics.py). `results` is the most any of
those searches found (zero for every row of the zero-result report).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, cast, func, select

from storage import Database
from storage.schema import search_log

KINDS = ("top", "zero")
MAX_DAYS = 366
MAX_LIMIT = 500
DAY_S = 86400


@dataclass(frozen=True)
class QueryRow:
    query: str
    understood: str
    searches: int
    results: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "understood": self.understood,
            "searches": self.searches,
            "results": self.results,
        }


class SearchReports:
    def __init__(self, database: Database, flush: Any = None) -> None:
        """`flush()` writes this process's queued searches first (search/analytics.py)."""
        self.database = database
        self.flush = flush

    def _filters(
        self, locale: str | None, country: str | None, days: int, now: float | None
    ) -> list[Any]:
        since = int((time.time() if now is None else now) - days * DAY_S)
        conditions = [search_log.c.at >= since]
        if locale:
            conditions.append(search_log.c.locale == locale)
        if country:
            conditions.append(search_log.c.country == country.upper())
        return conditions

    def queries(
        self,
        kind: str = "top",
        locale: str | None = None,
        country: str | None = None,
        days: int = 7,
        limit: int = 100,
        now: float | None = None,
    ) -> list[QueryRow]:
        """The most searched queries (`top`), or those that found nothing (`zero`)."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        if self.flush is not None:
            self.flush()
        conditions = self._filters(locale, country, days, now)
        if kind == "zero":
            conditions.append(search_log.c.results == 0)
        searches = func.count().label("searches")
        statement = (
            select(
                search_log.c.query,
                func.max(search_log.c.understood).label("understood"),
                searches,
                func.max(search_log.c.results).label("results"),
            )
            .where(*conditions)
            .group_by(search_log.c.query)
            .order_by(searches.desc(), search_log.c.query)
            .limit(max(1, min(limit, MAX_LIMIT)))
        )
        with self.database.connect() as conn:
            return [
                QueryRow(r.query, r.understood, r.searches, r.results)
                for r in conn.execute(statement)
            ]

    def per_day(
        self,
        locale: str | None = None,
        country: str | None = None,
        days: int = 7,
        now: float | None = None,
    ) -> list[tuple[date, int, int]]:
        """(UTC date, searches, searches that found nothing) for each day of the period."""
        if self.flush is not None:
            self.flush()
        moment = time.time() if now is None else now
        last = datetime.fromtimestamp(moment, UTC).date()
        first = last - timedelta(days=days - 1)
        epoch = date(1970, 1, 1)
        since = (first - epoch).days * DAY_S
        day = (search_log.c.at // DAY_S).label("day")
        zero = func.sum(cast(search_log.c.results == 0, Integer)).label("zero")
        statement = (
            select(day, func.count().label("searches"), zero)
            .where(*self._filters(locale, country, days, moment), search_log.c.at >= since)
            .group_by(day)
        )
        with self.database.connect() as conn:
            counts = {r.day: (r.searches, r.zero or 0) for r in conn.execute(statement)}
        result = []
        for offset in range(days):
            current = first + timedelta(days=offset)
            searches, zero_count = counts.get((current - epoch).days, (0, 0))
            result.append((current, searches, zero_count))
        return result
