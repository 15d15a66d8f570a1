"""Pure builders of Elasticsearch request bodies from an EngineQuery (no I/O).

They mirror the embedded engine clause for clause: each required word is a
dis_max over (text field x term) with the field boosts of search.ranking and tie
breaker 0.1; optional words are should clauses; filters never score. Facets are
disjunctive: the faceted filters go to `post_filter`, and each facet's
aggregation applies every faceted filter but its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from search.params import MAX_PAGE, MAX_PER_PAGE

from ...ranking import FIELD_BOOSTS
from ..base import TERM_FACETS, EngineQuery, Filters, TextMatch, delivery_weights

MAX_RESULT_WINDOW = MAX_PAGE * MAX_PER_PAGE  # index.max_result_window in index.json
TIE_BREAKER = 0.1
FALLBACK_FIELD = "title_text"  # the original title text under the `russian` analyzer
FALLBACK_BOOST = 0.5
POPULARITY = {"field": "boost", "modifier": "ln2p", "missing": 0}
FACET_FIELDS = {"category": "category", "brand": "brand_key", "ships_from": "ships_from"}
FACETED_FILTERS = (*TERM_FACETS, "price")
_TIEBREAK_SORT: list[dict[str, Any]] = [{"boost": "desc"}, {"id": "asc"}]
FIELD_SORTS: dict[str, list[dict[str, Any]]] = {
    "price_asc": [{"price_usd": "asc"}, *_TIEBREAK_SORT],
    "price_desc": [{"price_usd": "desc"}, *_TIEBREAK_SORT],
    "orders": [{"orders": "desc"}, *_TIEBREAK_SORT],
    "rating": [{"rating": "desc"}, *_TIEBREAK_SORT],
}


def group_query(terms: Sequence[str], russian_fallback: bool = False) -> dict[str, Any]:
    """One query word: any of its terms in any text field, the best field counting most."""
    alternatives: list[dict[str, Any]] = [
        {"term": {field: {"value": term, "boost": boost}}}
        for field, boost in FIELD_BOOSTS.items()
        for term in terms
    ]
    if russian_fallback:
        alternatives.append(
            {"match": {FALLBACK_FIELD: {"query": " ".join(terms), "boost": FALLBACK_BOOST}}}
        )
    return {"dis_max": {"queries": alternatives, "tie_breaker": TIE_BREAKER}}


def filter_clauses(filters: Filters, only: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Non-scoring clauses for `filters`; `only` limits them to the named filters.

    Names: category, brand, ships_from, price (the faceted ones), rating, ships_to, ids
    (the products query rules hide).
    """

    def wanted(name: str) -> bool:
        return only is None or name in only

    clauses: list[dict[str, Any]] = []
    if filters.exclude_ids and wanted("ids"):
        clauses.append({"bool": {"must_not": [{"ids": {"values": list(filters.exclude_ids)}}]}})
    if filters.categories and wanted("category"):
        clauses.append({"terms": {"category": list(filters.categories)}})
    if filters.brands and wanted("brand"):
        clauses.append({"terms": {"brand_key": list(filters.brands)}})
    if filters.ships_from and wanted("ships_from"):
        clauses.append({"terms": {"ships_from": list(filters.ships_from)}})
    if filters.ships_to and wanted("ships_to"):
        clauses.append({"terms": {"ships_to": [filters.ships_to, "*"]}})
    if (filters.price_usd_min is not None or filters.price_usd_max is not None) and wanted("price"):
        bounds = {}
        if filters.price_usd_min is not None:
            bounds["gte"] = filters.price_usd_min
        if filters.price_usd_max is not None:
            bounds["lte"] = filters.price_usd_max
        clauses.append({"range": {"price_usd": bounds}})
    if filters.rating_min is not None and wanted("rating"):
        clauses.append({"range": {"rating": {"gte": filters.rating_min}}})
    return clauses


def _has_filters(filters: Filters) -> bool:
    return bool(filter_clauses(filters))


def match_query(
    text: TextMatch | None,
    filters: Filters,
    filter_names: Sequence[str] | None = None,
    russian_fallback: bool = False,
) -> dict[str, Any]:
    """Text groups plus the filters named in `filter_names` (all by default)."""
    clauses = filter_clauses(filters, filter_names)
    if text is None or not (text.required or text.optional):
        return {"bool": {"filter": clauses}} if clauses else {"match_all": {}}
    query: dict[str, Any] = {}
    if text.required:
        query["must"] = [group_query(g, russian_fallback) for g in text.required]
    if text.optional:
        query["should"] = [group_query(g, russian_fallback) for g in text.optional]
    if clauses:
        query["filter"] = clauses
    elif not text.required and _has_filters(filters):
        # As in the embedded engine, optional words stop being required once any filter
        # restricts the match, even one applied later as the post_filter.
        query["filter"] = [{"match_all": {}}]
    return {"bool": query}


def payload_only() -> dict[str, Any]:
    """`_source` filtering in its long form (the specification has no list shorthand)."""
    return {"includes": ["payload"]}


def _scored(query: dict[str, Any]) -> dict[str, Any]:
    """Multiply text relevance by log(2 + boost), the popularity blend of search.ranking.

    One function in `functions` (the form the specification defines) scores exactly
    as the inline shorthand would.
    """
    return {
        "function_score": {
            "query": query,
            "functions": [{"field_value_factor": dict(POPULARITY)}],
            "boost_mode": "multiply",
        }
    }


def _by_delivery(query: dict[str, Any], tiers: tuple[tuple[str, ...], ...]) -> dict[str, Any]:
    """`query` (not scoring) scored by the fastest delivery group a product ships from,
    as the embedded engine does: the best group's constant score, 0 for none."""
    groups = [
        {"constant_score": {"filter": {"terms": {"ships_from": list(origins)}}, "boost": weight}}
        for origins, weight in delivery_weights(tiers)
    ]
    return {
        "bool": {"filter": [query], "should": [{"dis_max": {"queries": groups, "tie_breaker": 0}}]}
    }


def sort_clause(query: EngineQuery) -> list[Any]:
    if query.sort == "delivery" and query.delivery_tiers:
        return ["_score", *_TIEBREAK_SORT]
    if query.sort in FIELD_SORTS:
        return FIELD_SORTS[query.sort]
    if query.text is None:
        return list(_TIEBREAK_SORT)  # browsing: the most popular first
    return ["_score", *_TIEBREAK_SORT]


def page_window(offset: int, limit: int) -> tuple[int, int]:
    """(from, size) kept inside index.max_result_window."""
    start = min(max(offset, 0), MAX_RESULT_WINDOW)
    return start, max(0, min(limit, MAX_RESULT_WINDOW - start))


def facet_aggregations(query: EngineQuery) -> dict[str, Any]:
    """One filter aggregation per facet, holding every faceted filter but its own."""
    aggs: dict[str, Any] = {}
    for facet in FACETED_FILTERS:
        others = [name for name in FACETED_FILTERS if name != facet]
        scope = {"bool": {"filter": filter_clauses(query.filters, others)}}
        if facet == "price":
            inner: dict[str, Any] = {"stats": {"stats": {"field": "price_usd"}}}
        else:
            terms: dict[str, Any] = {
                "terms": {"field": FACET_FIELDS[facet], "size": query.facet_size}
            }
            if facet == "brand":
                terms["aggs"] = {"label": {"terms": {"field": "brand_label", "size": 1}}}
            inner = {"values": terms}
        aggs[facet] = {"filter": scope, "aggs": inner}
    return aggs


def search_body(query: EngineQuery, russian_fallback: bool = False) -> dict[str, Any]:
    """The _search body for one page of results (and its facets when asked)."""
    start, size = page_window(query.offset, query.limit)
    if query.with_facets:
        unfaceted = ("rating", "ships_to", "ids")
        main = match_query(query.text, query.filters, unfaceted, russian_fallback)
        faceted = filter_clauses(query.filters, FACETED_FILTERS)
    else:
        main = match_query(query.text, query.filters, None, russian_fallback)
        faceted = []
    relevance = query.text is not None and query.sort == "relevance"
    if relevance:
        main = _scored(main)
    elif query.sort == "delivery" and query.delivery_tiers:
        main = _by_delivery(main, query.delivery_tiers)
    body: dict[str, Any] = {
        "query": main,
        "from": start,
        "size": size,
        "sort": sort_clause(query),
        "track_total_hits": True,
        "_source": payload_only(),
    }
    if relevance:
        body["track_scores"] = True
    if faceted:
        body["post_filter"] = {"bool": {"filter": faceted}}
    if query.with_facets:
        body["aggs"] = facet_aggregations(query)
    return body


def count_body(query: EngineQuery, russian_fallback: bool = False) -> dict[str, Any]:
    """The _count body: text and every filter, no scoring."""
    return {"query": match_query(query.text, query.filters, None, russian_fallback)}


def products_body(ids: Sequence[str]) -> dict[str, Any]:
    """A _search body fetching the payloads of `ids` (document _id is the product id)."""
    unique = list(dict.fromkeys(ids))
    return {
        "query": {"ids": {"values": unique}},
        "size": len(unique),
        "_source": payload_only(),
    }
