"""Events ingestion throughput: `python bench/bench_events.py [--events 1000000] [--database URL]`.

Generates a JSON Lines file of synthetic order events, then times `ingest_events`
(parse, validate, store each event once and keep the daily rollup, a batch per
transaction) into SQLite in a temporary data
dir, or into the database given (e.g. a scratch PostgreSQL). Prints events/s.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer.events import ingest_events  # noqa: E402
from storage import Database  # noqa: E402

COUNTRIES = [
    "RU",
    "UA",
    "BY",
    "KZ",
    "US",
    "GB",
    "BR",
    "PT",
    "ES",
    "MX",
    "DE",
    "AT",
    "SA",
    "AE",
    "EG",
]


def write_events(path: Path, count: int, products: int = 100_000, seed: int = 7) -> None:
    rng = random.Random(seed)
    end = int(datetime(2026, 11, 27, tzinfo=UTC).timestamp())
    with open(path, "w", encoding="utf-8") as f:
        for _ in range(count):
            ts = (
                datetime.fromtimestamp(end - rng.randrange(30 * 86400), UTC)
                .isoformat()
                .replace("+00:00", "Z")
            )
            event = {
                "product_id": f"p{int(products * rng.random() ** 3):06d}",
                "country": rng.choice(COUNTRIES),
                "quantity": 1 if rng.random() < 0.8 else rng.randint(2, 5),
                "ts": ts,
            }
            if rng.random() < 0.5:
                event["price_usd"] = round(rng.uniform(1, 300), 2)
            f.write(json.dumps(event) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--database", help="SQLAlchemy URL (default: SQLite in a temporary dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vitrina-bench-events-") as tmp:
        work = Path(tmp)
        feed = work / "events.jsonl"
        started = time.perf_counter()
        write_events(feed, args.events)
        size_mb = feed.stat().st_size / 1e6
        print(
            f"generated {args.events:,} events ({size_mb:.0f} MB) in {time.perf_counter() - started:.1f}s"
        )
        db = Database(args.database or f"sqlite:///{work / 'bench.sqlite3'}").ready()
        for parallel in (False, True):
            db.dispose()
            with db.begin() as conn:
                conn.exec_driver_sql("DELETE FROM order_events")
                conn.exec_driver_sql("DELETE FROM order_rollup")
            report = ingest_events(feed, db, work, parallel=parallel)
            rate = report.accepted / report.seconds
            how = "parse in a helper process" if parallel else "one process"
            print(
                f"ingest ({db.dialect}, {how}): {report.accepted:,} events in {report.seconds:.2f}s = {rate:,.0f} events/s"
            )
        db.dispose()


if __name__ == "__main__":
    main()
