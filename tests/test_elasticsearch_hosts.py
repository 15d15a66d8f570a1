"""Several hosts on one Elasticsearch: the web processes share the indexer's vocabulary.

Each "host" here is a Services with its own data dir (nothing shared on disk) on the
Elasticsearch engine, against the team's loopback fake. The indexer publishes query
understanding's vocabulary (words, brand lexicon, spellings, co-occurrence) into the
`<alias>-meta` index; every web process reads it from there, checks its version at
most once per interval and follows a rebuild made by another process.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.indexing import index_feed
from search.engines.elasticsearch import shared
from search.engines.elasticsearch.shared import SharedVocabularyStore
from search.params import parse_search_params
from search.vocabulary import Vocabulary, vocabulary_path
from tests.conftest import make_product, write_feed
from tests.es_fake import FakeCluster
from vitrina.config import Settings
from vitrina.services import Services

HEAD = "/vitrina-products-meta/_doc/vocabulary"

FIRST = [
    ("p1", "Кроссовки беговые", "Li-Ning"),
    ("p2", "Кроссовки баскетбольные", "Li-Ning"),
    ("p3", "Чехол для телефона", None),
    ("p4", "Термокружка стальная", None),
]
SECOND = [
    ("q1", "Рюкзак туристический", "Lorvento"),
    ("q2", "Рюкзак городской", "Lorvento"),
    ("q3", "Чехол для телефона", None),
]


@pytest.fixture
def cluster() -> Iterator[FakeCluster]:
    cluster = FakeCluster()
    yield cluster
    cluster.close()


def host(cluster: FakeCluster, data_dir: Path) -> Services:
    """One host's services: its own data dir, the shared Elasticsearch."""
    return Services(
        Settings(data_dir=data_dir, search_backend="elasticsearch", elasticsearch_url=cluster.url)
    )


def feed(path: Path, rows: list[tuple[str, str, str | None]]) -> Path:
    products = [make_product(pid, title, brand=brand) if brand else make_product(pid, title)
                for pid, title, brand in rows]  # fmt: skip
    return write_feed(path, products)


def caught_up(*hosts: Services) -> None:
    """Let each web process see the current version (a new one loads in the background)."""
    for services in hosts:
        store = services.vocabulary_store
        assert isinstance(store, SharedVocabularyStore)
        store.get()
        store.wait(60)


def corrections(services: Services, query: str) -> list[dict[str, str]]:
    answer = services.search.search(parse_search_params({"q": query, "locale": "ru"},
                                                        services.registry))  # fmt: skip
    return answer["query"]["corrections"]


def api_corrections(client, query: str) -> list[dict[str, str]]:
    answer = client.get("/api/v1/search", query_string={"q": query, "locale": "ru"})
    assert answer.status_code == 200
    return answer.get_json()["query"]["corrections"]


def test_two_web_hosts_agree_on_corrections_and_follow_a_third_hosts_rebuild(
    cluster, tmp_path: Path
):
    from web.app import create_app

    indexer = host(cluster, tmp_path / "indexer")
    web_a, web_b = host(cluster, tmp_path / "web-a"), host(cluster, tmp_path / "web-b")
    client_a = create_app(web_a, {"TESTING": True}).test_client()
    for web in (web_a, web_b):
        web.vocabulary_store.check_s = 0.0  # check on every search: no waiting in the test

    index_feed(feed(tmp_path / "first.jsonl", FIRST), indexer.indexing_engine, indexer.data_dir)
    caught_up(web_a, web_b)
    brand = {"kind": "translit", "from": "лининг", "to": "li ning"}
    assert brand in api_corrections(client_a, "лининг")  # the catalog's brand lexicon
    for query in ("лининг", "кросовки", "ktyby", "термокружко", "лорвенто"):
        assert api_corrections(client_a, query) == corrections(web_b, query), query
    published = indexer.indexing_engine.health()["vocabulary"]
    assert published["products"] == len(FIRST) and published["version"]
    for web in (web_a, web_b, indexer):  # nothing was read from or written to a data dir
        assert not vocabulary_path(web.settings.data_dir).exists()

    # A third process rebuilds with another catalog: both web hosts follow.
    index_feed(  # a smaller catalog in place of the first: allowed to shrink
        feed(tmp_path / "second.jsonl", SECOND),
        indexer.indexing_engine,
        indexer.data_dir,
        max_shrink=None,
    )
    caught_up(web_a, web_b)
    lorvento = {"kind": "translit", "from": "лорвенто", "to": "lorvento"}
    assert lorvento in api_corrections(client_a, "лорвенто")
    assert lorvento in corrections(web_b, "лорвенто")
    assert brand not in corrections(web_b, "лининг")  # a rebuild forgets the old catalog
    assert api_corrections(client_a, "лининг") == corrections(web_b, "лининг")

    # Changes add to the shared vocabulary (merged with what Elasticsearch holds).
    changes = feed(tmp_path / "changes.jsonl", [("p9", "Кроссовки беговые", "Li-Ning")])
    index_feed(changes, indexer.indexing_engine, indexer.data_dir, full=False)
    caught_up(web_a, web_b)
    for web in (web_a, web_b):
        assert brand in corrections(web, "лининг")
        assert lorvento in corrections(web, "лорвенто")


def test_the_version_is_checked_at_most_once_per_interval(cluster, tmp_path: Path):
    indexer = host(cluster, tmp_path / "indexer")
    web = host(cluster, tmp_path / "web")
    index_feed(feed(tmp_path / "first.jsonl", FIRST), indexer.indexing_engine, indexer.data_dir)
    store = web.vocabulary_store
    assert isinstance(store, SharedVocabularyStore)
    store.check_s = 3600.0
    checks = len(cluster.requests("GET", HEAD))  # the indexer's own
    first = store.get()
    for _ in range(20):
        corrections(web, "лининг")
    assert len(cluster.requests("GET", HEAD)) == checks + 1  # one check, then the cache
    loads = len(cluster.requests("POST", "/_mget"))

    index_feed(  # a smaller catalog in place of the first: allowed to shrink
        feed(tmp_path / "second.jsonl", SECOND),
        indexer.indexing_engine,
        indexer.data_dir,
        max_shrink=None,
    )
    assert store.get() is first  # within the interval: not asked again
    store._next_check = 0.0  # the interval has passed
    assert store.get() is first  # the new version loads in the background meanwhile
    store.wait(60)
    assert store.get() is not first and store.get().word_df("lorvento") == 2
    assert len(cluster.requests("POST", "/_mget")) == loads + 1
    store._next_check = 0.0
    again = store.get()  # checked, unchanged: not loaded again
    assert len(cluster.requests("POST", "/_mget")) == loads + 1
    assert again.word_df("lorvento") == 2


def test_a_vocabulary_in_many_parts_round_trips_and_old_parts_go(
    cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(shared, "PART_BYTES", 64)
    indexer = host(cluster, tmp_path / "indexer")
    index_feed(feed(tmp_path / "first.jsonl", FIRST), indexer.indexing_engine, indexer.data_dir)
    published = indexer.indexing_engine.shared_vocabulary  # type: ignore[attr-defined]
    head = published.head()
    assert head.parts > 3 and head.generation.startswith("vitrina-products-")
    loaded = published.load()
    assert loaded.words == published.load().words and loaded.word_df("кроссовки") == 2
    assert loaded.readings and loaded.cooccurrence is not None

    vocabulary = Vocabulary({"рюкзак": 1}, {"рюкзак": 1}, 1)
    newer = published.publish(vocabulary)
    stored = cluster.documents("vitrina-products-meta")
    assert {doc["version"] for doc in stored.values()} == {newer.version}  # old parts deleted
    assert published.load().words == {"рюкзак": 1}


def test_a_vocabulary_that_cannot_be_read_keeps_the_last_good_one(cluster, tmp_path: Path):
    indexer = host(cluster, tmp_path / "indexer")
    web = host(cluster, tmp_path / "web")
    index_feed(feed(tmp_path / "first.jsonl", FIRST), indexer.indexing_engine, indexer.data_dir)
    store = web.vocabulary_store
    assert isinstance(store, SharedVocabularyStore)
    good = store.get()
    assert good.word_df("термокружка") == 1

    published = indexer.indexing_engine.shared_vocabulary  # type: ignore[attr-defined]
    published.publish(Vocabulary({"рюкзак": 1}, {"рюкзак": 1}, 1))
    down = cluster.fault(lambda e: (503, {"error": {"type": "unavailable_shards_exception",
                                                    "reason": "down"}, "status": 503})
                         if "-meta" in e["path"] else None)  # fmt: skip
    store._next_check = 0.0
    assert store.get() is good  # Elasticsearch does not answer: the last good one
    cluster.faults.remove(down)

    meta = cluster.state.indices["vitrina-products-meta"]["docs"]
    for doc in meta.values():
        if doc["kind"] == "part":
            doc["data"] = "AAAA"  # damaged: fails the checksum
    store._next_check = 0.0
    store.get()
    store.wait(60)
    assert store.get() is good
