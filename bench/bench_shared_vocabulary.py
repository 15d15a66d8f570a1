"""What sharing the query vocabulary through Elasticsearch costs, on the 100k catalog.

    python bench/bench_shared_vocabulary.py [--rounds 5]

Builds the vocabulary of the 100k catalog the way the indexer does, then, against the
team's loopback fake (../shared/tools/es-spec/fake_es.py, in this process), measures:
its size as JSON and compressed; publishing it (compress, parts, head, old parts
deleted); a web process's check when nothing changed (one head GET, against a bare
request to the same fake: the fake's HTTP round trip dominates both); loading a new
version (head, parts, checksum, parse); and, as the peer, loading the same vocabulary
from a local file as the embedded engine's web processes do. Figures are medians.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import zlib
from pathlib import Path

from common import require_catalog
from elasticsearch import Elasticsearch

from indexer.indexing import analyze_chunk
from indexer.inputs import numbered_chunks
from search.analysis.analyzer import default_analyzer
from search.engines.elasticsearch.shared import SharedVocabulary, SharedVocabularyStore
from search.vocabulary import Vocabulary, VocabularyBuilder

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.es_fake import FakeCluster  # noqa: E402


def median_s(work, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def build(catalog: Path) -> Vocabulary:
    analyzer, builder = default_analyzer(), VocabularyBuilder()
    with catalog.open("rb") as lines:
        for start, chunk in numbered_chunks(lines, 2000):
            _, batch = analyze_chunk(start, chunk, analyzer)
            builder.merge(batch)
    return builder.vocabulary()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    catalog = require_catalog()
    started = time.perf_counter()
    vocabulary = build(catalog)
    print(f"vocabulary of {vocabulary.products:,} products built in "
          f"{time.perf_counter() - started:.1f} s: {len(vocabulary.words):,} words, "
          f"{len(vocabulary.terms):,} terms, {len(vocabulary.readings):,} brand readings")  # fmt: skip
    raw = vocabulary.to_bytes()
    packed = zlib.compress(raw, 6)
    print(f"size: {len(raw) / 1e6:.1f} MB as JSON, {len(packed) / 1e6:.1f} MB compressed "
          f"({len(packed) / vocabulary.products:.0f} bytes a product)")  # fmt: skip

    cluster = FakeCluster()
    try:
        client = Elasticsearch(cluster.url, request_timeout=60)
        shared = SharedVocabulary(client, "vitrina-products")
        publish = median_s(lambda: shared.publish(vocabulary), args.rounds)
        store = SharedVocabularyStore(SharedVocabulary(client, "vitrina-products"), check_s=0)
        store.get()

        def new_version() -> None:
            store.version = None  # as if the indexer had published again
            store.get()

        load = median_s(new_version, args.rounds)
        check = median_s(store.get, args.rounds * 20)
        bare = median_s(client.cluster.health, args.rounds * 20)  # any one request, as peer
    finally:
        cluster.close()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "vocabulary.json"
        vocabulary.save(path)
        local = median_s(lambda: Vocabulary.load(path), args.rounds)
    print(f"publish (indexer):           {publish * 1000:8.0f} ms")
    print(f"check, unchanged (web):      {check * 1000:8.2f} ms  (at most once a second; "
          f"one bare request to the fake: {bare * 1000:.2f} ms)")  # fmt: skip
    print(f"load a new version (web):    {load * 1000:8.0f} ms")
    print(f"peer: load the local file:   {local * 1000:8.0f} ms  "
          f"(shared / local = {load / local:.2f})")  # fmt: skip


if __name__ == "__main__":
    main()
