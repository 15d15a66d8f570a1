"""Order events at scale on PostgreSQL: `python bench/bench_events_pg.py [--events 100000000]
[--products 100000] [--file-events 5000000] [--database postgresql+psycopg://postgres@127.0.0.1:5432/test]
[--compare-raw]`.

In a schema of its own (created here and dropped at the end), this:
1. indexes a synthetic catalog of `--products` products with the embedded engine;
2. writes `--events` synthetic order events over the 31 days before 2026-11-27 as
   JSON Lines files of `--file-events` each (time slices in order, as a feed arrives;
   43 % Russia, a few products sell a lot, half the events carry an order_id) and
   ingests each with `ingest_events`, the code `vitrina events ingest` runs: validation,
   each event stored once (unique keys, ON CONFLICT DO NOTHING), the daily rollup;
3. sends the last file again (every event a duplicate);
4. builds every country's list for 2026-11-27 (`RecommendationService.build_all`), which
   reads the rollup; with `--compare-raw`, also times Russia's scores from raw events.
Prints the ingest rate per file and overall, table and index sizes per event, rollup
rows, and the lists' times. File generation is timed apart from ingestion.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import sys
import tempfile
import time
import uuid
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_recommendations import products  # noqa: E402
from indexer.events import ingest_events, timezones  # noqa: E402
from indexer.indexing import index_feed  # noqa: E402
from merchandising.recommendations import (  # noqa: E402
    Rules,
    country_scores,
    country_scores_from_events,
)
from tests.conftest import write_feed  # noqa: E402
from vitrina.config import Settings  # noqa: E402
from vitrina.services import Services  # noqa: E402

DAY = date(2026, 11, 27)
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# Share of orders per country: Russia 43 % (the seed's share), the rest spread.
SHARES = {
    "RU": 43,
    "KZ": 6,
    "BY": 4,
    "UA": 4,
    "US": 7,
    "GB": 3,
    "BR": 8,
    "PT": 1,
    "ES": 4,
    "MX": 4,
    "DE": 5,
    "AT": 1,
    "SA": 4,
    "AE": 3,
    "EG": 3,
}


def write_events(
    path: Path, count: int, first: int, start_ts: int, span_s: int, catalog: int, rng: random.Random
) -> Path:
    """`count` events with ts in [start_ts, start_ts + span_s); order ids from `first`."""
    countries = [c for c, share in SHARES.items() for _ in range(share)]
    ids = [f"p{i:06d}" for i in range(catalog)]
    stamps: dict[int, str] = {}
    rand = rng.random
    out = []
    with open(path, "w", encoding="ascii") as f:
        for n in range(first, first + count):
            second = start_ts + int(rand() * span_s)
            ts = stamps.get(second)
            if ts is None:
                ts = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                stamps[second] = ts
            product = ids[int(catalog * rand() ** 3)]
            country = countries[int(len(countries) * rand())]
            quantity = 1 if rand() < 0.8 else 2 + int(rand() * 4)
            line = (
                f'{{"product_id":"{product}","country":"{country}","quantity":{quantity},'
                f'"ts":"{ts}"'
            )
            if n % 2:
                line += f',"order_id":"o{n:010d}","price_usd":{1 + n % 300}.5'
            out.append(line + "}\n")
            if len(out) >= 100_000:
                f.write("".join(out))
                out.clear()
        f.write("".join(out))
    return path


def sizes(conn) -> dict[str, int]:
    rows = conn.exec_driver_sql(
        "SELECT c.relname, pg_total_relation_size(c.oid), pg_relation_size(c.oid) "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND (c.relname LIKE 'order_%%' "
        "OR c.relname LIKE 'ux_order%%' OR c.relname LIKE 'ix_order%%')"
    )
    return {name: own for name, _total, own in rows if own}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000_000)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--file-events", type=int, default=5_000_000)
    parser.add_argument("--database", default=DEFAULT_URL, help="SQLAlchemy URL of PostgreSQL")
    parser.add_argument("--compare-raw", action="store_true", help="also score RU from raw events")
    parser.add_argument(
        "--lists-at",
        default="",
        help="also build all lists after these many events, e.g. 10000000,50000000",
    )
    args = parser.parse_args()
    schema = f"vitrina_bench_{uuid.uuid4().hex[:8]}"
    sep = "&" if "?" in args.database else "?"
    url = f"{args.database}{sep}options=-csearch_path%3D{schema}"
    rng = random.Random(15)
    with tempfile.TemporaryDirectory(prefix="vitrina-bench-events-pg-") as tmp:
        work = Path(tmp)
        settings = Settings(data_dir=work / "var", database_url=url)
        svc = Services(settings)
        db = svc.database
        with db.engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
            conn.commit()
        try:
            run(args, svc, work, rng)
        finally:
            db.dispose()
            from sqlalchemy import create_engine

            admin = create_engine(args.database, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
            admin.dispose()
            print(f"schema {schema} dropped")


def run(args: argparse.Namespace, svc: Services, work: Path, rng: random.Random) -> None:
    settings = svc.settings
    db = svc.database.ready()
    started = time.perf_counter()
    feed = write_feed(work / "feed.jsonl", products(args.products, rng))
    index_feed(feed, svc.indexing_engine, settings.ensure_data_dir(), analyzer=svc.analyzer)
    print(f"catalog: {args.products:,} products indexed in {time.perf_counter() - started:.1f}s")
    end = int(datetime(2026, 11, 27, tzinfo=UTC).timestamp())
    begin = end - 31 * 86_400
    files = max(1, -(-args.events // args.file_events))
    span = (end - begin) // files
    zones = timezones()
    ingesting = 0.0
    stored = done = 0
    checkpoints = {int(n) for n in args.lists_at.split(",") if n}
    counts = [min(args.file_events, args.events - k * args.file_events) for k in range(files)]
    seed = rng.randrange(1 << 30)

    def make(k: int) -> Future[Path]:
        path = work / f"events-{k}.jsonl"
        return writer.submit(
            write_events,
            path,
            counts[k],
            k * args.file_events,
            begin + k * span,
            span,
            args.products,
            random.Random(seed + k),
        )

    started_all = time.perf_counter()
    # The next file is written by another process while this one ingests.
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as writer:
        pending = make(0)
        for k in range(files):
            path = pending.result()
            if k + 1 < files:
                pending = make(k + 1)
            report = ingest_events(path, db, work, parallel=True, zones=zones)
            if k + 1 < files:
                path.unlink()
            ingesting += report.seconds
            stored += report.stored
            done += counts[k]
            print(
                f"file {k + 1}/{files}: {report.stored:,} stored, {report.duplicates:,} "
                f"duplicates, {report.rejected} rejected in {report.seconds:.1f}s = "
                f"{report.lines / report.seconds:,.0f} events/s (total {done:,}: "
                f"{done / ingesting:,.0f} events/s; wall {time.perf_counter() - started_all:.0f}s)",
                flush=True,
            )
            if any(done - counts[k] < n <= done for n in checkpoints) and done < args.events:
                lists(svc, zones, done, compare_raw=args.compare_raw)
    print(
        f"ingest: {stored:,} events in {ingesting:.0f}s = {stored / ingesting:,.0f} events/s "
        f"(files written alongside by another process)"
    )
    path = work / f"events-{files - 1}.jsonl"
    again = ingest_events(path, db, work, parallel=True, zones=zones)
    print(
        f"the last file again: {again.stored:,} stored, {again.duplicates:,} duplicates in "
        f"{again.seconds:.1f}s = {again.lines / again.seconds:,.0f} events/s"
    )
    started = time.perf_counter()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE order_events")
        conn.exec_driver_sql("VACUUM ANALYZE order_rollup")
    print(f"vacuum analyze: {time.perf_counter() - started:.1f}s")
    with db.connect() as conn:
        rollup_rows = conn.exec_driver_sql("SELECT count(*) FROM order_rollup").scalar_one()
        per_relation = sizes(conn)
    total = sum(per_relation.values())
    print(f"rollup: {rollup_rows:,} rows ({rollup_rows / max(stored, 1):.4f} per event)")
    for name, size in sorted(per_relation.items(), key=lambda item: -item[1]):
        print(f"  {name}: {size / 1e6:,.0f} MB = {size / max(stored, 1):.1f} bytes per event")
    print(f"  all: {total / 1e9:.2f} GB = {total / max(stored, 1):.1f} bytes per event")
    # Raw events past ~20M take minutes to score; the checkpoints compare them.
    # Raw events past ~20M take minutes to score; the checkpoints compare them.
    lists(svc, zones, done, compare_raw=args.compare_raw and done <= 20_000_000)


def lists(svc: Services, zones: dict[str, str], events: int, *, compare_raw: bool) -> None:
    """Time every country's list for DAY (from the rollup), and RU's scores alone."""
    db = svc.database
    started = time.perf_counter()
    built = svc.recommendations.build_all(DAY)
    seconds = time.perf_counter() - started
    items = sum(len(b.entries) for b in built)
    print(
        f"lists at {events:,} events: {len(built)} countries, {items} products for {DAY} in "
        f"{seconds:.2f}s ({seconds / len(built):.2f}s per country)",
        flush=True,
    )
    rules = Rules()
    started = time.perf_counter()
    rolled = country_scores(db, "RU", DAY, zones["RU"], rules)
    print(
        f"RU scores from the rollup: {len(rolled):,} products in "
        f"{time.perf_counter() - started:.2f}s",
        flush=True,
    )
    if compare_raw:
        started = time.perf_counter()
        raw = country_scores_from_events(db, "RU", DAY, zones["RU"], rules)
        print(
            f"RU scores from raw events: {len(raw):,} products in "
            f"{time.perf_counter() - started:.2f}s",
            flush=True,
        )


if __name__ == "__main__":
    main()
