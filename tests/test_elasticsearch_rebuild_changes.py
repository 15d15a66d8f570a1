"""A rebuild with changes arriving meanwhile loses none of them (against the loopback fake).

Two engines on two clients stand for two processes or hosts: one rebuilds from a feed
snapshot while the other applies merchants' changes, in every phase of the rebuild
(loading, replaying the journal, just after the swap) and at random moments. When both
are done, the alias must serve the snapshot with every change applied in order.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from search.analysis.analyzer import default_analyzer
from search.catalog import Product
from search.documents import index_document
from search.engines.base import (
    Change,
    EngineUnavailable,
    Removal,
    accepts_changes_during_rebuild,
)
from search.engines.elasticsearch import ElasticsearchEngine
from search.engines.elasticsearch.loader import BulkPolicy
from search.engines.elasticsearch.rebuilds import LOADING, STALE_AFTER_S, Rebuilds
from tests.es_fake import FakeCluster

ALIAS = "shop"
POLICY = BulkPolicy(chunk_size=8, workers=3, max_retries=2, initial_backoff_s=0.01)
CATEGORIES = ("luggage_bags", "shoes", "phones", "toys")
Expected = dict[str, dict[str, Any] | None]  # id -> payload, None once removed


@pytest.fixture(scope="module")
def analyzer():
    return default_analyzer()


@pytest.fixture
def cluster() -> Iterator[FakeCluster]:
    cluster = FakeCluster()
    yield cluster
    cluster.close()


def engine(cluster: FakeCluster) -> ElasticsearchEngine:
    """A separate client and engine: another process, or another host."""
    client = Elasticsearch(cluster.url, request_timeout=10, max_retries=0)
    return ElasticsearchEngine(client, ALIAS, bulk=POLICY)


def product(n: int, version: int) -> Product:
    return Product(f"p{n}", {"ru": f"Товар {n} версия {version}"}, CATEGORIES[n % 4],
                   price_usd=round(1 + n + version / 100, 2), orders=version)  # fmt: skip


class Catalog:
    """Changes and what the index must hold once they are applied in order."""

    def __init__(self, analyzer) -> None:
        self.analyzer = analyzer
        self.expected: Expected = {}

    def upsert(self, n: int, version: int) -> Change:
        item = product(n, version)
        self.expected[item.id] = item.to_dict()
        return index_document(item, self.analyzer)

    def remove(self, n: int) -> Change:
        self.expected[f"p{n}"] = None
        return Removal(f"p{n}")

    def served(self) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.expected.items() if v is not None}


def served_payloads(cluster: FakeCluster) -> dict[str, dict[str, Any]]:
    return {doc_id: source["payload"] for doc_id, source in cluster.live_documents(ALIAS).items()}


def in_background(work: Callable[[], Any]) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - reported by the test thread
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def hold_once(cluster: FakeCluster, matches: Callable[[dict], bool]):
    """Hold the first request that `matches` until released: (reached, release)."""
    reached, release = threading.Event(), threading.Event()

    def fault(entry: dict) -> None:
        if not reached.is_set() and matches(entry):
            reached.set()
            release.wait(20)

    cluster.fault(fault)
    return reached, release


def loads_new_index(entry: dict) -> bool:
    body = entry["body"]
    return entry["path"] == "/_bulk" and f'"{ALIAS}-2' in body and '-changes"' not in body


def reads_journal(entry: dict) -> bool:
    return entry["path"].endswith("-changes/_search")


def test_changes_in_every_phase_of_a_rebuild_are_kept(cluster, analyzer):
    builder, merchant, catalog = engine(cluster), engine(cluster), Catalog(analyzer)
    builder.rebuild([catalog.upsert(n, 0) for n in range(60)])
    snapshot = [catalog.upsert(n, 1) for n in range(60)]  # the feed the rebuild loads

    loading, resume_load = hold_once(cluster, loads_new_index)
    replaying, resume_replay = hold_once(cluster, reads_journal)
    rebuild, rebuild_errors = in_background(lambda: builder.rebuild(snapshot))

    assert loading.wait(10)  # the new index is loading: changes go live and to the journal
    assert merchant.health()["rebuild"]["state"] == "loading"  # operators see it
    during_load = [catalog.upsert(n, 2) for n in range(0, 60, 5)]
    during_load += [catalog.remove(n) for n in range(1, 60, 7)]
    during_load += [catalog.upsert(n, 2) for n in range(100, 105)]  # new products
    merchant.apply_changes(during_load)
    assert served_payloads(cluster)["p0"]["orders"] == 2  # shoppers see it at once
    resume_load.set()

    assert replaying.wait(10)  # the rebuild replays its journal: changes now wait for the swap
    during_replay = [catalog.upsert(n, 3) for n in (0, 2, 100)] + [catalog.remove(3)]
    late, late_errors = in_background(lambda: merchant.apply_changes(during_replay))
    time.sleep(0.3)
    resume_replay.set()
    rebuild.join(20)
    late.join(20)
    assert not rebuild_errors and not late_errors, rebuild_errors + late_errors

    # The changes sent while the journal was replayed went live, waited for the swap,
    # and were written again into the new index.
    writes = [e for e in cluster.requests("PUT", "/_bulk") if "Товар 100 версия 3" in e["body"]]
    assert len(writes) == 2
    merchant.apply_changes([catalog.upsert(4, 4), catalog.remove(100)])  # after the swap
    assert served_payloads(cluster) == catalog.served()
    assert not [name for name in cluster.state.indices if name.endswith("-changes")]


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_changes_at_random_moments_of_a_rebuild_are_kept(cluster, analyzer, seed):
    rnd = random.Random(seed)
    builder, merchant, catalog = engine(cluster), engine(cluster), Catalog(analyzer)
    builder.rebuild([catalog.upsert(n, 0) for n in range(80)])
    snapshot = [catalog.upsert(n, 1) for n in range(80)]

    def jitter(entry: dict) -> None:
        time.sleep(rnd.random() * 0.004)  # every request of either side, a little late

    cluster.fault(jitter)
    started = threading.Event()
    rebuilds = Rebuilds(Elasticsearch(cluster.url), ALIAS)

    def rebuild() -> None:
        builder.rebuild(snapshot)

    thread, errors = in_background(rebuild)
    while not started.is_set():  # changes before the rebuild began belong to its feed
        state = rebuilds.current()
        if state is not None and state.state == LOADING and state.active:
            started.set()
    version = 2
    while thread.is_alive() or version < 12:
        batch = []
        for _ in range(rnd.randint(1, 12)):
            n = rnd.randrange(90)
            batch.append(catalog.remove(n) if rnd.random() < 0.25 else catalog.upsert(n, version))
        merchant.apply_changes(batch)
        version += 1
    thread.join(30)
    assert not errors, errors
    assert served_payloads(cluster) == catalog.served()


def test_a_second_rebuild_stops_while_one_runs_and_leaves_no_index(cluster, analyzer):
    first, second, catalog = engine(cluster), engine(cluster), Catalog(analyzer)
    first.rebuild([catalog.upsert(n, 0) for n in range(10)])
    loading, resume = hold_once(cluster, loads_new_index)
    thread, errors = in_background(lambda: first.rebuild([catalog.upsert(n, 1)
                                                          for n in range(10)]))  # fmt: skip
    assert loading.wait(10)
    indices_before = set(cluster.state.indices)
    with pytest.raises(EngineUnavailable, match="another rebuild"):
        second.rebuild([catalog.upsert(n, 2) for n in range(10)])
    assert set(cluster.state.indices) == indices_before  # its new index was deleted
    resume.set()
    thread.join(20)
    assert not errors
    assert {p["orders"] for p in served_payloads(cluster).values()} == {1}


def test_a_failed_rebuild_is_recorded_and_blocks_nothing(cluster, analyzer):
    builder, merchant, catalog = engine(cluster), engine(cluster), Catalog(analyzer)
    builder.rebuild([catalog.upsert(n, 0) for n in range(10)])
    cluster.fault(lambda e: (503, {"error": {"type": "unavailable", "reason": "down"},
                                   "status": 503}) if loads_new_index(e) else None)  # fmt: skip
    with pytest.raises(EngineUnavailable):
        builder.rebuild([index_document(product(n, 1), analyzer) for n in range(10)])
    cluster.faults.clear()
    state = Rebuilds(Elasticsearch(cluster.url), ALIAS).current()
    assert state is not None and state.state == "failed" and not state.active
    assert not [name for name in cluster.state.indices if name.endswith("-changes")]
    merchant.apply_changes([catalog.upsert(3, 5)])  # goes straight to the index in service
    assert served_payloads(cluster) == catalog.served()
    assert "rebuild" not in merchant.health()


def test_a_rebuild_whose_process_died_stops_counting_after_a_while(cluster, analyzer, monkeypatch):
    builder, merchant, catalog = engine(cluster), engine(cluster), Catalog(analyzer)
    builder.rebuild([catalog.upsert(n, 0) for n in range(10)])
    cluster.state.indices[f"{ALIAS}-orphan"] = {"docs": {}}  # its half-loaded index
    run = Rebuilds(Elasticsearch(cluster.url), ALIAS).begin(f"{ALIAS}-orphan")  # then "dies"
    assert run.state.active
    monkeypatch.setattr(time, "time", lambda: run.state.updated + STALE_AFTER_S + 1)
    merchant.apply_changes([catalog.upsert(2, 7)])  # not journaled for a dead rebuild
    assert not cluster.documents(run.state.journal)
    assert builder.rebuild([catalog.upsert(n, 8) for n in range(10)]) == 10  # not refused
    # ... and what the dead one left behind is gone: its index and its journal.
    assert f"{ALIAS}-orphan" not in cluster.state.indices
    assert run.state.journal not in cluster.state.indices


def test_the_engine_says_it_takes_changes_during_a_rebuild(cluster, tmp_path):
    from search.engines.embedded import EmbeddedEngine

    assert accepts_changes_during_rebuild(engine(cluster))
    assert not accepts_changes_during_rebuild(EmbeddedEngine(tmp_path / "index"))


def test_without_the_journal_the_same_race_would_lose_changes(cluster, analyzer, monkeypatch):
    """The control: the test above can fail, because the race it stages is real."""
    monkeypatch.setattr(Rebuilds, "record", lambda self, run, chunk, loader: None)
    builder, merchant, catalog = engine(cluster), engine(cluster), Catalog(analyzer)
    builder.rebuild([catalog.upsert(n, 0) for n in range(20)])
    loading, resume = hold_once(cluster, loads_new_index)
    thread, errors = in_background(lambda: builder.rebuild([catalog.upsert(n, 1)
                                                            for n in range(20)]))  # fmt: skip
    assert loading.wait(10)
    merchant.apply_changes([catalog.upsert(5, 2)])
    resume.set()
    thread.join(20)
    assert not errors
    assert served_payloads(cluster)["p5"]["orders"] == 1  # the change was lost
