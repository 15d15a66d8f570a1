"""What Vitrina itself costs per product on the way to Elasticsearch, at 1M products.

    python bench/bench_es_bulk.py [--copies 10] [--workers 4] [--sample 50000]

No Elasticsearch runs here: the team's loopback fake (../shared/tools/es-spec/fake_es.py)
answers in a separate process, acknowledging bulk requests without storing them, so
the figures are Vitrina's own CPU per product, not a cluster's:

1. analysis: parse + validate + lemmatize + build the index document (the indexer's
   per-line work), on the first `--sample` lines (unique titles; the copies of the
   catalog repeat titles, which flatters the lemma cache);
2. bulk encoding: the document's _source and its bulk action lines as JSON, with the
   stdlib and with orjson (what the engine's client uses);
3. the Elasticsearch side alone: a rebuild from those ready documents (bulk loader,
   client, HTTP, answers), CPU per product and products per second;
4. a full rebuild of `--copies` x 100k products through `vitrina index`'s own code
   (index_feed with the Elasticsearch engine): wall time, CPU of the bulk side (this
   process) and of the analysis workers (child processes), and peak memory.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import multiprocessing
import resource
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

from common import ROOT, require_catalog, scaled_feed
from elasticsearch import Elasticsearch

from indexer.indexing import analyze_chunk, index_feed
from search.analysis.analyzer import default_analyzer
from search.engines.elasticsearch import ElasticsearchEngine
from search.engines.elasticsearch.bulk import bulk_actions
from search.engines.elasticsearch.engine import json_serializer
from search.engines.elasticsearch.loader import BulkPolicy

ES_SPEC = ROOT.parent / "shared" / "tools" / "es-spec"


def serve_fake(ports: multiprocessing.Queue) -> None:
    """The shared fake, answering _bulk without keeping documents or the request log."""
    spec = importlib.util.spec_from_file_location("fake_es", ES_SPEC / "fake_es.py")
    assert spec is not None and spec.loader is not None
    fake = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fake)
    from http.server import ThreadingHTTPServer

    state = fake.State()
    base = fake.make_handler(state)

    class Lean(base):  # type: ignore[misc, valid-type]
        def _route(self, entry):
            state.log.clear()  # a million documents would not fit in the log
            if entry["path"].endswith("/_bulk"):
                items = []
                for line in entry["body"].splitlines():
                    if line.startswith('{"index"') or line.startswith('{"delete"'):
                        ((op, meta),) = json.loads(line).items()
                        items.append({op: {"_id": meta["_id"], "status": 201, "result": "created"}})
                return 200, {"took": 1, "errors": False, "items": items}
            if entry["path"].startswith("/_cluster/health/"):
                return 200, {"status": "green", "timed_out": False}
            if entry["path"].endswith("/_count"):
                return 200, {"count": 0}
            return super()._route(entry)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Lean)
    ports.put(server.server_address[1])
    server.serve_forever()


def analysis_cost(feed: Path, sample: int) -> tuple[float, list[dict]]:
    """CPU µs per product for the indexer's per-line work, and the documents made."""
    analyzer = default_analyzer()
    with open(feed, "rb") as f:
        lines = list(islice(f, sample))
    started = time.process_time()
    documents = []
    for start in range(0, len(lines), 2000):
        outcomes, _, _ = analyze_chunk(start + 1, lines[start : start + 2000], analyzer)
        documents.extend(value for kind, _, value in outcomes if kind == "doc")
    return (time.process_time() - started) / len(lines) * 1e6, documents


def encoding_cost(documents: list[dict]) -> dict[str, tuple[float, float]]:
    """CPU µs and bytes per document for its bulk lines, per JSON encoder."""
    encoders = {"json (stdlib)": lambda data: json.dumps(data, ensure_ascii=False).encode()}
    fast = json_serializer()
    if fast is not None:
        encoders["orjson (used)"] = fast.dumps
    costs = {}
    for name, dumps in encoders.items():
        started, size = time.process_time(), 0
        for action in bulk_actions(documents, "bench"):
            meta = {action["_op_type"]: {"_index": action["_index"], "_id": action["_id"]}}
            size += len(dumps(meta)) + len(dumps(action["_source"])) + 2
        seconds = time.process_time() - started
        costs[name] = (seconds / len(documents) * 1e6, size / len(documents))
    return costs


def engine_for(url: str, workers: int) -> ElasticsearchEngine:
    client = Elasticsearch(url, request_timeout=120, serializer=json_serializer())
    return ElasticsearchEngine(client, "bench-products", bulk=BulkPolicy(workers=workers))


def bulk_side(documents: list[dict], url: str, workers: int) -> None:
    """A rebuild from analyzed documents: what the Elasticsearch engine adds per product."""
    engine = engine_for(url, workers)
    started, cpu = time.perf_counter(), time.process_time()
    engine.rebuild(documents)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"Elasticsearch side alone ({len(documents):,} analyzed products, {workers} bulk "
        f"workers): {cpu / len(documents) * 1e6:.1f} µs CPU per product, "
        f"{len(documents) / seconds:,.0f} products/s"
    )


def full_rebuild(feed: Path, url: str, workers: int, scratch: Path) -> None:
    engine = engine_for(url, workers)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu_before = time.process_time()
    report = index_feed(feed, engine, scratch / "var")
    own_cpu = time.process_time() - cpu_before
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    products = report.upserts
    print(
        f"rebuild of {products:,} products through index_feed + ElasticsearchEngine "
        f"({workers} bulk workers): {report.seconds:.1f} s wall, "
        f"{products / report.seconds:,.0f} products/s"
    )
    print(
        f"  CPU per product: bulk side (this process) {own_cpu / products * 1e6:.1f} µs, "
        f"analysis workers {(children.ru_utime + children.ru_stime) / products * 1e6:.1f} µs"
    )
    print(
        f"  peak memory of this process: {rss_after / 1024:.0f} MB "
        f"(before the rebuild {rss_before / 1024:.0f} MB): bounded, not per product"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=10, help="100k catalog copies (10 = 1M)")
    parser.add_argument("--workers", type=int, default=4, help="bulk requests in flight")
    parser.add_argument("--sample", type=int, default=50_000, help="lines for the unit costs")
    args = parser.parse_args()
    require_catalog()
    if not (ES_SPEC / "fake_es.py").exists():
        raise SystemExit(f"{ES_SPEC} is absent: this benchmark needs the team's fake_es.py")
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir)
        feed = scaled_feed(args.copies, scratch)
        per_product, documents = analysis_cost(feed, args.sample)
        print(f"analysis (parse, validate, lemmatize, document): {per_product:.1f} µs CPU "
              f"per product on {len(documents):,} unique products")  # fmt: skip
        for name, (micros, size) in encoding_cost(documents).items():
            print(f"bulk encoding, {name}: {micros:.1f} µs CPU and {size:,.0f} bytes per product")
        ports: multiprocessing.Queue = multiprocessing.get_context("spawn").Queue()
        fake = multiprocessing.get_context("spawn").Process(
            target=serve_fake, args=(ports,), daemon=True
        )
        fake.start()
        try:
            url = f"http://127.0.0.1:{ports.get(timeout=30)}"
            bulk_side(documents, url, args.workers)
            del documents
            full_rebuild(feed, url, args.workers, scratch)
        finally:
            fake.terminate()


if __name__ == "__main__":
    sys.exit(main())
