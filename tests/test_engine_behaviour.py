"""One behaviour suite, run against every engine: what a shopper sees must not depend on it.

The Elasticsearch run needs a server: `ELASTICSEARCH_URL=http://localhost:9200
ELASTICSEARCH_USERNAME=elastic ELASTICSEARCH_PASSWORD=… pytest -m elasticsearch`. Each test gets its own alias and deletes its indices after.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from search.analysis.analyzer import Analyzer, default_analyzer
from search.catalog import Product, Seller
from search.documents import index_document
from search.engines.base import EngineQuery, EngineUnavailable, Filters, Removal, SearchEngine
from search.rules import admits
from search.understanding.pipeline import text_match
from vitrina.config import Settings

ES_URL = os.environ.get("ELASTICSEARCH_URL")
RUN = uuid.uuid4().hex[:8]

CATALOG = [
    Product("bag-leather", {"ru": "Сумка женская кожаная", "en": "Women's leather bag"},
            "luggage_bags", 30.0, brand="Kanzler", rating=4.8, orders=1500,
            seller=Seller("s1", 98.0), ships_from=("CN", "RU")),
    Product("bag-sport", {"ru": "Спортивная сумка для фитнеса"}, "luggage_bags", 15.0,
            brand="Demix", rating=4.1, orders=300, ships_to=("RU", "KZ")),
    Product("backpack", {"ru": "Рюкзак городской"}, "luggage_bags", 25.0, brand="Xiaomi",
            rating=4.6, orders=5000, ships_to=("US",)),
    Product("phone", {"ru": "Смартфон Xiaomi Redmi 64 ГБ"}, "phones", 150.0, brand="Xiaomi",
            rating=4.7, orders=20000, ships_from=("CN", "RU")),
    Product("case", {"ru": "Чехол для смартфона"}, "phones", 3.0, rating=3.9, orders=50),
    Product("boots", {"ru": "Сапоги женские кожаные"}, "shoes", 60.0, brand="Kanzler",
            rating=4.2, orders=800, ships_from=("RU",), ships_to=("RU",)),
]  # fmt: skip
ALL_IDS = {p.id for p in CATALOG}


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return default_analyzer()


def _elasticsearch(tmp_path: Path) -> Iterator[SearchEngine]:
    from search.engines.elasticsearch import ElasticsearchEngine

    settings = Settings(
        data_dir=tmp_path,
        search_backend="elasticsearch",
        elasticsearch_url=ES_URL,
        elasticsearch_username=os.environ.get("ELASTICSEARCH_USERNAME") or None,
        elasticsearch_password=os.environ.get("ELASTICSEARCH_PASSWORD") or None,
        elasticsearch_api_key=os.environ.get("ELASTICSEARCH_API_KEY") or None,
        elasticsearch_index=f"vitrina-test-{RUN}-{uuid.uuid4().hex[:8]}",
    )
    engine = ElasticsearchEngine.from_settings(settings, timeout=30.0)
    try:
        yield engine
    finally:
        engine.delete_all()


@pytest.fixture(
    params=[
        "embedded",
        pytest.param(
            "elasticsearch",
            marks=[
                pytest.mark.elasticsearch,
                pytest.mark.skipif(
                    not ES_URL, reason="set ELASTICSEARCH_URL to run these against Elasticsearch"
                ),
            ],
        ),
    ]
)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchEngine]:
    if request.param == "embedded":
        from search.engines.embedded import EmbeddedEngine

        yield EmbeddedEngine(tmp_path / "index")
    else:
        yield from _elasticsearch(tmp_path)


@pytest.fixture
def catalog(engine: SearchEngine, analyzer: Analyzer) -> SearchEngine:
    """The engine holding CATALOG."""
    engine.rebuild(docs(analyzer, *CATALOG))
    return engine


def docs(analyzer: Analyzer, *products: Product) -> list[dict]:
    return [index_document(p, analyzer) for p in products]


def text(analyzer: Analyzer, query: str):
    return text_match(analyzer.analyze(query))


def ids(engine: SearchEngine, query: EngineQuery) -> list[str]:
    return [hit.id for hit in engine.search(query).hits]


def browse(**filters) -> EngineQuery:
    return EngineQuery(text=None, filters=Filters(**filters), limit=50)


def by_id(product_id: str) -> Product:
    return next(p for p in CATALOG if p.id == product_id)


# -- finding ------------------------------------------------------------------


def test_searching_before_anything_is_indexed_is_unavailable(engine):
    with pytest.raises(EngineUnavailable):
        engine.search(EngineQuery(text=None))


def test_other_word_forms_find_the_product(catalog, analyzer):
    found = ids(catalog, EngineQuery(text=text(analyzer, "кожаные сумки")))
    assert found == ["bag-leather"]
    assert "boots" in ids(catalog, EngineQuery(text=text(analyzer, "кожаный сапог")))


def test_every_word_must_match(catalog, analyzer):
    assert ids(catalog, EngineQuery(text=text(analyzer, "сумка рюкзак"))) == []


def test_the_more_popular_of_equal_matches_ranks_first(engine, analyzer):
    quiet = Product("quiet", {"ru": "Термос стальной"}, "home_garden", 10.0, orders=2, rating=3.0)
    loved = Product(
        "loved", {"ru": "Термос стальной"}, "home_garden", 10.0, orders=40000, rating=4.9
    )
    engine.rebuild(docs(analyzer, quiet, loved))
    hits = engine.search(EngineQuery(text=text(analyzer, "термосы"))).hits
    assert [h.id for h in hits] == ["loved", "quiet"]
    assert hits[0].score > hits[1].score > 0


def test_browsing_orders_by_popularity(catalog, analyzer):
    boosts = {d["id"]: d["boost"] for d in docs(analyzer, *CATALOG)}
    assert ids(catalog, browse()) == sorted(boosts, key=boosts.get, reverse=True)


def test_totals_count_every_match_not_just_the_page(catalog, analyzer):
    query = EngineQuery(text=text(analyzer, "сумка"), limit=1)
    result = catalog.search(query)
    assert (result.total, len(result.hits)) == (2, 1)
    assert catalog.product_count() == len(CATALOG)


def test_count_agrees_with_search_totals(catalog, analyzer):
    assert catalog.count(EngineQuery(text=text(analyzer, "сумка"))) == 2
    assert catalog.count(browse(categories=("phones",))) == 2


# -- writing ------------------------------------------------------------------


def test_a_later_line_with_the_same_id_replaces_the_earlier(engine, analyzer):
    first = Product("p1", {"ru": "Кружка керамическая"}, "home_garden", 5.0)
    second = Product("p1", {"ru": "Кружка стеклянная"}, "home_garden", 7.0)
    assert engine.rebuild(docs(analyzer, first, second)) == 1
    assert engine.product_count() == 1
    assert ids(engine, EngineQuery(text=text(analyzer, "стеклянная кружка"))) == ["p1"]
    assert ids(engine, EngineQuery(text=text(analyzer, "керамическая"))) == []
    assert engine.get_products(["p1"])["p1"]["price_usd"] == 7.0


def test_a_removal_takes_the_product_out(engine, analyzer):
    assert engine.rebuild([*docs(analyzer, *CATALOG), Removal("phone"), Removal("never-seen")]) == 5
    assert ids(engine, EngineQuery(text=text(analyzer, "смартфон xiaomi"))) == []
    assert "phone" not in ids(engine, browse())


def test_a_rebuild_replaces_the_whole_index(catalog, analyzer):
    kettle = Product("kettle", {"ru": "Электрический чайник"}, "home_appliances", 20.0)
    assert catalog.rebuild(docs(analyzer, kettle)) == 1
    assert ids(catalog, browse()) == ["kettle"]
    assert ids(catalog, EngineQuery(text=text(analyzer, "сумка"))) == []
    assert catalog.get_products(["bag-leather"]) == {}


def test_changes_apply_to_the_live_index(catalog, analyzer):
    cheaper = Product(
        "phone", {"ru": "Смартфон Xiaomi Redmi 64 ГБ"}, "phones", 99.0, brand="Xiaomi"
    )
    kettle = Product("kettle", {"ru": "Электрический чайник"}, "home_appliances", 20.0)
    applied = catalog.apply_changes([*docs(analyzer, cheaper, kettle), Removal("case")])
    assert applied == 3
    assert catalog.product_count() == len(CATALOG) + 1 - 1
    assert catalog.get_products(["phone"])["phone"]["price_usd"] == 99.0
    assert ids(catalog, EngineQuery(text=text(analyzer, "чайник"))) == ["kettle"]
    assert "case" not in ids(catalog, browse())


def test_get_products_returns_the_feed_products_it_has(catalog):
    products = catalog.get_products(["phone", "case", "missing"])
    assert products == {"phone": by_id("phone").to_dict(), "case": by_id("case").to_dict()}
    assert catalog.get_products([]) == {}


def test_health_reports_the_products(catalog):
    health = catalog.health()
    assert (health["status"], health["products"]) == ("ok", len(CATALOG))


# -- filters ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"categories": ("phones",)}, {"phone", "case"}),
        ({"categories": ("phones", "shoes")}, {"phone", "case", "boots"}),
        ({"brands": ("xiaomi",)}, {"backpack", "phone"}),
        ({"ships_from": ("RU",)}, {"bag-leather", "phone", "boots"}),
        ({"price_usd_min": 15.0, "price_usd_max": 30.0}, {"bag-leather", "bag-sport", "backpack"}),
        ({"price_usd_min": 59.0}, {"boots", "phone"}),
        ({"rating_min": 4.6}, {"bag-leather", "backpack", "phone"}),
        ({"ships_to": "RU"}, ALL_IDS - {"backpack"}),  # unrestricted products ship everywhere
        ({"ships_to": "US"}, {"bag-leather", "backpack", "phone", "case"}),
        ({"categories": ("luggage_bags",), "ships_to": "RU", "rating_min": 4.5}, {"bag-leather"}),
        ({"exclude_ids": ("case", "boots")}, ALL_IDS - {"case", "boots"}),  # query rules' hidings
        (
            {"exclude_ids": ("boots",), "ships_to": "RU", "rating_min": 0.0},
            ALL_IDS - {"backpack", "boots"},
        ),
        (
            {"brands": ("xiaomi",), "ships_from": ("CN",), "price_usd_max": 150.0},
            {"backpack", "phone"},
        ),
    ],
)
def test_each_filter_keeps_only_matching_products(catalog, filters, expected):
    result = catalog.search(browse(**filters))
    assert {h.id for h in result.hits} == expected
    assert result.total == len(expected)
    # Query rules check their few promoted products the same way, without the engine.
    products = catalog.get_products(sorted(ALL_IDS))
    assert {pid for pid, p in products.items() if admits(Filters(**filters), p)} == expected


def test_filters_apply_to_text_searches_too(catalog, analyzer):
    query = EngineQuery(text=text(analyzer, "женские"), filters=Filters(categories=("shoes",)))
    assert ids(catalog, query) == ["boots"]


def test_excluded_products_leave_totals_counts_and_facets(catalog, analyzer):
    query = EngineQuery(text=text(analyzer, "сумка"), filters=Filters(exclude_ids=("bag-sport",)))
    result = catalog.search(query)
    assert [h.id for h in result.hits] == ["bag-leather"] and result.total == 1
    assert catalog.count(query) == 1
    assert counts(result.facets["brand"]) == {"kanzler": 1}


# -- facets -------------------------------------------------------------------


def counts(buckets) -> dict[str, int]:
    return {b.value: b.count for b in buckets}


def test_facets_count_every_filter_but_their_own(catalog):
    result = catalog.search(browse(categories=("phones",)))
    assert counts(result.facets["category"]) == {"luggage_bags": 3, "phones": 2, "shoes": 1}
    assert counts(result.facets["brand"]) == {"xiaomi": 1}  # the unbranded case is no value
    assert [b.label for b in result.facets["brand"]] == ["Xiaomi"]
    assert counts(result.facets["ships_from"]) == {"CN": 2, "RU": 1}
    assert result.price_usd_range == (3.0, 150.0)


def test_price_facet_ignores_the_price_filter(catalog):
    result = catalog.search(browse(price_usd_max=20.0))
    assert {h.id for h in result.hits} == {"bag-sport", "case"}
    assert result.price_usd_range == (3.0, 150.0)
    assert counts(result.facets["category"]) == {"luggage_bags": 1, "phones": 1}


def test_facets_follow_the_text(catalog, analyzer):
    result = catalog.search(EngineQuery(text=text(analyzer, "женский")))
    assert counts(result.facets["category"]) == {"luggage_bags": 1, "shoes": 1}
    assert counts(result.facets["brand"]) == {"kanzler": 2}
    assert result.price_usd_range == (30.0, 60.0)


def test_a_search_that_finds_nothing_still_counts_what_its_own_filter_hides(catalog, analyzer):
    result = catalog.search(
        EngineQuery(text=text(analyzer, "женский"), filters=Filters(categories=("phones",)))
    )
    assert result.total == 0
    # Only the category filter is left out of the category facet: the rest are empty.
    assert counts(result.facets["category"]) == {"luggage_bags": 1, "shoes": 1}
    assert not result.facets.get("brand") and not result.facets.get("ships_from")
    assert result.price_usd_range is None


# -- sorting and pages --------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "key", "reverse"),
    [
        ("price_asc", lambda p: p.price_usd, False),
        ("price_desc", lambda p: p.price_usd, True),
        ("orders", lambda p: p.orders, True),
        ("rating", lambda p: p.rating, True),
    ],
)
def test_each_sort_order(catalog, sort, key, reverse):
    expected = [p.id for p in sorted(CATALOG, key=key, reverse=reverse)]
    assert ids(catalog, EngineQuery(text=None, sort=sort)) == expected


def test_sorts_apply_to_text_searches(catalog, analyzer):
    query = EngineQuery(text=text(analyzer, "сумка"), sort="price_asc")
    assert ids(catalog, query) == ["bag-sport", "bag-leather"]


def test_sort_by_delivery_puts_the_fastest_origin_first_then_the_popular(catalog, analyzer):
    from locales.registry import default_registry

    russia = default_registry().country("RU")  # RU warehouse 3-10 days, CN 15-45, others later
    boosts = {d["id"]: d["boost"] for d in docs(analyzer, *CATALOG)}

    def arrival(product: Product) -> tuple[int, int]:  # latest day, then earliest
        return russia.delivery_estimate(russia.fastest_origin(product.ships_from))[::-1]

    fastest = sorted(CATALOG, key=lambda p: (arrival(p), -boosts[p.id]))
    query = EngineQuery(text=None, sort="delivery", delivery_tiers=russia.delivery_tiers)
    found = ids(catalog, query)
    assert found == [p.id for p in fastest]
    assert set(found[:3]) == {"phone", "bag-leather", "boots"}  # the ones in a Russian warehouse
    searched = EngineQuery(
        text=text(analyzer, "сумка"), sort="delivery", delivery_tiers=russia.delivery_tiers
    )
    assert ids(catalog, searched) == ["bag-leather", "bag-sport"]
    paged = catalog.search(replace(query, offset=2, limit=2))
    assert [h.id for h in paged.hits] == found[2:4] and paged.total == len(CATALOG)


def test_pages_follow_one_another(catalog):
    everything = ids(catalog, EngineQuery(text=None, sort="price_asc"))
    page = catalog.search(EngineQuery(text=None, sort="price_asc", offset=2, limit=2))
    assert [h.id for h in page.hits] == everything[2:4]
    assert page.total == len(CATALOG)
    beyond = catalog.search(EngineQuery(text=None, sort="price_asc", offset=10, limit=2))
    assert (beyond.hits, beyond.total) == ([], len(CATALOG))


# -- documents an engine refuses ----------------------------------------------


def test_elasticsearch_reports_a_refused_document_and_serves_the_rest(engine, analyzer):
    if engine.name == "embedded":
        pytest.skip("tantivy has no per-document refusals")
    from search.engines.base import DocumentsRejected

    huge = Product("huge", {"ru": "Кружка"}, "home_garden", 5.0, brand="x" * 40_000)  # > 32 KB term
    with pytest.raises(DocumentsRejected) as refused:
        engine.rebuild(docs(analyzer, huge, *CATALOG))
    assert [r.id for r in refused.value.rejected] == ["huge"]
    assert {h.id for h in engine.search(browse()).hits} == ALL_IDS


def test_refused_documents_land_in_the_rejects_file(tmp_path, analyzer):
    """The indexer turns an engine's DocumentsRejected into reject lines, keeping the rest."""
    import json

    from indexer.indexing import index_feed
    from search.engines.base import DocumentsRejected, RejectedDocument
    from search.engines.embedded import EmbeddedEngine
    from tests.conftest import make_product, write_feed

    class RefusingEngine(EmbeddedEngine):
        """The embedded engine, refusing one id the way Elasticsearch refuses a document."""

        def rebuild(self, changes, check=None):
            kept = [c for c in changes if isinstance(c, Removal) or c["id"] != "bad"]
            applied = super().rebuild(kept, check)
            raise DocumentsRejected([RejectedDocument("bad", "mapper_parsing_exception")], applied)

    engine = RefusingEngine(tmp_path / "index")
    feed = write_feed(
        tmp_path / "feed.jsonl", [make_product("good", "Сумка"), make_product("bad", "Сумка")]
    )
    rejects = tmp_path / "rejects.jsonl"
    report = index_feed(feed, engine, tmp_path / "var", rejects_path=rejects, analyzer=analyzer)
    assert (report.upserts, report.rejected, report.products, report.exit_code) == (1, 1, 1, 1)
    [line] = [json.loads(x) for x in rejects.read_text(encoding="utf-8").splitlines()]
    assert line["text"] == "bad" and "mapper_parsing_exception" in line["reason"]
