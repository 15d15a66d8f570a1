"""Indexing throughput, including parsing, validation and analysis.

    python bench/bench_indexing.py [--copies 10] [--peer] [--rounds 1] [--warm]

`--copies 10` is 1M products. Every round indexes cold: a fresh data dir, so no
saved lemma cache. `--warm` then indexes the feed again over the same data dir, as a
daily reindex does (the lemmas and readings saved by the cold run are loaded). `--peer` also builds the peer's index (bench/peer.py: tantivy
with Snowball, one process) before each round and prints Vitrina's ratio to it; the
machine is shared and noisy, so only ratios measured in the same run mean much.

Target (issue 14): >= 0.35x the peer's build rate (ideally 0.5x) on 2 cores. CPU µs a
product (the indexing process and its workers, each printed) is the figure a busy machine
blurs least: on 2 cores the run is bound by their sum, wherever the work is done.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

from common import scaled_feed
from peer import build as build_peer

from indexer.indexing import index_feed
from search.analysis.analyzer import Analyzer
from search.engines.embedded import EmbeddedEngine
from search.understanding import transcription


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=1, help="repeat the 100k catalog (10 = 1M)")
    parser.add_argument("--data-dir", type=Path, default=None, help="keep the index here")
    parser.add_argument("--peer", action="store_true", help="build the peer's index too")
    parser.add_argument("--rounds", type=int, default=1, help="cold runs (medians are printed)")
    parser.add_argument("--warm", action="store_true", help="reindex each round's data dir again")
    args = parser.parse_args()
    ratios: dict[str, list[float]] = {"cold": [], "warm": []}
    with tempfile.TemporaryDirectory() as scratch:
        feed = scaled_feed(args.copies, Path(scratch))
        for round_ in range(args.rounds):
            peer_rate = None
            if args.peer:
                started = time.perf_counter()
                count = build_peer(feed, Path(scratch) / f"peer-{round_}")
                peer_rate = count / (time.perf_counter() - started)
            data_dir = args.data_dir or Path(scratch) / f"var-{round_}"
            for run in ("cold", "warm") if args.warm else ("cold",):
                rate = _index(feed, data_dir, run, peer_rate)
                if peer_rate is not None:
                    ratios[run].append(rate / peer_rate)
        for run, found in ratios.items():
            if len(found) > 1:
                print(
                    f"median {run} ratio to the peer over {len(found)} rounds: "
                    f"x{statistics.median(found):.2f}"
                )


def _index(feed: Path, data_dir: Path, run: str, peer_rate: float | None) -> float:
    """Index `feed` into `data_dir`, print the figures; products/s.

    As a new process would: a fresh analyzer and no transcription remembered (the
    morphology dictionaries, loaded once a process, are shared)."""
    transcription._MEMO.clear()
    before = _cpu_seconds()
    report = index_feed(feed, EmbeddedEngine(data_dir / "index"), data_dir, analyzer=Analyzer())
    own, workers = (
        (after - earlier) / max(report.upserts, 1) * 1e6
        for after, earlier in zip(_cpu_seconds(), before, strict=True)
    )
    cpu_us = own + workers
    index = data_dir / "index"
    size = sum(p.stat().st_size for p in index.rglob("*") if p.is_file())
    rate = report.upserts / report.seconds
    line = (
        f"{run}: indexed {report.upserts:,} products in {report.seconds:.1f} s: "
        f"{rate:,.0f} products/s; index {size / 1e6:.0f} MB; "
        f"CPU {cpu_us:.0f} µs a product ({own:.0f} indexing process, {workers:.0f} workers)"
    )
    if peer_rate is not None:
        line += f"; peer {peer_rate:,.0f}/s: x{rate / peer_rate:.2f}"
    print(line, flush=True)
    return rate


def _cpu_seconds() -> tuple[float, float]:
    """CPU of this process (its threads: tantivy's, the vocabulary's) and of its
    children that ended (the indexing workers)."""
    own, children = (
        resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


if __name__ == "__main__":
    main()
