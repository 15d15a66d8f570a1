"""What merchandising costs a search: query rules, the search log, live synonyms.

    python bench/bench_tuning.py [--queries 2000] [--rules 1000] [--data-dir DIR]

The same queries run through the plain search service (the peer: no rules, no log)
and through the one the app serves (rules checked, synonyms kept live, every search
logged), interleaved in one process, with no rule, with `--rules` rules for other
queries, and with a rule matching every query. Prints p50/p95 of each and the cost of
queueing one search for the log.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from common import percentile, sample_queries, scaled_feed

from indexer.indexing import index_feed
from merchandising.rules import RuleError
from search.params import SearchParams
from search.service import SearchService
from vitrina.config import Settings
from vitrina.services import Services


def measure(pairs: list[tuple[str, SearchService]], queries: list[str]) -> dict[str, list[float]]:
    """Each query through each service, in a shuffled order per query; ms per search."""
    timings: dict[str, list[float]] = {name: [] for name, _ in pairs}
    rnd = random.Random(5)
    for q in queries:
        params = SearchParams(q=q)
        order = pairs[:]
        rnd.shuffle(order)
        for name, service in order:
            started = time.perf_counter()
            service.render(service.run(params))
            timings[name].append((time.perf_counter() - started) * 1000)
    return timings


def report(title: str, timings: dict[str, list[float]]) -> None:
    print(title)
    for name, values in timings.items():
        print(
            f"  {name:<34} p50 {percentile(values, 0.5):6.2f} ms   p95 {percentile(values, 0.95):6.2f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--rules", type=int, default=1000)
    parser.add_argument("--data-dir", type=Path, default=None, help="reuse an index built here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = args.data_dir or Path(scratch) / "var"
        # A fresh database each run (rules and the log); the index may be reused.
        database = f"sqlite:///{Path(scratch) / 'bench.sqlite3'}"
        services = Services(Settings(data_dir=data_dir, database_url=database))
        if not (data_dir / "index" / "CURRENT").exists():
            built = index_feed(scaled_feed(1, Path(scratch)), services.indexing_engine, data_dir)
            print(f"built index of {built.products:,} products in {built.seconds:.0f} s")
        served = services.search  # rules, live synonyms, the search log
        plain = SearchService(
            services.engine, services.registry, services.analyzer, services.understanding
        )
        queries = sample_queries(args.queries)
        # Warm both; query understanding (shared, cached per query) is then out of the figures.
        for q in sample_queries(1000, seed=99) + queries:
            served.run(SearchParams(q=q))
            plain.run(SearchParams(q=q))
        services.search_log.flush()
        pairs = [("plain service (peer)", plain), ("served: rules + live synonyms + log", served)]
        report(f"{services.engine.product_count():,} products, {len(queries)} queries, no rules:",
               measure(pairs, queries))  # fmt: skip

        products = [hit.id for hit in plain.run(SearchParams(q="", per_page=20)).result.hits]
        for n in range(args.rules):
            services.rules.add(f"правило{n} товар{n}", "ru", promote=products[:3], user="bench")
        report(f"{args.rules} rules for other queries:", measure(pairs, queries))

        matched = random.Random(1).sample(queries, min(200, len(queries)))
        for q in list(matched):
            try:
                services.rules.add(q, "ru", promote=products[:3], hide=products[3:5], user="bench")
            except RuleError:  # nothing searchable in it ("для")
                matched.remove(q)
        for q in matched:  # warm the engine's caches for the new filters, as for the peer
            served.run(SearchParams(q=q))
        report(f"a rule for each of {len(matched)} queries (those queries only):",
               measure(pairs, matched))  # fmt: skip

        log = services.search_log
        started = time.perf_counter()
        for n in range(100_000):
            log.record("ru", "RU", "кожаная сумка", "кожаная сумка", n)
        per_call = (time.perf_counter() - started) / 100_000 * 1e6
        time.sleep(1.0)
        log.flush()
        print(f"queueing a search for the log: {per_call:.2f} µs; written {log.written:,}, "
              f"dropped {log.dropped:,} (queue bound {log.max_queued:,})")  # fmt: skip


if __name__ == "__main__":
    main()
