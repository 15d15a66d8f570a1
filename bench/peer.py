"""The peer Vitrina is measured against: the least a Flask + tantivy shop search can be.

Snowball analysis inside tantivy (its own `russian` stemmer), the query parsed by
tantivy's query parser over title, brand and description, top 20 and one facet
(category), the same filters as the benchmark's queries. No query understanding,
no localization, no highlighting: what Vitrina adds must cost little beside it.

    python bench/peer.py build FEED.jsonl INDEX_DIR    # prints products/s
    PEER_INDEX=INDEX_DIR gunicorn -w 2 'peer:create_app()' --chdir bench
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
import tantivy

TOKENIZER = "ru_snowball"
TEXT_FIELDS = {"title": 3.0, "brand": 2.0, "description": 0.6}
WRITER_HEAP = 256 * 1024 * 1024


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    for name in TEXT_FIELDS:
        builder.add_text_field(name, stored=name == "title", tokenizer_name=TOKENIZER)
    builder.add_text_field("category", stored=True, fast=True, tokenizer_name="raw")
    builder.add_text_field("ships_from", fast=True, tokenizer_name="raw")
    builder.add_float_field("price_usd", stored=True, indexed=True, fast=True)
    return builder.build()


def russian() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stemmer("russian"))
        .build()
    )


def open_index(path: Path, *, create: bool = False) -> tantivy.Index:
    index = tantivy.Index(schema(), path=str(path), reuse=not create)
    index.register_tokenizer(TOKENIZER, russian())
    return index


def build(feed: Path, path: Path) -> int:
    """Index the feed (one process, tantivy's own writer threads); returns products."""
    path.mkdir(parents=True, exist_ok=True)
    index = open_index(path, create=True)
    writer = index.writer(WRITER_HEAP)
    count = 0
    with open(feed, "rb") as lines:
        for line in lines:
            if not line.strip():
                continue
            p = orjson.loads(line)
            doc = {
                "id": p["id"],
                "title": " ".join(p["title"].values()),
                "brand": p.get("brand") or "",
                "description": " ".join((p.get("description") or {}).values()),
                "category": p["category"],
                "ships_from": p.get("ships_from") or ["CN"],
                "price_usd": float(p["price_usd"]),
            }
            writer.add_json(orjson.dumps(doc).decode())
            count += 1
    writer.commit()
    writer.wait_merging_threads()
    return count


def search(index: tantivy.Index, args: Mapping[str, str]) -> dict[str, Any]:
    """The answer to one search: top 20, the total and the category facet."""
    s = index.schema
    clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
    q = args.get("q", "").strip()
    if q:
        text, _errors = index.parse_query_lenient(
            q, list(TEXT_FIELDS), field_boosts=TEXT_FIELDS, conjunction_by_default=True
        )
        clauses.append((tantivy.Occur.Must, text))
    for name in ("category", "ships_from"):
        if args.get(name):
            clauses.append((tantivy.Occur.Must, tantivy.Query.term_query(s, name, args[name])))
    low, high = _number(args.get("price_min")), _number(args.get("price_max"))
    if low is not None or high is not None:
        price = tantivy.Query.range_query(s, "price_usd", tantivy.FieldType.Float, low, high)
        clauses.append((tantivy.Occur.Must, price))
    query = tantivy.Query.boolean_query(clauses) if clauses else tantivy.Query.all_query()
    searcher = index.searcher()
    if args.get("sort") == "price_asc":
        found = searcher.search(
            query, 20, count=True, order_by_field="price_usd", order=tantivy.Order.Asc
        )
    else:
        found = searcher.search(query, 20, count=True)
    items = []
    for _score, address in found.hits:
        doc = searcher.doc(address)
        items.append(
            {
                "id": doc["id"][0],
                "title": doc["title"][0],
                "category": doc["category"][0],
                "price_usd": doc["price_usd"][0],
            }
        )
    facet = searcher.aggregate(query, {"category": {"terms": {"field": "category", "size": 30}}})
    buckets = facet.get("category", {}).get("buckets", [])
    return {
        "total": found.count,  # type: ignore[attr-defined]
        "items": items,
        "facets": {"category": [{"value": b["key"], "count": b["doc_count"]} for b in buckets]},
    }


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def create_app() -> Any:
    from flask import Flask, jsonify, request

    index = open_index(Path(os.environ["PEER_INDEX"]))
    app = Flask(__name__)

    @app.get("/api/v1/search")
    def search_view() -> Any:
        return jsonify(search(index, request.args))

    @app.get("/healthz")
    def health() -> Any:
        return jsonify({"status": "ok", "products": index.searcher().num_docs})

    return app


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "build":
        raise SystemExit(__doc__)
    started = time.perf_counter()
    products = build(Path(sys.argv[2]), Path(sys.argv[3]))
    seconds = time.perf_counter() - started
    print(f"{products} products in {seconds:.2f} s: {products / seconds:,.0f} products/s")
