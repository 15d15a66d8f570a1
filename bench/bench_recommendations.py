"""Daily recommendations at scale: `python bench/bench_recommendations.py
[--products 100000] [--events 10000000] [--database URL]`.

Indexes a synthetic catalog with the embedded engine, stores order events over 30
days in all countries (skewed: a few products sell a lot), then times building every
country's list for one day (`RecommendationService.build_all`, what the nightly
Celery fan-out and `vitrina recommend` run). Target: <= 30 s on 2 cores.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer.indexing import index_feed  # noqa: E402
from search.catalog import CATEGORIES  # noqa: E402
from storage import Database  # noqa: E402
from storage.events import LocalDays, roll_up_old  # noqa: E402
from tests.conftest import write_feed  # noqa: E402
from vitrina.config import Settings  # noqa: E402
from vitrina.services import Services  # noqa: E402

DAY = date(2026, 11, 27)
WORDS = [
    "сумка",
    "кожаная",
    "чехол",
    "смартфон",
    "кроссовки",
    "платье",
    "лампа",
    "набор",
    "часы",
    "игрушка",
]


def products(count: int, rng: random.Random) -> list[dict]:
    feed = []
    for i in range(count):
        product = {
            "id": f"p{i:06d}",
            "title": {"ru": " ".join(rng.sample(WORDS, 3)) + f" {i}"},
            "category": CATEGORIES[i % len(CATEGORIES)],
            "price_usd": round(rng.uniform(1, 500), 2),
            "orders": rng.randrange(10_000),
        }
        if i % 50 == 0:
            product["ships_to"] = ["RU", "BY", "KZ"]
        if i % 997 == 0:
            product["flags"] = ["counterfeit_suspected"]
        feed.append(product)
    return feed


def store_events(
    db: Database, countries: list[str], products: int, count: int, rng: random.Random
) -> None:
    end = int(datetime(2026, 11, 27, tzinfo=UTC).timestamp())
    batch_size = 50_000
    with db.begin() as conn:
        raw = conn.connection.driver_connection
        cursor = raw.cursor()
        for start in range(0, count, batch_size):
            rows = [
                (
                    f"p{int(products * rng.random() ** 3):06d}",
                    countries[int(len(countries) * rng.random() ** 1.5)],
                    1 if rng.random() < 0.8 else 2,
                    end - int(rng.random() * 31 * 86400),
                    None,
                    f"o{n}",  # each its own order (the natural key could repeat by chance)
                )
                for n in range(start, min(start + batch_size, count))
            ]
            if db.dialect == "postgresql":
                with cursor.copy(
                    "COPY order_events (product_id, country, quantity, ts, price_usd, order_id) "
                    "FROM STDIN"
                ) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(
                    "INSERT INTO order_events (product_id, country, quantity, ts, price_usd, order_id) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    rows,
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--database", help="SQLAlchemy URL (default: SQLite in a temporary dir)")
    args = parser.parse_args()
    rng = random.Random(11)
    with tempfile.TemporaryDirectory(prefix="vitrina-bench-recs-") as tmp:
        settings = Settings(data_dir=Path(tmp) / "var", database_url=args.database)
        svc = Services(settings)
        started = time.perf_counter()
        feed = write_feed(Path(tmp) / "feed.jsonl", products(args.products, rng))
        report = index_feed(
            feed, svc.indexing_engine, settings.ensure_data_dir(), analyzer=svc.analyzer
        )
        print(
            f"catalog: {report.products:,} products indexed in {time.perf_counter() - started:.1f}s"
        )
        db = svc.database.ready()
        started = time.perf_counter()
        store_events(db, sorted(svc.registry.countries), args.products, args.events, rng)
        print(
            f"events: {args.events:,} stored in {time.perf_counter() - started:.1f}s ({db.dialect})"
        )
        # Stored straight into the table, as before the rollup existed: roll them up the
        # way the application does for such events (their local day, then the rollup).
        started = time.perf_counter()
        zones = {code: c.timezone for code, c in svc.registry.countries.items()}
        roll_up_old(db, LocalDays(zones))
        print(f"rollup of those events: {time.perf_counter() - started:.1f}s")
        if db.dialect == "postgresql":
            # What autovacuum does after a bulk insert (PostgreSQL >= 13): statistics, and the
            # visibility map that lets the covering index answer without visiting the table.
            started = time.perf_counter()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE order_events")
            print(f"vacuum analyze: {time.perf_counter() - started:.1f}s")
        started = time.perf_counter()
        built = svc.recommendations.build_all(DAY)
        seconds = time.perf_counter() - started
        items = sum(len(b.entries) for b in built)
        print(
            f"recommendations: {len(built)} countries, {items} products for {DAY} in {seconds:.2f}s "
            f"({seconds / len(built):.2f}s per country; target <= 30 s)"
        )
        reasons = {}
        for b in built:
            for e in b.entries:
                reasons[e.reason] = reasons.get(e.reason, 0) + 1
        print(f"reasons: {reasons}")
        db.dispose()


if __name__ == "__main__":
    main()
