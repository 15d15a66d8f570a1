"""Order events stored once each, and the daily rollup kept with them (SQLite and PostgreSQL).

An event is stored once: by its `order_id`, or without one by its natural key (product,
country, ts, quantity). Both are unique indexes and every insert says
`ON CONFLICT DO NOTHING`, so a file re-sent whole, with more lines, twice at once or
after a crash stores each event exactly once.

In the same transaction the events that were really stored (never the duplicates) are
added to `order_rollup`: per (country, local day, product) the orders and their weight
`sum(quantity * 2 ** ((ts - day_start) / 48 h))`, day_start being the day's 00:00 UTC.
A decayed score `sum(quantity * 0.5 ** ((ref - ts) / 48 h))` is then, exactly,
`sum(weight * 0.5 ** ((ref - day_start) / 48 h))` over at most one row per day
(merchandising/recommendations.py), whatever the reference time.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from .database import Database
from .schema import order_events, order_rollup

DAY_SECONDS = 86_400
ROLLUP_HALF_LIFE_S = 48 * 3600  # the half-life the rollup's weights are kept for (SPEC.md)
EPOCH_DAY = date(1970, 1, 1)
# (product_id, country, quantity, ts, price_usd, order_id, local day number)
EVENT_COLUMNS = ("product_id", "country", "quantity", "ts", "price_usd", "order_id", "day")
StoredEvent = tuple[str, str, int, int, float | None, str | None, int]

_INCOMING = "order_events_incoming"
_PG_TYPES = "text, text, integer, bigint, double precision, text, integer"


def day_number(day: date) -> int:
    """A date as days since 1970-01-01 (how event rows and the rollup store local dates)."""
    return (day - EPOCH_DAY).days


def local_midnight(day: date, timezone: str) -> int:
    """Epoch seconds of `day`'s 00:00 in `timezone` (one definition for ingest and lists)."""
    return int(datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(timezone)).timestamp())


class LocalDays:
    """The local date (as a day number) of an epoch second in a country's time zone.

    Day d is [local_midnight(d), local_midnight(d + 1)): the very boundaries the daily
    lists use for their window, so the rollup and the raw events agree to the second.
    Countries without a known time zone count in UTC. Midnights are computed once per
    country and day and looked up by bisection (the ingest's hot loop calls this).
    """

    def __init__(self, timezones: Mapping[str, str]) -> None:
        self.timezones = dict(timezones)
        self._midnights: dict[str, tuple[int, list[int]]] = {}  # country -> (first day, starts)

    def __call__(self, country: str, ts: int) -> int:
        known = self._midnights.get(country)
        if known is not None:
            first, starts = known
            i = bisect.bisect_right(starts, ts) - 1
            if 0 <= i < len(starts) - 1:
                return first + i
        return self._extend(country, ts)

    def _extend(self, country: str, ts: int) -> int:
        timezone = self.timezones.get(country)
        if timezone is None:
            return ts // DAY_SECONDS
        guess = day_number(datetime.fromtimestamp(ts, UTC).date())
        first, starts = self._midnights.get(country, (guess, []))
        low, high = min(first, guess - 40), max(first + len(starts), guess + 40)
        if high - low > _MAX_CACHED_DAYS:  # a stray far-off time: not worth caching
            return _local_day(ts, timezone, guess)
        starts = [local_midnight(EPOCH_DAY + timedelta(days=n), timezone) for n in range(low, high)]
        self._midnights[country] = (low, starts)
        return low + bisect.bisect_right(starts, ts) - 1


_MAX_CACHED_DAYS = 4000


def _local_day(ts: int, timezone: str, guess: int) -> int:
    """The day d with local_midnight(d) <= ts < local_midnight(d + 1), near `guess`."""
    day = guess + 1
    while local_midnight(EPOCH_DAY + timedelta(days=day), timezone) > ts:
        day -= 1
    return day


def rollup_weight(quantity: int, ts: int, day: int) -> float:
    return quantity * 2.0 ** ((ts - day * DAY_SECONDS) / ROLLUP_HALF_LIFE_S)


def start_incoming(conn: Connection) -> None:
    """The session's staging table for a batch of events (emptied at every commit)."""
    if conn.dialect.name == "postgresql":
        columns = ", ".join(
            f"{name} {kind}"
            for name, kind in zip(EVENT_COLUMNS, _PG_TYPES.split(", "), strict=True)
        )
        conn.exec_driver_sql(
            f"CREATE TEMP TABLE IF NOT EXISTS {_INCOMING} ({columns}) ON COMMIT DELETE ROWS"
        )
        # The rollup's aggregate of a batch fits in memory instead of spilling to disk.
        conn.exec_driver_sql("SET LOCAL work_mem = '64MB'")
    else:
        columns = ", ".join(EVENT_COLUMNS)
        conn.exec_driver_sql(f"CREATE TEMP TABLE IF NOT EXISTS {_INCOMING} ({columns})")


def store_events(conn: Connection, batch: list[StoredEvent] | bytes, count: int) -> int:
    """Store a batch of events, skipping those already stored, and roll them up; in the
    caller's transaction (after `start_incoming`). The number really stored.

    `batch` is rows, or on PostgreSQL the same rows as COPY text (`count` of them).
    """
    columns = ", ".join(EVENT_COLUMNS)
    insert = (
        f"INSERT INTO {order_events.name} ({columns}) "
        f"SELECT {columns} FROM {_INCOMING} WHERE true ON CONFLICT DO NOTHING"
    )
    if conn.dialect.name == "postgresql":
        driver = conn.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor:
            with cursor.copy(f"COPY {_INCOMING} ({columns}) FROM STDIN") as copy:
                if isinstance(batch, bytes):
                    copy.write(batch)
                else:
                    for row in batch:
                        copy.write_row(row)
            cursor.execute(
                f"WITH stored AS ({insert} RETURNING country, product_id, day, quantity, ts), "
                f"rolled AS ({_PG_ROLLUP}) SELECT count(*) FROM stored"
            )
            stored = cursor.fetchone()
            cursor.execute(f"TRUNCATE {_INCOMING}")
        return int(stored[0]) if stored else 0
    assert not isinstance(batch, bytes)
    marks = ", ".join("?" for _ in EVENT_COLUMNS)
    conn.exec_driver_sql(f"INSERT INTO {_INCOMING} ({columns}) VALUES ({marks})", batch)
    new = conn.exec_driver_sql(f"{insert} RETURNING country, product_id, day, quantity, ts")
    rows = new.fetchall()
    conn.exec_driver_sql(f"DELETE FROM {_INCOMING}")
    add_to_rollup(conn, rows)
    return len(rows)


_PG_ROLLUP = (
    f"INSERT INTO {order_rollup.name} AS r (country, day, product_id, orders, weight) "
    "SELECT country, day, product_id, sum(quantity), "
    # float8 throughout: a numeric literal would make power() numeric, 100x slower
    "sum(quantity * power(2.0::float8, "
    f"(ts - day * {DAY_SECONDS}::bigint)::float8 / {ROLLUP_HALF_LIFE_S}::float8)) "
    "FROM stored GROUP BY country, day, product_id "
    "ON CONFLICT (country, day, product_id) DO UPDATE "
    "SET orders = r.orders + excluded.orders, weight = r.weight + excluded.weight"
)


def add_to_rollup(conn: Connection, rows: Iterable[tuple[str, str, int, int, int]]) -> None:
    """Add stored events (country, product_id, day, quantity, ts) to the rollup."""
    totals: dict[tuple[str, int, str], list] = defaultdict(lambda: [0, 0.0])
    for country, product_id, day, quantity, ts in rows:
        total = totals[(country, day, product_id)]
        total[0] += quantity
        total[1] += rollup_weight(quantity, ts, day)
    if not totals:
        return
    values = [(*key, orders, weight) for key, (orders, weight) in sorted(totals.items())]
    mark = "%s" if conn.dialect.name == "postgresql" else "?"
    marks = ", ".join([mark] * 5)
    conn.exec_driver_sql(
        f"INSERT INTO {order_rollup.name} AS r (country, day, product_id, orders, weight) "
        f"VALUES ({marks}) ON CONFLICT (country, day, product_id) DO UPDATE "
        "SET orders = r.orders + excluded.orders, weight = r.weight + excluded.weight",
        values,
    )


def roll_up_old_events(conn: Connection, days: LocalDays, batch: int = 50_000) -> int:
    """Give events stored before the rollup existed (no `day` yet) their local day and add
    them to the rollup, a batch per call; the number done (0: nothing left).

    The partial index on `day IS NULL` makes the check free once everything is done.
    """
    rows = conn.exec_driver_sql(
        f"SELECT id, country, product_id, quantity, ts FROM {order_events.name} "
        f"WHERE day IS NULL ORDER BY id LIMIT {int(batch)}"
    ).fetchall()
    if not rows:
        return 0
    done = [(r.id, r.country, r.product_id, days(r.country, r.ts), r.quantity, r.ts) for r in rows]
    mark = "%s" if conn.dialect.name == "postgresql" else "?"
    conn.exec_driver_sql(
        f"UPDATE {order_events.name} SET day = {mark} WHERE id = {mark}",
        [(day, event_id) for event_id, _, _, day, _, _ in done],
    )
    add_to_rollup(conn, [(c, p, day, q, ts) for _, c, p, day, q, ts in done])
    return len(done)


def roll_up_old(db: Database, days: LocalDays) -> int:
    """Bring every event stored before the rollup existed into it (a no-op once done:
    one lookup in an empty partial index), a transaction per batch."""
    done = 0
    while True:
        with db.begin() as conn:
            count = roll_up_old_events(conn, days)
        if not count:
            return done
        done += count
