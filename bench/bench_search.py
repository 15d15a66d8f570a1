"""Search latency through the service layer, in-process: query understanding,
filters, facets, 20 formatted results; beside the peer (bench/peer.py: tantivy with
Snowball, top 20 and one facet) on the same queries, interleaved, in the same run.

    python bench/bench_search.py [--copies 10] [--queries 2000] [--data-dir DIR]

Queries are unseen (none was run before); a fifth are damaged (wrong keyboard layout
or a typo), reported apart. Targets at 100k products: p50 <= 1 ms, p95 <= 3 ms; at 1M
(--copies 10): p95 <= 10 ms; damaged p95 <= 3x clean.
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from pathlib import Path

from common import damaged, percentile, sample_queries, scaled_feed
from peer import build as build_peer
from peer import open_index as open_peer
from peer import search as peer_search

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


def figures(timings: list[float]) -> str:
    return f"p50 {percentile(timings, 0.5):.2f} ms, p95 {percentile(timings, 0.95):.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--data-dir", type=Path, default=None, help="reuse an index built here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = args.data_dir or Path(scratch) / "var"
        services = Services(Settings(data_dir=data_dir))
        feed = scaled_feed(args.copies, Path(scratch))
        if not (data_dir / "index" / "CURRENT").exists():
            report = index_feed(feed, services.indexing_engine, data_dir)
            print(f"built index of {report.products:,} products in {report.seconds:.0f} s")
        peer_dir = data_dir / "peer"
        if not (peer_dir / "meta.json").exists():
            build_peer(feed, peer_dir)
        peer = open_peer(peer_dir)
        rnd = random.Random(3)
        requests = []
        for i, q in enumerate(sample_queries(args.queries)):
            kind = "damaged" if i % 5 == 4 else "clean"
            text = damaged(q, rnd) if kind == "damaged" else q
            raw = {"q": text, "locale": "ru", "country": "RU", **rnd.choice(FILTER_MIXES)}
            requests.append((kind, raw, parse_search_params(raw, services.registry)))
        # What `vitrina serve` does before a worker takes requests (dictionaries, index).
        started = time.perf_counter()
        services.search.warm_up()
        print(f"warm-up {time.perf_counter() - started:.2f} s")
        timings: dict[str, list[float]] = {"clean": [], "damaged": [], "peer": []}
        cpu: dict[str, list[float]] = {"clean": [], "damaged": [], "peer": []}
        found = 0
        for n, (kind, raw, params) in enumerate(requests):
            for turn in (0, 1) if n % 2 else (1, 0):  # who goes first alternates
                started, started_cpu = time.perf_counter(), time.thread_time()
                if turn == 0:
                    answer = services.search.search(params)
                    found += answer["total"] > 0
                else:
                    peer_search(peer, raw)
                    kind = "peer"
                timings[kind].append((time.perf_counter() - started) * 1000)
                cpu[kind].append((time.thread_time() - started_cpu) * 1000)
                kind = requests[n][0]
        products = services.engine.product_count()
        ours = timings["clean"] + timings["damaged"]
        theirs = timings["peer"]
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{products:,} products, {len(requests)} unseen queries (1-3 words, filters, facets, "
            f"1/5 damaged); {found / len(requests):.0%} found something; max RSS {rss:.0f} MB\n"
            f"  vitrina, all:     {figures(ours)}, p99 {percentile(ours, 0.99):.2f} ms\n"
            f"  vitrina, clean:   {figures(timings['clean'])}\n"
            f"  vitrina, damaged: {figures(timings['damaged'])}; damaged/clean p95 "
            f"x{percentile(timings['damaged'], 0.95) / percentile(timings['clean'], 0.95):.2f}\n"
            f"  peer (tantivy + Snowball, top 20 + 1 facet): {figures(theirs)}\n"
            f"  vitrina/peer: p50 x{percentile(ours, 0.5) / percentile(theirs, 0.5):.1f}, "
            f"p95 x{percentile(ours, 0.95) / percentile(theirs, 0.95):.1f}"
        )
        # CPU time of the searching thread: what the figures would be on an idle machine.
        ours_cpu = cpu["clean"] + cpu["damaged"]
        print(
            f"CPU time (thread_time, robust to a busy machine):\n"
            f"  vitrina, all:     {figures(ours_cpu)}\n"
            f"  vitrina, clean:   {figures(cpu['clean'])}\n"
            f"  vitrina, damaged: {figures(cpu['damaged'])}; damaged/clean p95 "
            f"x{percentile(cpu['damaged'], 0.95) / percentile(cpu['clean'], 0.95):.2f}\n"
            f"  peer:             {figures(cpu['peer'])}\n"
            f"  vitrina/peer: p50 x{percentile(ours_cpu, 0.5) / percentile(cpu['peer'], 0.5):.1f}, "
            f"p95 x{percentile(ours_cpu, 0.95) / percentile(cpu['peer'], 0.95):.1f}"
        )


if __name__ == "__main__":
    main()
