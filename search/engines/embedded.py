"""The embedded engine: tantivy in-process, one index generation per full rebuild.

A rebuild writes a new generation directory, commits it, then atomically points
`CURRENT` at it (search/engines/generations.py); readers keep the generation they
opened until they see the new pointer, so nobody ever searches half an index.
"""

from __future__ import annotations

import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

import orjson
import tantivy

from ..documents import EVERYWHERE
from ..ranking import FIELD_BOOSTS
from ..saved import write_atomically
from .base import (
    TERM_FACETS,
    Change,
    EngineQuery,
    EngineResult,
    EngineUnavailable,
    FacetBucket,
    Filters,
    Hit,
    Removal,
    TextMatch,
    delivery_weights,
)
from .generations import Generations, os_errors

# Brand key -> label as the feed wrote it, per generation. A brand's place in it (from 1)
# is its `brand_id`: the brand facet counts those numbers, since counting brand_key's
# strings costs a term-dictionary lookup per bucket (~0.8 ms a search at 10k brands,
# against ~0.15 ms). Brands only ever join at the end, so ids stay put.
BRANDS_FILE = "brands.json"
FACET_CACHE_SIZE = 1024
CLAUSE_CACHE_SIZE = 1024  # ~1.3 KB each, mostly tantivy's own memory
QUERY_CACHE_SIZE = 256  # whole queries: their clauses, shared with the clause cache
# Brand ids counted per segment and returned (at least), then sorted by (count, key)
# and cut to the facet's size: the order Elasticsearch gives, ties included unless
# more brands than this tie at the cut.
BRAND_ID_BUCKETS = 64
BRAND_ID_SEGMENT_BUCKETS = 1024
WRITER_HEAP = 256 * 1024 * 1024
# A rebuild's indexing threads. The documents come from one Python thread at ~10-20k a
# second, which one tantivy thread keeps up with (~15 µs a document); a second one
# only costs CPU the analysis could use (~2-3 µs a document) and splits the index
# into two segments for every search to go through.
REBUILD_THREADS = 1
_FACET_FIELDS = {"category": "category", "brand": "brand_key", "ships_from": "ships_from"}
_SORT_FIELDS = {
    "price_asc": ("price_usd", tantivy.Order.Asc),
    "price_desc": ("price_usd", tantivy.Order.Desc),
    "orders": ("orders", tantivy.Order.Desc),
    "rating": ("rating", tantivy.Order.Desc),
}
_KEPT = "kept"  # the aggregation of the filtered category's bucket (see _one_pass)


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=False, tokenizer_name="raw", index_option="basic")
    for name in FIELD_BOOSTS:
        builder.add_text_field(name, tokenizer_name="whitespace", index_option="freq")
    for name in ("category", "brand_key", "ships_from", "ships_to"):
        builder.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
    for name in ("price_usd", "rating", "seller_rating", "boost"):
        builder.add_float_field(name, indexed=True, fast=True)
    builder.add_unsigned_field("orders", indexed=True, fast=True)
    builder.add_bytes_field("payload", stored=True, indexed=False, fast=False)
    # search.highlight.title_marks of the product (last: older indexes lack it)
    builder.add_bytes_field("marks", stored=True, indexed=False, fast=False)
    # the brand's place in BRANDS_FILE, 0 for none (after marks: older indexes lack it)
    builder.add_unsigned_field("brand_id", indexed=False, fast=True)
    return builder.build()


@dataclass(frozen=True)
class _Generation:
    """One opened index generation and what is read alongside it."""

    pointer: tuple[int, int]
    path: Path
    index: tantivy.Index
    brand_labels: dict[str, str]
    meta: str = ""  # the path of its meta.json, stat'ed on every search
    brand_keys: list[str] = field(default_factory=list)  # by brand_id - 1
    has_brand_ids: bool = False  # built with brand_id (older generations count brand_key)

    def __post_init__(self) -> None:
        if not self.meta:
            object.__setattr__(self, "meta", str(self.path / "meta.json"))
        self.brand_keys[:] = self.brand_labels
        try:
            with open(self.meta, encoding="utf-8") as meta:
                has_brand_ids = '"brand_id"' in meta.read()
        except FileNotFoundError:
            has_brand_ids = False
        object.__setattr__(self, "has_brand_ids", has_brand_ids)

    def brand_key(self, brand_id: int) -> str | None:
        """The key of `brand_id`; BRANDS_FILE is read again for a brand that joined
        since (another process's incremental update)."""
        if brand_id > len(self.brand_keys):
            self.brand_labels.update(_read_brand_labels(self.path))
            self.brand_keys[:] = self.brand_labels
        return self.brand_keys[brand_id - 1] if 0 < brand_id <= len(self.brand_keys) else None

    def stamp(self) -> tuple:
        """Changes whenever the visible documents may have changed (swap or commit)."""
        try:
            return (self.pointer, os.stat(self.meta).st_mtime_ns)
        except FileNotFoundError:
            return (self.pointer, 0)


class EmbeddedEngine:
    """SearchEngine over a tantivy index in `directory` (see base.SearchEngine)."""

    name = "embedded"

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.generations = Generations(self.directory)
        self.schema = build_schema()
        self._lock = threading.Lock()
        self._opened: _Generation | None = None
        self._seen_stamp: tuple | None = None
        # Facet counts of recent (query, filters): browsing and popular queries repeat.
        self._facet_cache: OrderedDict[tuple, tuple] = OrderedDict()
        # Query clauses of recent readings and filter sets (they hold no index state).
        self._clauses: dict[TextMatch | Filters, list[tuple[tantivy.Occur, tantivy.Query]]] = {}
        # Whole queries of recent (reading, filters): a search's facets reuse its query.
        self._queries: dict[tuple[TextMatch | None, Filters], tantivy.Query] = {}
        # Facets grouped by the filters they count with, per filter set (see _facet_groups).
        self._groups: dict[Filters, list[tuple[Filters, list[str]]]] = {}

    # -- reading --------------------------------------------------------------

    def _pointer_state(self) -> tuple[int, int] | None:
        return self.generations.pointer_state()

    def _generation(self) -> _Generation:
        state = self._pointer_state()
        opened = self._opened
        if opened is not None and opened.pointer == state:
            return opened
        with self._lock:
            if self._opened is not None and self._opened.pointer == state:
                return self._opened
            if state is None:
                raise EngineUnavailable("no search index yet: run `vitrina index FEED.jsonl`")
            path = self.generations.current_path()
            try:
                index = tantivy.Index.open(str(path))
            except (OSError, ValueError) as exc:
                raise EngineUnavailable(f"cannot open search index {path.name}: {exc}") from exc
            self._opened = _Generation(state, path, index, _read_brand_labels(path))
            self._facet_cache.clear()
            return self._opened

    def _searcher(
        self, generation: _Generation | None = None, stamp: tuple | None = None
    ) -> tantivy.Searcher:
        """A searcher that sees the latest commit, also one made by another process
        (`stamp`: the generation's, when the caller just read it)."""
        generation = generation or self._generation()
        stamp = stamp or generation.stamp()
        if stamp != self._seen_stamp:
            generation.index.reload()
            self._seen_stamp = stamp
        return generation.index.searcher()

    def search(self, query: EngineQuery) -> EngineResult:
        generation = self._generation()
        stamp = generation.stamp()  # read once: the searcher and the facet cache's key
        searcher = self._searcher(generation, stamp)
        main = self._query(query.text, query.filters)
        if query.sort in _SORT_FIELDS:
            field, order = _SORT_FIELDS[query.sort]
            result = searcher.search(
                main,
                query.limit,
                count=True,
                offset=query.offset,
                order_by_field=field,
                order=order,
            )
        elif query.sort == "delivery" and query.delivery_tiers:
            ranked = self._by_delivery(main, query.delivery_tiers)
            result = searcher.search(
                ranked, query.limit, count=True, offset=query.offset, weight_by_field="boost"
            )
        elif query.text is None:
            result = searcher.search(
                main, query.limit, count=True, offset=query.offset, order_by_field="boost"
            )
        else:
            result = searcher.search(
                main, query.limit, count=True, offset=query.offset, weight_by_field="boost"
            )
        hits = []
        scored = query.text is not None and query.sort == "relevance"
        with_marks = query.text is not None
        loads, doc = orjson.loads, searcher.doc
        for key, address in result.hits:
            stored = doc(address)
            payload = loads(stored["payload"][0])
            marks = stored.get_first("marks") if with_marks else None
            hits.append(
                Hit(
                    payload["id"],
                    float(key) if scored else 0.0,
                    payload,
                    loads(marks) if marks else None,
                )
            )
        # `count` is missing from tantivy's type stub, not from its SearchResult.
        engine_result = EngineResult(total=result.count or 0, hits=hits)  # type: ignore[attr-defined]
        if query.with_facets:
            key = (stamp, query.text, query.filters, query.facet_size)
            cached = self._facet_cache.get(key)
            if cached is None:
                cached = self._facets(searcher, query, generation, engine_result.total)
                with self._lock:
                    self._facet_cache[key] = cached
                    while len(self._facet_cache) > FACET_CACHE_SIZE:
                        self._facet_cache.popitem(last=False)
            engine_result.facets, engine_result.price_usd_range = cached
        return engine_result

    def count(self, query: EngineQuery) -> int:
        searcher = self._searcher()
        # tantivy's collector needs a limit of at least 1 even when only counting
        result = searcher.search(self._query(query.text, query.filters), 1, count=True)
        return result.count or 0  # type: ignore[attr-defined]

    def _facets(
        self,
        searcher: tantivy.Searcher,
        query: EngineQuery,
        generation: _Generation,
        total: int,
    ) -> tuple[dict[str, list[FacetBucket]], tuple[float, float] | None]:
        """Each facet counts with every filter but its own, grouped to share requests;
        the facets of the query's own filters are empty without asking when it found
        nothing (`total`). A query filtered by one category counts in one aggregation
        (see _one_pass)."""
        groups = self._facet_groups(query.filters)
        if total and len(groups) == 2:
            one = self._one_pass(searcher, query, generation, groups)
            if one is not None:
                return one
        facets: dict[str, list[FacetBucket]] = {}
        price_range = None
        for filters, group in groups:
            if not total and filters == query.filters:
                facets.update((facet, []) for facet in group if facet != "price")
                continue
            aggs = self._facet_aggs(group, query.facet_size, generation)
            answer = searcher.aggregate(self._query(query.text, filters), aggs)
            counted = _read_facets(answer, group, query.facet_size, generation, facets)
            price_range = counted or price_range
        return facets, price_range

    def _one_pass(
        self,
        searcher: tantivy.Searcher,
        query: EngineQuery,
        generation: _Generation,
        groups: list[tuple[Filters, list[str]]],
    ) -> tuple[dict[str, list[FacetBucket]], tuple[float, float] | None] | None:
        """The facets of a query filtered by one category (and no other facet's filter),
        in one aggregation over the query without that filter: the category facet at
        the top, the others inside the category's own bucket (a terms bucket of that
        one value), so they count exactly the filtered products. None for any other
        query (~0.19 -> ~0.16 ms a category search; an origin or a price range kept
        the same way costs what two aggregations do: tantivy counts the other
        facets in the price ranges around the filter's too, and in other origins).
        """
        (apart, alone), (own, others) = sorted(groups, key=lambda g: g[0] == query.filters)
        if own != query.filters or alone != ["category"] or len(own.categories) != 1:
            return None
        size = query.facet_size
        aggs = self._facet_aggs(alone, size, generation)
        aggs[_KEPT] = {
            "terms": {"field": "category", "include": list(own.categories), "size": 1},
            "aggs": self._facet_aggs(others, size, generation),
        }
        answer = searcher.aggregate(self._query(query.text, apart), aggs)
        facets: dict[str, list[FacetBucket]] = {}
        _read_facets(answer, alone, size, generation, facets)
        kept = answer.get(_KEPT, {}).get("buckets") or [{}]
        price_range = _read_facets(kept[0], others, size, generation, facets)
        return facets, price_range

    @staticmethod
    def _facet_aggs(group: Sequence[str], size: int, generation: _Generation) -> dict[str, Any]:
        """The aggregations that count `group`'s facets."""
        aggs: dict[str, Any] = {}
        for facet in group:
            if facet == "price":
                aggs["price_stats"] = {"stats": {"field": "price_usd"}}
            elif facet == "brand" and generation.has_brand_ids:
                aggs[facet] = {
                    "terms": {
                        "field": "brand_id",
                        "size": max(BRAND_ID_BUCKETS, 2 * size),
                        "segment_size": BRAND_ID_SEGMENT_BUCKETS,
                    }
                }
            else:
                # segment_size bounds per-segment term lookups, the cost of a terms facet
                aggs[facet] = {
                    "terms": {"field": _FACET_FIELDS[facet], "size": size, "segment_size": size * 2}
                }
        return aggs

    def _facet_groups(self, filters: Filters) -> list[tuple[Filters, list[str]]]:
        """The facets grouped by the filters they count with (each facet's own left
        out), once per filter set."""
        groups = self._groups.get(filters)
        if groups is None:
            by_filters: dict[Filters, list[str]] = {}
            for facet in (*TERM_FACETS, "price"):
                by_filters.setdefault(filters.without(facet), []).append(facet)
            groups = list(by_filters.items())
            if len(self._groups) >= CLAUSE_CACHE_SIZE:
                self._groups.clear()
            self._groups[filters] = groups
        return groups

    def get_products(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        if not ids:
            return {}
        searcher = self._searcher()
        query = tantivy.Query.term_set_query(self.schema, "id", list(ids))
        result = searcher.search(query, len(ids), count=False)
        products = {}
        for _, address in result.hits:
            payload = orjson.loads(searcher.doc(address)["payload"][0])
            products[payload["id"]] = payload
        return products

    def product_count(self) -> int:
        return self._searcher().num_docs

    def health(self) -> dict[str, Any]:
        try:
            count = self.product_count()
        except EngineUnavailable as exc:
            return {"status": "down", "engine": self.name, "detail": str(exc)}
        return {"status": "ok", "engine": self.name, "products": count}

    # -- query building -------------------------------------------------------

    def _query(self, text: TextMatch | None, filters: Filters) -> tantivy.Query:
        """The query of a reading (None: browsing) and filters; kept for the facets'
        aggregations of the same search and the next search of the same query."""
        key = (text, filters)
        query = self._queries.get(key)
        if query is None:
            clauses = list(self._text_clauses(text)) if text is not None else []
            clauses.extend(self._filter_clauses(filters))
            if not clauses:
                query = tantivy.Query.all_query()
            else:
                if all(occur == tantivy.Occur.MustNot for occur, _ in clauses):
                    # a query of only MustNot clauses matches nothing
                    clauses.insert(0, (tantivy.Occur.Must, tantivy.Query.all_query()))
                query = tantivy.Query.boolean_query(clauses)
            if len(self._queries) >= QUERY_CACHE_SIZE:
                self._queries.clear()
            self._queries[key] = query
        return query

    def _text_clauses(self, text: TextMatch) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        """The clauses of the query words; built once per reading (a search and its
        facets, and the next shopper's same query, reuse them)."""
        cached = self._clauses.get(text)
        if cached is None:
            cached = [(tantivy.Occur.Must, self._group(group)) for group in text.required]
            cached += [(tantivy.Occur.Should, self._group(group)) for group in text.optional]
            self._remember_clauses(text, cached)
        return cached

    def _filter_clauses(self, filters: Filters) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        cached = self._clauses.get(filters)
        if cached is None:
            cached = [
                (tantivy.Occur.Must, tantivy.Query.const_score_query(clause, 0.0))
                for clause in self._filters(filters)
            ]
            if filters.exclude_ids:
                excluded = tantivy.Query.term_set_query(
                    self.schema, "id", list(filters.exclude_ids)
                )
                cached.append((tantivy.Occur.MustNot, excluded))
            self._remember_clauses(filters, cached)
        return cached

    def _remember_clauses(
        self, key: TextMatch | Filters, clauses: list[tuple[tantivy.Occur, tantivy.Query]]
    ) -> None:
        if len(self._clauses) >= CLAUSE_CACHE_SIZE:
            self._clauses.clear()
        self._clauses[key] = clauses

    def _by_delivery(
        self, main: tantivy.Query, tiers: tuple[tuple[str, ...], ...]
    ) -> tantivy.Query:
        """`main` scored by the fastest delivery group a product ships from (no text score)."""
        query = tantivy.Query
        groups = [
            query.const_score_query(
                query.term_set_query(self.schema, "ships_from", list(origins)), weight
            )
            for origins, weight in delivery_weights(tiers)
        ]
        return query.boolean_query(
            [
                (tantivy.Occur.Must, query.const_score_query(main, 0.0)),
                (tantivy.Occur.Should, query.disjunction_max_query(groups)),
            ]
        )

    def _group(self, terms: tuple[str, ...]) -> tantivy.Query:
        """One query word: any of its terms, in any text field, with field boosts."""
        alternatives = [
            tantivy.Query.boost_query(tantivy.Query.term_query(self.schema, field, term), boost)
            for field, boost in FIELD_BOOSTS.items()
            for term in terms
        ]
        return tantivy.Query.disjunction_max_query(alternatives, 0.1)

    def _filters(self, filters: Filters) -> list[tantivy.Query]:
        query = tantivy.Query
        result = []
        if filters.categories:
            result.append(self._any_of("category", filters.categories))
        if filters.brands:
            result.append(self._any_of("brand_key", filters.brands))
        if filters.ships_from:
            result.append(self._any_of("ships_from", filters.ships_from))
        if filters.ships_to:
            result.append(self._any_of("ships_to", (filters.ships_to, EVERYWHERE)))
        if filters.price_usd_min is not None or filters.price_usd_max is not None:
            result.append(
                query.range_query(
                    self.schema, "price_usd", tantivy.FieldType.Float,
                    filters.price_usd_min, filters.price_usd_max,
                )
            )  # fmt: skip
        if filters.rating_min is not None:
            result.append(
                query.range_query(
                    self.schema, "rating", tantivy.FieldType.Float, filters.rating_min, None
                )
            )
        return result

    def _any_of(self, field: str, values: Sequence[str]) -> tantivy.Query:
        """Documents with any of `values` in a keyword field.

        A union of term queries, not `term_set_query`: a term set fills a bitset of every
        matching document before the search starts (100k for "ships to RU or anywhere"),
        where a union is read lazily and skipped through by the text query it filters.
        """
        terms = [tantivy.Query.term_query(self.schema, field, value) for value in values]
        if len(terms) == 1:
            return terms[0]
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, term) for term in terms])

    # -- writing --------------------------------------------------------------

    def _document(self, doc: dict[str, Any], brand_id: int) -> tantivy.Document:
        fields = dict(doc)
        del fields["brand_label"]  # kept per generation in BRANDS_FILE, not in the index
        fields["brand_id"] = brand_id
        fields["payload"] = doc["payload"].encode("utf-8")
        fields["marks"] = fields.pop("title_marks", None) or b"{}"
        return tantivy.Document.from_dict(fields, self.schema)

    def rebuild(self, changes: Iterable[Change], check: Callable[[int], None] | None = None) -> int:
        with self.generations.building() as path:
            index = tantivy.Index(self.schema, path=str(path), reuse=False)
            writer = index.writer(WRITER_HEAP, num_threads=REBUILD_THREADS)
            labels: dict[str, str] = {}
            try:
                live = self._write(writer, changes, seen=set(), brand_labels=labels, brand_ids={})
                self._commit(writer)
            except BaseException:
                writer.rollback()  # stops its threads, which would write into a removed directory
                raise
            _write_brand_labels(path, labels)
            if check is not None:
                check(live)
            self.generations.swap(path)
        return live

    def _write(
        self,
        writer: tantivy.IndexWriter,
        changes: Iterable[Change],
        seen: set[str] | None,
        brand_labels: dict[str, str],
        brand_ids: dict[str, int],
    ) -> int:
        """Add changes in order; a repeated id deletes the earlier document first.

        `seen` tracks ids written in this batch (None: every id may already exist).
        A brand new to `brand_labels` joins it at the end, `brand_ids` (its place in
        `brand_labels`) with it. Returns the change in document count.
        """
        live = 0
        for change in changes:
            if isinstance(change, Removal):
                if seen is None or change.id in seen:
                    writer.delete_documents_by_term("id", change.id)
                    if seen is not None:
                        seen.discard(change.id)
                        live -= 1
                continue
            product_id = change["id"]
            if seen is None:
                writer.delete_documents_by_term("id", product_id)
            elif product_id in seen:
                writer.delete_documents_by_term("id", product_id)
                live -= 1
            else:
                seen.add(product_id)
            brand = change["brand_key"]
            if brand:
                brand_labels[brand] = change["brand_label"]
                brand_id = brand_ids.setdefault(brand, len(brand_ids) + 1)
            writer.add_document(self._document(change, brand_id if brand else 0))
            live += 1
        return live

    @staticmethod
    def _commit(writer: tantivy.IndexWriter) -> None:
        writer.commit()
        writer.wait_merging_threads()

    def apply_changes(self, changes: Iterable[Change]) -> int:
        if self._pointer_state() is None:
            return self.rebuild(changes)
        generation = self._generation()
        writer = generation.index.writer(WRITER_HEAP // 2, num_threads=1)
        labels = dict(generation.brand_labels)
        ids = {key: place for place, key in enumerate(labels, start=1)}
        applied = 0
        with os_errors(generation.path):  # a full disk is ENOSPC, not tantivy's "internal error"
            try:
                for change in changes:
                    self._write(writer, [change], seen=None, brand_labels=labels, brand_ids=ids)
                    applied += 1
                # Before the commit, so a reader that sees a new brand_id finds its key;
                # kept here too even if the commit fails: an id, once written, stays its
                # brand's (the file only ever grows at the end).
                _write_brand_labels(generation.path, labels)
                generation.brand_labels.update(labels)
                generation.brand_keys[:] = generation.brand_labels
                self._commit(writer)
            except BaseException:
                writer.rollback()
                raise
        generation.index.reload()
        return applied


def _read_facets(
    answer: dict[str, Any],
    group: Sequence[str],
    size: int,
    generation: _Generation,
    facets: dict[str, list[FacetBucket]],
) -> tuple[float, float] | None:
    """`group`'s facets from an aggregation's `answer` into `facets`; the price range
    when the group counts it and products have prices."""
    price_range = None
    for facet in group:
        if facet == "price":
            stats = answer.get("price_stats") or {}
            if stats.get("count"):
                price_range = (stats["min"], stats["max"])
            continue
        buckets = answer.get(facet, {}).get("buckets", [])
        if facet == "brand":
            facets[facet] = _brand_buckets(buckets, generation, size)
            continue
        facets[facet] = [
            FacetBucket(str(b["key"]), int(b["doc_count"])) for b in buckets if b["key"] != ""
        ]
    return price_range


def _brand_buckets(
    buckets: list[dict[str, Any]], generation: _Generation, size: int
) -> list[FacetBucket]:
    """The brand facet, from brand_id buckets (or brand_key's, in older generations):
    the most products first, then by key, as Elasticsearch orders them."""
    if generation.has_brand_ids:
        keys = generation.brand_keys  # brand_key() below reads new brands into this list
        ids = [int(b["key"]) for b in buckets]
        if ids and max(ids) > len(keys):
            generation.brand_key(max(ids))
        counted = [
            (keys[i - 1], b["doc_count"])
            for i, b in zip(ids, buckets, strict=True)
            if 0 < i <= len(keys)
        ]
    else:
        counted = [(b["key"], b["doc_count"]) for b in buckets if b["key"]]
    # by key, then (a stable sort) by count, most first: (-count, key) order
    counted.sort(key=itemgetter(0))
    counted.sort(key=itemgetter(1), reverse=True)
    labels = generation.brand_labels
    return [FacetBucket(key, int(count), labels.get(key)) for key, count in counted[:size]]


def _read_brand_labels(path: Path) -> dict[str, str]:
    try:
        return json.loads((path / BRANDS_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def _write_brand_labels(path: Path, labels: dict[str, str]) -> None:
    write_atomically(path / BRANDS_FILE, orjson.dumps(labels))
