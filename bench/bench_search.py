"""Search latency through the service layer, in-process: query understanding,
filters, facets, 20 formatted results.

    python bench/bench_search.py [--copies 10] [--queries 2000]

Targets at 100k products: p50 <= 3 ms, p95 <= 10 ms; at 1M (--copies 10): p95 <= 25 ms.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from common import percentile, sample_queries, scaled_feed

from indexer.indexing import index_feed
from search.params import parse_search_params
from vitrina.config import Settings
from vitrina.services import Services

FILTER_MIXES = [
    {},
    {"category": "food"},
    {"price_max": "1500"},
    {"ships_from": "CN", "sort": "price_asc"},
    {"rating_min": "4", "price_min": "100"},
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--data-dir", type=Path, default=None, help="reuse an index built here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = args.data_dir or Path(scratch) / "var"
        services = Services(Settings(data_dir=data_dir))
        if not (data_dir / "index" / "CURRENT").exists():
            report = index_feed(
                scaled_feed(args.copies, Path(scratch)), services.indexing_engine, data_dir
            )
            print(f"built index of {report.products:,} products in {report.seconds:.0f} s")
        rnd = random.Random(3)
        requests = []
        for q in sample_queries(args.queries):
            params = {"q": q, "locale": "ru", "country": "RU", **rnd.choice(FILTER_MIXES)}
            requests.append(parse_search_params(params, services.registry))
        # warm the process (dictionaries, caches) on other queries than the measured ones
        for q in sample_queries(1000, seed=99):
            services.search.search(parse_search_params({"q": q}, services.registry))
        timings, found = [], 0
        for params in requests:
            started = time.perf_counter()
            answer = services.search.search(params)
            timings.append((time.perf_counter() - started) * 1000)
            found += answer["total"] > 0
        products = services.engine.product_count()
        print(
            f"{products:,} products, {len(requests)} queries (1-3 words, filters, facets): "
            f"p50 {percentile(timings, 0.5):.2f} ms, p95 {percentile(timings, 0.95):.2f} ms, "
            f"p99 {percentile(timings, 0.99):.2f} ms; {found / len(requests):.0%} found something"
        )


if __name__ == "__main__":
    main()
