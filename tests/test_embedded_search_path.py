"""The embedded engine's search path: the brand facet's order (most products first, ties
by key, as Elasticsearch orders them) and the whole-query cache (bounded; reused only
for the same reading and filters)."""

from __future__ import annotations

from search.analysis.analyzer import default_analyzer
from search.catalog import Product
from search.documents import index_document
from search.engines import embedded
from search.engines.base import EngineQuery, Filters, TextMatch
from search.engines.embedded import EmbeddedEngine

ANALYZER = default_analyzer()
# Brands join the brands file in this order, so brand ids do not follow the keys.
BAGS = [
    Product("a", {"ru": "Сумка"}, "luggage_bags", 10.0, brand="Zeta"),
    Product("b", {"ru": "Сумка"}, "luggage_bags", 12.0, brand="Alpha"),
    Product("c", {"ru": "Сумка"}, "luggage_bags", 14.0, brand="Mid"),
    Product("d", {"ru": "Сумка"}, "luggage_bags", 16.0, brand="Mid"),
    Product("e", {"ru": "Сумка"}, "shoes", 18.0, brand="Beta"),
    Product("f", {"ru": "Кеды"}, "shoes", 20.0),
]


def engine(tmp_path) -> EmbeddedEngine:
    built = EmbeddedEngine(tmp_path / "index")
    built.rebuild(index_document(p, ANALYZER) for p in BAGS)
    return EmbeddedEngine(tmp_path / "index")


def test_brands_with_as_many_products_are_ordered_by_key(tmp_path):
    facet = engine(tmp_path).search(EngineQuery(text=None)).facets["brand"]
    assert [(b.value, b.count, b.label) for b in facet] == [
        ("mid", 2, "Mid"),
        ("alpha", 1, "Alpha"),
        ("beta", 1, "Beta"),
        ("zeta", 1, "Zeta"),
    ]


def test_the_brand_facet_is_cut_to_its_size_after_ordering(tmp_path):
    facet = engine(tmp_path).search(EngineQuery(text=None, facet_size=2)).facets["brand"]
    assert [b.value for b in facet] == ["mid", "alpha"]


def test_a_cached_query_is_only_reused_for_the_same_reading_and_filters(tmp_path):
    serving = engine(tmp_path)
    bag = TextMatch(required=(("сумка",),))
    shoes = Filters(categories=("shoes",))
    ids = [
        {hit.id for hit in serving.search(EngineQuery(text=bag, filters=f)).hits}
        for f in (Filters(), shoes, Filters(), shoes)
    ]
    assert ids == [{"a", "b", "c", "d", "e"}, {"e"}, {"a", "b", "c", "d", "e"}, {"e"}]
    assert serving.count(EngineQuery(text=None, filters=shoes)) == 2


def test_the_query_cache_stays_within_its_bound(tmp_path, monkeypatch):
    monkeypatch.setattr(embedded, "QUERY_CACHE_SIZE", 3)
    serving = engine(tmp_path)
    for price in range(10):
        serving.count(EngineQuery(text=None, filters=Filters(price_usd_min=float(price))))
        assert len(serving._queries) <= 3
    assert serving.count(EngineQuery(text=None, filters=Filters(price_usd_min=15.0))) == 3


def test_a_category_search_counts_its_facets_in_one_aggregation_exactly(tmp_path, monkeypatch):
    serving = engine(tmp_path)
    bag = TextMatch(required=(("сумка",),))
    queries = [
        EngineQuery(text=text, filters=Filters(categories=(category,), ships_to="RU"))
        for text in (None, bag)
        for category in ("luggage_bags", "shoes")
    ]
    calls = []
    real = serving._one_pass
    monkeypatch.setattr(serving, "_one_pass", lambda *a: calls.append(1) or real(*a))
    one_pass = [serving.search(q) for q in queries]
    assert len(calls) == len(queries)
    monkeypatch.setattr(serving, "_one_pass", lambda *a: None)
    serving._facet_cache.clear()
    apart = [serving.search(q) for q in queries]
    for mine, theirs in zip(one_pass, apart, strict=True):
        assert (mine.facets, mine.price_usd_range) == (theirs.facets, theirs.price_usd_range)
    shoes = one_pass[1]
    assert [(b.value, b.count) for b in shoes.facets["category"]] == [
        ("luggage_bags", 4),
        ("shoes", 2),
    ]
    assert [(b.value, b.count) for b in shoes.facets["brand"]] == [("beta", 1)]
    assert shoes.price_usd_range == (18.0, 20.0)
