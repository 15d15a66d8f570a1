"""Indexing throughput, including parsing, validation and analysis.

    python bench/bench_indexing.py [--copies 10]   # 10 copies = 1M products

Target: >= 20,000 products/s on 2 cores. CPU µs a product (the indexing process and
its workers) is the figure a busy machine blurs least.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
from pathlib import Path

from common import scaled_feed

from indexer.indexing import index_feed
from search.engines.embedded import EmbeddedEngine


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=1, help="repeat the 100k catalog (10 = 1M)")
    parser.add_argument("--data-dir", type=Path, default=None, help="keep the index here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = args.data_dir or Path(scratch) / "var"
        feed = scaled_feed(args.copies, Path(scratch))
        before = _cpu_seconds()
        report = index_feed(feed, EmbeddedEngine(data_dir / "index"), data_dir)
        cpu_us = (_cpu_seconds() - before) / max(report.upserts, 1) * 1e6
        size = sum(p.stat().st_size for p in (data_dir / "index").rglob("*") if p.is_file())
        print(
            f"indexed {report.upserts:,} products in {report.seconds:.1f} s: "
            f"{report.upserts / report.seconds:,.0f} products/s (target >= 20,000); "
            f"index {size / 1e6:.0f} MB; CPU {cpu_us:.0f} µs a product (process and workers)"
        )


def _cpu_seconds() -> float:
    """CPU of this process and of its children that ended (the indexing workers)."""
    own, children = (
        resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


if __name__ == "__main__":
    main()
