"""Every request the Elasticsearch engine sends is valid under Elasticsearch 9.5's own spec.

The real engine (a real client, the real bulk loader and rebuild protocol) runs every
kind of work Vitrina gives it against the team's loopback fake: rebuilds with their
alias swap, changes (also during a rebuild), every search shape the service and the
storefront send (text, filters, each sort, facets, browsing, pages), suggestions, the
reads behind recommendations and product pages, health, the shared vocabulary
(published in parts, checked and loaded by web processes), and a failed rebuild's
clean-up. The capture is then checked by the shared `validate.py`, strictly (unknown
keys refused). No Elasticsearch server is needed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from locales.registry import default_registry
from search.analysis.analyzer import default_analyzer
from search.catalog import Product, Seller
from search.documents import index_document
from search.engines.base import SORTS, EngineQuery, EngineUnavailable, Filters, Removal, TextMatch
from search.engines.elasticsearch import ElasticsearchEngine, shared
from search.engines.elasticsearch.loader import BulkPolicy
from search.engines.elasticsearch.queries import MAX_RESULT_WINDOW
from search.vocabulary import VocabularyBuilder
from tests.es_fake import FakeCluster

ALIAS = "vitrina-products"
BAG = TextMatch(required=(("сумка",), ("кожаный", "кожа")))
POLICY = BulkPolicy(chunk_size=3, workers=2, max_retries=2, initial_backoff_s=0.01)


def catalog() -> list[Product]:
    """Products with every optional feed field present or absent somewhere."""
    return [
        Product("bag-1", {"ru": "Сумка женская кожаная", "en": "Leather bag"}, "luggage_bags",
                39.9, description={"ru": "Натуральная кожа, два отделения"},
                subcategory="Сумки через плечо", brand="Xiaomi", rating=4.8, orders=1520,
                seller=Seller("s-1", 97.5), ships_from=("CN", "RU"),
                attributes={"color": "black"}, image_url="https://example.test/1.jpg"),
        Product("bag-2", {"ru": "Рюкзак городской"}, "luggage_bags", 25.0, orders=3),
        Product("phone-1", {"ru": "Смартфон Самсунг 64 ГБ", "en": "Samsung phone 64 GB"},
                "phones", 199.0, brand="Samsung", rating=4.5, orders=90,
                ships_to=("RU", "KZ"), seller=Seller("s-2")),
        Product("lamp-1", {"de": "Tischlampe", "ar": "مصباح مكتب"}, "lighting", 12.5,
                ships_from=("DE",), rating=3.9),
        Product("shoe-1", {"ru": "Кроссовки мужские"}, "shoes", 45.0, brand="Li-Ning",
                orders=12, ships_to=("RU",)),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def analyzer():
    return default_analyzer()


@pytest.fixture
def cluster() -> Iterator[FakeCluster]:
    cluster = FakeCluster()
    yield cluster
    cluster.close()


def engine_on(cluster: FakeCluster, *, russian_fallback: bool = False) -> ElasticsearchEngine:
    client = Elasticsearch(cluster.url, request_timeout=10, max_retries=0)
    return ElasticsearchEngine(client, ALIAS, russian_fallback=russian_fallback, bulk=POLICY)


def search_shapes() -> Iterator[tuple[str, EngineQuery]]:
    """Every EngineQuery shape the search service, suggestions and recommendations send."""
    filters = {
        "category": Filters(categories=("luggage_bags", "shoes")),
        "brand": Filters(brands=("xiaomi",)),
        "ships_from": Filters(ships_from=("RU",)),
        "price range": Filters(price_usd_min=10.0, price_usd_max=50.0),
        "price from": Filters(price_usd_min=10.0),
        "rating": Filters(rating_min=4.0),
        "country": Filters(ships_to="RU"),
        "all filters": Filters(("luggage_bags",), ("xiaomi",), ("CN",), 1.0, 99.0, 4.5, "RU"),
    }
    yield "text, relevance, facets", EngineQuery(text=BAG)
    yield "optional words", EngineQuery(text=TextMatch(required=(("сумка",),),
                                                       optional=(("кожа",),)))  # fmt: skip
    yield (
        "optional words only, filtered",
        EngineQuery(
            text=TextMatch(required=(), optional=(("сумка",),)), filters=filters["category"]
        ),
    )
    for name, chosen in filters.items():
        yield f"text + filter {name}", EngineQuery(text=BAG, filters=chosen)
        yield f"browse + filter {name}", EngineQuery(filters=chosen)
    for sort in SORTS:
        yield f"text sorted by {sort}", EngineQuery(text=BAG, sort=sort)
        yield f"browse sorted by {sort}", EngineQuery(sort=sort, filters=filters["country"])
    tiers = default_registry().country("RU").delivery_tiers  # what the service sends
    yield (
        "text sorted by delivery to RU",
        EngineQuery(text=BAG, sort="delivery", delivery_tiers=tiers),
    )
    yield (
        "browse sorted by delivery to RU, filtered",
        EngineQuery(sort="delivery", delivery_tiers=tiers, filters=filters["all filters"]),
    )
    yield "browse everything", EngineQuery()
    yield "no facets", EngineQuery(text=BAG, with_facets=False)
    yield "page 2", EngineQuery(text=BAG, offset=20, limit=20)
    yield "last reachable page", EngineQuery(text=BAG, offset=MAX_RESULT_WINDOW - 100, limit=100)
    yield "beyond the window", EngineQuery(text=BAG, offset=MAX_RESULT_WINDOW + 20, limit=20)
    yield (
        "suggest: products",
        EngineQuery(
            text=TextMatch(required=(("сум",),)),
            filters=filters["country"],
            limit=5,
            with_facets=False,
        ),
    )
    for page in range(2):  # recommendations' catalog fallback, page by page
        yield f"recommendations: catalog page {page + 1}", EngineQuery(
            filters=filters["country"], sort="orders", offset=page * 500, limit=500,
            with_facets=False,
        )  # fmt: skip


def test_every_request_is_valid_under_the_specification(cluster, analyzer, tmp_path: Path):
    engine = engine_on(cluster)
    documents = [index_document(product, analyzer) for product in catalog()]

    with cluster.scenario("rebuild: the first index"):
        assert engine.rebuild([*documents, Removal("never-existed")]) == len(documents)
    with cluster.scenario("changes: upsert, delete, new product"):
        changed = index_document(replace(catalog()[1], price_usd=21.0), analyzer)
        new = index_document(Product("new-1", {"en": "Desk"}, "furniture", 80.0), analyzer)
        assert engine.apply_changes([changed, Removal("lamp-1"), new]) == 3
    for name, query in search_shapes():
        with cluster.scenario(f"search: {name}"):
            engine.search(query)
    with cluster.scenario("search: the Russian fallback field"):
        engine_on(cluster, russian_fallback=True).search(EngineQuery(text=BAG))
    with cluster.scenario("search: counting a reading"):
        engine.count(EngineQuery(text=BAG, filters=Filters(ships_to="RU", rating_min=4.0)))
    with cluster.scenario("recommendations and product pages: products by id"):
        assert set(engine.get_products(["bag-1", "phone-1", "bag-1", "gone"])) == {
            "bag-1",
            "phone-1",
        }
    with cluster.scenario("health"):
        assert engine.health()["status"] == "ok"
        assert engine.product_count() == len(documents)
    with cluster.scenario("rebuild with changes arriving meanwhile"):
        rebuild_with_concurrent_changes(cluster, engine, documents, analyzer)
    with cluster.scenario("shared vocabulary: publish, check, load, replace"):
        share_the_vocabulary(cluster, engine, documents)
    with cluster.scenario("rebuild that fails and cleans up"):
        failing = cluster.fault(lambda e: (503, {"error": {"type": "unavailable_shards_exception",
                                                           "reason": "down"}, "status": 503})
                                if e["path"] == "/_bulk" else None)  # fmt: skip
        with pytest.raises(EngineUnavailable):
            engine.rebuild(documents)
        cluster.faults.remove(failing)
    with cluster.scenario("delete everything (test clean-up)"):
        engine.delete_all()

    result = cluster.validate(cluster.write_capture(tmp_path / "captured.json"))
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert "requests valid" in result.stdout


def share_the_vocabulary(cluster, engine, documents) -> None:
    """The indexer publishes the vocabulary in parts; a web process checks and loads it."""
    builder = VocabularyBuilder()
    for document in documents:
        builder.add(document)
    shared.PART_BYTES, saved = 256, shared.PART_BYTES  # several parts, like a big catalog
    try:
        engine.shared_vocabulary.publish(builder.vocabulary())
        store = engine_on(cluster).vocabulary_store(check_s=0.0)
        assert store.get().word_df("сумка") == 1
        engine.shared_vocabulary.publish(builder.vocabulary(builder.vocabulary()))  # replaced
        store.get()
        store.wait(30)  # a new version loads in the background
        assert store.get().word_df("сумка") == 2
    finally:
        shared.PART_BYTES = saved


def rebuild_with_concurrent_changes(cluster, engine, documents, analyzer) -> None:
    """A change sent while the new index loads goes to the journal and is replayed."""
    loading, resume = threading.Event(), threading.Event()

    def hold_the_load(entry):
        body = entry["body"]
        into_new_index = f'"{ALIAS}-2' in body and '-changes"' not in body
        if entry["path"] == "/_bulk" and into_new_index and not loading.is_set():
            loading.set()
            resume.wait(10)
        return None

    hold = cluster.fault(hold_the_load)
    errors: list[BaseException] = []

    def rebuild() -> None:
        try:
            engine.rebuild(documents)
        except BaseException as exc:  # noqa: BLE001 - reported by the test thread
            errors.append(exc)

    worker = threading.Thread(target=rebuild)
    worker.start()
    assert loading.wait(10)
    cheaper = index_document(Product("bag-1", {"ru": "Сумка"}, "luggage_bags", 9.0), analyzer)
    engine_on(cluster).apply_changes([cheaper, Removal("shoe-1")])  # another process
    resume.set()
    worker.join(20)
    cluster.faults.remove(hold)
    assert not errors, errors
    live = cluster.live_documents(ALIAS)
    assert live["bag-1"]["price_usd"] == 9.0 and "shoe-1" not in live
