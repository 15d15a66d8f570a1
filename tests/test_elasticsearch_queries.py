"""Elasticsearch request bodies and response reading, as dicts, without a server.

The bodies must say exactly what the embedded engine does: same words, fields,
boosts, filters, disjunctive facets, sorts and pages.
"""

from __future__ import annotations

import json
import socket
import threading

import pytest
from elasticsearch.dsl import Search

from search.catalog import Product, Seller
from search.documents import EVERYWHERE, index_document
from search.engines.base import (
    EngineQuery,
    EngineUnavailable,
    Filters,
    RejectedDocument,
    Removal,
    TextMatch,
)
from search.engines.elasticsearch import ElasticsearchEngine
from search.engines.elasticsearch.bulk import BulkOutcome, bulk_actions, source_document
from search.engines.elasticsearch.definition import (
    index_definition,
    loading_settings,
    new_index_name,
    serving_settings,
)
from search.engines.elasticsearch.engine import alias_swap
from search.engines.elasticsearch.queries import (
    MAX_RESULT_WINDOW,
    count_body,
    filter_clauses,
    group_query,
    products_body,
    search_body,
)
from search.engines.elasticsearch.responses import health_report, parse_products, parse_search
from search.params import MAX_PAGE, MAX_PER_PAGE
from search.ranking import FIELD_BOOSTS
from vitrina.config import Settings

BAG = TextMatch(required=(("сумка",),))
BAG_FILTER = {"terms": {"category": ["luggage_bags"]}}
RU = {"terms": {"ships_to": ["RU", "*"]}}


def well_formed(body: dict) -> dict:
    """The body, after checking the client's DSL can parse every query and aggregation."""
    Search.from_dict(body)
    return body


def bag_group() -> dict:
    return {
        "dis_max": {
            "queries": [
                {"term": {"title": {"value": "сумка", "boost": 3.0}}},
                {"term": {"brand": {"value": "сумка", "boost": 2.0}}},
                {"term": {"subcategory": {"value": "сумка", "boost": 1.5}}},
                {"term": {"description": {"value": "сумка", "boost": 0.6}}},
            ],
            "tie_breaker": 0.1,
        }
    }


# -- text ---------------------------------------------------------------------


def test_a_word_is_any_of_its_terms_in_any_field_with_the_ranking_boosts():
    group = group_query(("кожаный", "кожа"))["dis_max"]
    assert group["tie_breaker"] == 0.1
    expected = {
        (field, term, boost)
        for field, boost in FIELD_BOOSTS.items()
        for term in ("кожаный", "кожа")
    }
    found = {
        (field, spec["value"], spec["boost"])
        for clause in group["queries"]
        for field, spec in clause["term"].items()
    }
    assert found == expected


def test_relevance_multiplies_text_score_by_the_popularity_blend():
    body = well_formed(search_body(EngineQuery(text=BAG, with_facets=False)))
    assert body["query"] == {
        "function_score": {
            "query": {"bool": {"must": [bag_group()]}},
            "functions": [
                {"field_value_factor": {"field": "boost", "modifier": "ln2p", "missing": 0}}
            ],
            "boost_mode": "multiply",
        }
    }
    assert body["sort"] == ["_score", {"boost": "desc"}, {"id": "asc"}]
    assert body["track_scores"] is True
    assert body["track_total_hits"] is True
    assert body["_source"] == {"includes": ["payload"]}


def test_optional_words_only_add_to_the_score():
    text = TextMatch(required=(("сумка",),), optional=(("кожа",),))
    query = search_body(EngineQuery(text=text, with_facets=False))["query"]["function_score"][
        "query"
    ]
    assert query["bool"]["must"] == [bag_group()]
    assert query["bool"]["should"] == [group_query(("кожа",))]


def test_optional_only_words_must_match_one_unless_a_filter_restricts():
    text = TextMatch(required=(), optional=(("сумка",),))
    alone = search_body(EngineQuery(text=text, with_facets=False))["query"]["function_score"]
    assert alone["query"] == {"bool": {"should": [bag_group()]}}  # pure disjunction
    filtered = search_body(EngineQuery(text=text, filters=Filters(categories=("shoes",))))
    assert filtered["query"]["function_score"]["query"]["bool"]["filter"] == [{"match_all": {}}]
    assert filtered["post_filter"] == {"bool": {"filter": [{"terms": {"category": ["shoes"]}}]}}


def test_russian_fallback_is_an_extra_lower_alternative_of_each_word():
    group = group_query(("сумка",), russian_fallback=True)["dis_max"]["queries"]
    assert group[-1] == {"match": {"title_text": {"query": "сумка", "boost": 0.5}}}
    assert len(group) == len(FIELD_BOOSTS) + 1


# -- filters ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "clause"),
    [
        (Filters(categories=("shoes", "apparel")), {"terms": {"category": ["shoes", "apparel"]}}),
        (Filters(brands=("xiaomi",)), {"terms": {"brand_key": ["xiaomi"]}}),
        (Filters(ships_from=("RU", "CN")), {"terms": {"ships_from": ["RU", "CN"]}}),
        (Filters(ships_to="RU"), RU),
        (Filters(price_usd_min=5.0), {"range": {"price_usd": {"gte": 5.0}}}),
        (Filters(price_usd_max=50.0), {"range": {"price_usd": {"lte": 50.0}}}),
        (
            Filters(price_usd_min=5.0, price_usd_max=50.0),
            {"range": {"price_usd": {"gte": 5.0, "lte": 50.0}}},
        ),
        (Filters(rating_min=4.5), {"range": {"rating": {"gte": 4.5}}}),
        (Filters(exclude_ids=("c",)), {"bool": {"must_not": [{"ids": {"values": ["c"]}}]}}),
    ],
)
def test_each_filter_restricts_results_without_scoring(filters, clause):
    assert filter_clauses(filters) == [clause]
    assert count_body(EngineQuery(text=BAG, filters=filters)) == {
        "query": {"bool": {"must": [bag_group()], "filter": [clause]}}
    }
    plain = well_formed(search_body(EngineQuery(filters=filters, with_facets=False)))
    assert plain["query"] == {"bool": {"filter": [clause]}}
    assert "post_filter" not in plain


def test_with_facets_the_faceted_filters_move_to_the_post_filter():
    filters = Filters(
        categories=("luggage_bags",), ships_to="RU", rating_min=4.0, price_usd_max=9.0
    )
    body = well_formed(search_body(EngineQuery(text=BAG, filters=filters)))
    main = body["query"]["function_score"]["query"]["bool"]
    assert main["filter"] == [RU, {"range": {"rating": {"gte": 4.0}}}]
    assert body["post_filter"] == {
        "bool": {"filter": [BAG_FILTER, {"range": {"price_usd": {"lte": 9.0}}}]}
    }


def test_hidden_products_stay_out_of_the_facets_too():
    filters = Filters(categories=("luggage_bags",), exclude_ids=("c",))
    body = well_formed(search_body(EngineQuery(text=BAG, filters=filters)))
    main = body["query"]["function_score"]["query"]["bool"]
    assert main["filter"] == [{"bool": {"must_not": [{"ids": {"values": ["c"]}}]}}]
    assert body["post_filter"] == {"bool": {"filter": [BAG_FILTER]}}


def test_no_text_and_no_filter_matches_everything():
    assert count_body(EngineQuery()) == {"query": {"match_all": {}}}


# -- facets -------------------------------------------------------------------


def test_each_facet_counts_with_every_filter_but_its_own():
    filters = Filters(
        categories=("luggage_bags",), brands=("xiaomi",), ships_from=("RU",), price_usd_min=1.0
    )
    aggs = well_formed(search_body(EngineQuery(text=BAG, filters=filters, facet_size=7)))["aggs"]
    brand = {"terms": {"brand_key": ["xiaomi"]}}
    origin = {"terms": {"ships_from": ["RU"]}}
    price = {"range": {"price_usd": {"gte": 1.0}}}
    assert aggs["category"] == {
        "filter": {"bool": {"filter": [brand, origin, price]}},
        "aggs": {"values": {"terms": {"field": "category", "size": 7}}},
    }
    assert aggs["brand"] == {
        "filter": {"bool": {"filter": [BAG_FILTER, origin, price]}},
        "aggs": {
            "values": {
                "terms": {"field": "brand_key", "size": 7},
                "aggs": {"label": {"terms": {"field": "brand_label", "size": 1}}},
            }
        },
    }
    assert aggs["ships_from"]["filter"] == {"bool": {"filter": [BAG_FILTER, brand, price]}}
    assert aggs["ships_from"]["aggs"]["values"]["terms"]["field"] == "ships_from"
    assert aggs["price"] == {
        "filter": {"bool": {"filter": [BAG_FILTER, brand, origin]}},
        "aggs": {"stats": {"stats": {"field": "price_usd"}}},
    }


def test_no_facets_requested_means_no_aggregations():
    assert "aggs" not in search_body(EngineQuery(text=BAG, with_facets=False))


# -- sorting and pages --------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "first"),
    [
        ("price_asc", {"price_usd": "asc"}),
        ("price_desc", {"price_usd": "desc"}),
        ("orders", {"orders": "desc"}),
        ("rating", {"rating": "desc"}),
    ],
)
def test_field_sorts_break_ties_by_popularity_and_score_nothing(sort, first):
    body = well_formed(search_body(EngineQuery(text=BAG, sort=sort, with_facets=False)))
    assert body["sort"] == [first, {"boost": "desc"}, {"id": "asc"}]
    assert body["query"] == {"bool": {"must": [bag_group()]}}
    assert "track_scores" not in body


def test_delivery_sort_scores_the_fastest_origin_group_then_popularity():
    tiers = (("RU",), ("CN",), ("DE", "US"))
    query = EngineQuery(text=BAG, sort="delivery", delivery_tiers=tiers, with_facets=False)
    body = well_formed(search_body(query))
    assert body["sort"] == ["_score", {"boost": "desc"}, {"id": "asc"}]
    group = {"terms": {"ships_from": ["RU"]}}
    assert body["query"] == {
        "bool": {
            "filter": [{"bool": {"must": [bag_group()]}}],
            "should": [{"dis_max": {"tie_breaker": 0, "queries": [
                {"constant_score": {"filter": group, "boost": 8.0}},
                {"constant_score": {"filter": {"terms": {"ships_from": ["CN"]}}, "boost": 4.0}},
                {"constant_score": {"filter": {"terms": {"ships_from": ["DE", "US"]}},
                                    "boost": 2.0}},
            ]}}],
        }
    }  # fmt: skip


def test_browsing_orders_by_popularity():
    body = well_formed(search_body(EngineQuery(text=None)))
    assert body["sort"] == [{"boost": "desc"}, {"id": "asc"}]
    assert body["query"] == {"match_all": {}}


def test_pages_map_to_from_and_size_inside_the_result_window():
    body = search_body(EngineQuery(text=BAG, offset=40, limit=20))
    assert (body["from"], body["size"]) == (40, 20)
    assert MAX_RESULT_WINDOW == MAX_PAGE * MAX_PER_PAGE
    assert index_definition()["settings"]["index"]["max_result_window"] == MAX_RESULT_WINDOW
    last = search_body(EngineQuery(text=BAG, offset=(MAX_PAGE - 1) * MAX_PER_PAGE, limit=100))
    assert last["from"] + last["size"] == MAX_RESULT_WINDOW
    beyond = search_body(EngineQuery(text=BAG, offset=MAX_RESULT_WINDOW + 10, limit=20))
    assert (beyond["from"], beyond["size"]) == (MAX_RESULT_WINDOW, 0)


def test_products_are_fetched_by_id():
    assert products_body(["a", "b", "a"]) == {
        "query": {"ids": {"values": ["a", "b"]}},
        "size": 2,
        "_source": {"includes": ["payload"]},
    }


# -- documents and bulk -------------------------------------------------------


@pytest.fixture(scope="module")
def analyzer():
    from search.analysis.analyzer import default_analyzer

    return default_analyzer()


def product(**fields) -> Product:
    base = {"id": "p1", "title": {"ru": "Сумка женская кожаная", "en": "Leather bag"},
            "category": "luggage_bags", "price_usd": 19.5}  # fmt: skip
    return Product(**{**base, **fields})


def test_every_document_field_is_mapped(analyzer):
    mapped = set(index_definition()["mappings"]["properties"])
    doc = source_document(index_document(product(brand="Xiaomi"), analyzer))
    assert set(doc) <= mapped
    assert index_definition()["mappings"]["dynamic"] == "strict"


def test_source_keeps_the_payload_and_title_text(analyzer):
    item = product(brand="Xiaomi", seller=Seller("s1", 97.0))
    doc = source_document(index_document(item, analyzer))
    assert doc["payload"] == item.to_dict()
    assert doc["title_text"] == "Сумка женская кожаная Leather bag"
    assert (doc["brand_key"], doc["brand_label"]) == ("xiaomi", "Xiaomi")
    assert doc["ships_to"] == [EVERYWHERE]
    unbranded = source_document(index_document(product(), analyzer))
    assert "brand_key" not in unbranded and "brand_label" not in unbranded


def test_bulk_actions_replace_and_delete_in_feed_order(analyzer):
    doc = index_document(product(), analyzer)
    actions = list(bulk_actions([doc, Removal("p1"), doc], "vitrina-products-1"))
    assert [(a["_op_type"], a["_id"]) for a in actions] == [
        ("index", "p1"), ("delete", "p1"), ("index", "p1"),
    ]  # fmt: skip
    assert all(a["_index"] == "vitrina-products-1" for a in actions)
    assert actions[0]["_source"] == source_document(doc)


def test_bulk_outcome_counts_applied_and_reports_refused_documents():
    outcome = BulkOutcome()
    outcome.record(True, {"index": {"_id": "a", "status": 201, "result": "created"}})
    outcome.record(False, {"delete": {"_id": "gone", "status": 404, "result": "not_found"}})
    outcome.record(
        False,
        {
            "index": {
                "_id": "b",
                "status": 400,
                "error": {
                    "type": "document_parsing_exception",
                    "reason": "[1:20] failed to parse field [price_usd] of type [double]",
                    "caused_by": {
                        "type": "number_format_exception",
                        "reason": 'For input string: "x"',
                    },
                },
            }
        },
    )
    assert (outcome.applied, outcome.indexed) == (2, 1)
    assert outcome.rejected == [
        RejectedDocument(
            "b",
            "document_parsing_exception: [1:20] failed to parse field [price_usd] of type [double] "
            '(number_format_exception: For input string: "x")',
        )
    ]


# -- index lifecycle ----------------------------------------------------------


def test_loading_turns_replicas_and_refresh_off_and_serving_restores_them():
    loading = loading_settings()["index"]
    assert (loading["number_of_replicas"], loading["refresh_interval"]) == (0, "-1")
    assert loading["auto_expand_replicas"] == "false"  # a string, as the specification says
    assert loading["max_result_window"] == MAX_RESULT_WINDOW
    assert serving_settings() == {
        "index": {"refresh_interval": "1s", "auto_expand_replicas": "0-1"}
    }


def test_new_indices_are_unique_and_named_after_the_alias():
    first, second = new_index_name("vitrina-products"), new_index_name("vitrina-products")
    assert first != second and first.startswith("vitrina-products-20")


def test_the_alias_moves_in_one_update():
    assert alias_swap("shop", ["shop-1", "shop-2"], "shop-3") == [
        {"remove": {"index": "shop-1", "alias": "shop"}},
        {"remove": {"index": "shop-2", "alias": "shop"}},
        {"add": {"index": "shop-3", "alias": "shop"}},
    ]
    assert alias_swap("shop", [], "shop-1") == [{"add": {"index": "shop-1", "alias": "shop"}}]


# -- responses ----------------------------------------------------------------

PAYLOAD = {"id": "p1", "title": {"ru": "Сумка"}, "category": "luggage_bags", "price_usd": 19.5,
           "orders": 3, "ships_from": ["CN"]}  # fmt: skip
SEARCH_RESPONSE = {
    "took": 3,
    "timed_out": False,
    "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
    "hits": {
        "total": {"value": 41, "relation": "eq"},
        "max_score": None,
        "hits": [
            {
                "_index": "vitrina-products-20261127",
                "_id": "p1",
                "_score": 7.25,
                "_source": {"payload": PAYLOAD},
                "sort": [7.25, 1.2, "p1"],
            },
        ],  # fmt: skip
    },
    "aggregations": {
        "category": {
            "doc_count": 50,
            "values": {
                "doc_count_error_upper_bound": 0,
                "sum_other_doc_count": 0,
                "buckets": [
                    {"key": "luggage_bags", "doc_count": 41},
                    {"key": "shoes", "doc_count": 9},
                ],
            },
        },
        "brand": {
            "doc_count": 41,
            "values": {
                "doc_count_error_upper_bound": 0,
                "sum_other_doc_count": 0,
                "buckets": [
                    {
                        "key": "xiaomi",
                        "doc_count": 5,
                        "label": {"buckets": [{"key": "Xiaomi", "doc_count": 5}]},
                    },
                ],  # fmt: skip
            },
        },
        "ships_from": {"doc_count": 41, "values": {"buckets": [{"key": "CN", "doc_count": 41}]}},
        "price": {
            "doc_count": 41,
            "stats": {"count": 41, "min": 2.5, "max": 300.0, "avg": 40.1, "sum": 1644.1},
        },
    },
}


def test_a_search_response_becomes_hits_totals_and_facets():
    result = parse_search(SEARCH_RESPONSE, EngineQuery(text=BAG))
    assert result.total == 41
    assert [(h.id, h.score, h.product) for h in result.hits] == [("p1", 7.25, PAYLOAD)]
    assert [(b.value, b.count) for b in result.facets["category"]] == [
        ("luggage_bags", 41),
        ("shoes", 9),
    ]
    assert [(b.value, b.count, b.label) for b in result.facets["brand"]] == [
        ("xiaomi", 5, "Xiaomi")
    ]
    assert [(b.value, b.count) for b in result.facets["ships_from"]] == [("CN", 41)]
    assert result.price_usd_range == (2.5, 300.0)


def test_browse_and_field_sorts_report_no_score_and_empty_stats_no_range():
    response = json.loads(json.dumps(SEARCH_RESPONSE))
    response["hits"]["hits"][0]["_score"] = None
    response["aggregations"]["price"]["stats"] = {"count": 0, "min": None, "max": None}
    result = parse_search(response, EngineQuery(text=None))
    assert result.hits[0].score == 0.0
    assert result.price_usd_range is None
    assert parse_search(response, EngineQuery(text=None, with_facets=False)).facets == {}


def test_products_response_maps_ids_to_payloads():
    assert parse_products(SEARCH_RESPONSE) == {"p1": PAYLOAD}


def test_health_is_ok_on_a_green_or_single_node_yellow_cluster():
    cluster = {"cluster_name": "vitrina", "status": "yellow", "number_of_nodes": 1}
    assert health_report(cluster, 450) == {
        "status": "ok", "engine": "elasticsearch", "cluster": "yellow",
        "cluster_name": "vitrina", "nodes": 1, "products": 450,
    }  # fmt: skip
    assert health_report({**cluster, "status": "red"}, 450)["status"] == "down"
    missing = health_report(cluster, None, "no index yet")
    assert (missing["status"], missing["detail"]) == ("down", "no index yet")


# -- a cluster that is not there ---------------------------------------------


@pytest.fixture
def unreachable(tmp_path) -> ElasticsearchEngine:
    """A real client pointed at a port nobody listens on."""
    settings = Settings(data_dir=tmp_path, search_backend="elasticsearch",
                        elasticsearch_url="http://elastic:pw@127.0.0.1:9", web_search_timeout_s=0.5)  # fmt: skip
    return ElasticsearchEngine.from_settings(settings, timeout=0.5)


def test_a_down_cluster_is_unavailable_not_an_error(unreachable):
    with pytest.raises(EngineUnavailable, match="unreachable"):
        unreachable.search(EngineQuery(text=BAG))
    with pytest.raises(EngineUnavailable):
        unreachable.get_products(["p1"])
    with pytest.raises(EngineUnavailable):
        unreachable.rebuild([])


def test_health_of_a_down_cluster_says_down_without_raising(unreachable):
    health = unreachable.health()
    assert health["status"] == "down" and health["engine"] == "elasticsearch"
    assert "pw" not in json.dumps(health)  # credentials never leak into /healthz


class SilentServer:
    """Accepts connections and never answers, counting the requests that arrive."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.socket.accept()
            except OSError:
                return
            self.connections.append(conn)

    def close(self) -> None:
        self.socket.close()
        for conn in self.connections:
            conn.close()


def test_a_slow_cluster_times_out_after_one_retry_into_a_503(tmp_path):
    server = SilentServer()
    try:
        settings = Settings(data_dir=tmp_path, search_backend="elasticsearch",
                            elasticsearch_url=f"http://127.0.0.1:{server.port}")  # fmt: skip
        engine = ElasticsearchEngine.from_settings(settings, timeout=0.3)
        with pytest.raises(EngineUnavailable):
            engine.search(EngineQuery(text=BAG))
        assert len(server.connections) == 2  # the request and its one retry
    finally:
        server.close()
