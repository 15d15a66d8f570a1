"""Pure readers of Elasticsearch responses into the engine-neutral results of base.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..base import TERM_FACETS, EngineQuery, EngineResult, FacetBucket, Hit


def _total(hits: Mapping[str, Any]) -> int:
    total = hits.get("total", 0)
    return int(total.get("value", 0)) if isinstance(total, Mapping) else int(total or 0)


def _hit(raw: Mapping[str, Any], scored: bool) -> Hit:
    payload = dict(raw["_source"]["payload"])
    score = float(raw.get("_score") or 0.0) if scored else 0.0
    return Hit(str(payload.get("id", raw["_id"])), score, payload)


def _label(bucket: Mapping[str, Any]) -> str | None:
    inner = bucket.get("label", {}).get("buckets") or []
    return str(inner[0]["key"]) if inner else None


def facet_buckets(aggregation: Mapping[str, Any]) -> list[FacetBucket]:
    """Buckets of one facet's filter aggregation (empty keys are not a value)."""
    buckets = aggregation.get("values", {}).get("buckets", [])
    return [
        FacetBucket(str(b["key"]), int(b["doc_count"]), _label(b))
        for b in buckets
        if b["key"] != ""
    ]


def parse_search(response: Mapping[str, Any], query: EngineQuery) -> EngineResult:
    """An EngineResult from a _search response to queries.search_body(query)."""
    hits = response.get("hits", {})
    scored = query.text is not None and query.sort == "relevance"
    result = EngineResult(
        total=_total(hits), hits=[_hit(raw, scored) for raw in hits.get("hits", [])]
    )
    aggregations = response.get("aggregations") or {}
    if query.with_facets:
        for facet in TERM_FACETS:
            result.facets[facet] = facet_buckets(aggregations.get(facet, {}))
        stats = aggregations.get("price", {}).get("stats", {})
        if stats.get("count"):
            result.price_usd_range = (float(stats["min"]), float(stats["max"]))
    return result


def parse_products(response: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """id -> product payload from a response to queries.products_body."""
    products = {}
    for raw in response.get("hits", {}).get("hits", []):
        payload = dict(raw["_source"]["payload"])
        products[str(payload.get("id", raw["_id"]))] = payload
    return products


def health_report(cluster: Mapping[str, Any], products: int | None, detail: str = "") -> dict:
    """The engine's health: ok while the cluster serves (green, or yellow on one node)."""
    color = str(cluster.get("status", "unknown"))
    report: dict[str, Any] = {
        "status": "ok" if color in ("green", "yellow") and products is not None else "down",
        "engine": "elasticsearch",
        "cluster": color,
        "cluster_name": cluster.get("cluster_name"),
        "nodes": cluster.get("number_of_nodes"),
    }
    if products is not None:
        report["products"] = products
    if detail:
        report["detail"] = detail
    return report
