"""Bulk loads for tens of millions of products: bounded memory, order kept per product,
parallel requests, and retries with backoff when the cluster says "slow down" or "not now".

The loader is driven through its `deliver` hook (no server) for memory and ordering,
and against the team's loopback fake for the retries of real client requests.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator

import pytest
from elasticsearch import ApiError, Elasticsearch
from elasticsearch.helpers import actions as helper_actions

from search.engines.base import EngineUnavailable
from search.engines.elasticsearch.loader import BulkLoader, BulkPolicy, partition_of
from tests.es_fake import FakeCluster


def action(doc_id: str, value: int, op: str = "index") -> dict:
    if op == "delete":
        return {"_op_type": "delete", "_index": "shop", "_id": doc_id}
    return {"_op_type": "index", "_index": "shop", "_id": doc_id,
            "_source": {"id": doc_id, "orders": value}}  # fmt: skip


def stored(chunk: list[dict]) -> list[tuple[bool, dict]]:
    return [(True, {a["_op_type"]: {"_id": a["_id"], "status": 200}}) for a in chunk]


# -- memory and order, without a server -----------------------------------------------


def test_memory_is_bounded_whatever_the_feed_size():
    policy = BulkPolicy(chunk_size=100, workers=3, queued_chunks=1)
    produced = delivered = peak = 0
    lock = threading.Lock()

    def feed() -> Iterator[dict]:
        nonlocal produced, peak
        for n in range(60_000):
            with lock:
                produced += 1
                peak = max(peak, produced - delivered)
            yield action(f"p{n}", n)

    def deliver(chunk: list[dict]) -> list[tuple[bool, dict]]:
        nonlocal delivered
        time.sleep(0.0005)  # a slower cluster than the producer
        with lock:
            delivered += len(chunk)
        return stored(chunk)

    outcome = BulkLoader(None, policy).load(feed(), deliver=deliver)  # type: ignore[arg-type]
    assert (outcome.applied, outcome.indexed) == (60_000, 60_000)
    # At most: a buffer filling, a chunk queued and one in flight per worker.
    assert peak <= policy.workers * (policy.queued_chunks + 2) * policy.chunk_size


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_later_changes_to_a_product_win_across_parallel_workers(seed):
    rnd = random.Random(seed)
    ids = [f"p{n}" for n in range(40)]
    changes = []
    for value in range(3_000):
        doc_id = rnd.choice(ids)
        changes.append(action(doc_id, value, "delete" if rnd.random() < 0.2 else "index"))
    expected: dict[str, int | None] = {}
    for change in changes:
        expected[change["_id"]] = change["_source"]["orders"] if "_source" in change else None
    store: dict[str, int | None] = {}
    lock = threading.Lock()

    def deliver(chunk: list[dict]) -> list[tuple[bool, dict]]:
        assert len({a["_id"] for a in chunk}) == len(chunk)  # an id once per request
        time.sleep(rnd.random() * 0.002)
        with lock:
            for change in chunk:
                store[change["_id"]] = change["_source"]["orders"] if "_source" in change else None
        return stored(chunk)

    policy = BulkPolicy(chunk_size=7, workers=4)
    outcome = BulkLoader(None, policy).load(changes, deliver=deliver)  # type: ignore[arg-type]
    assert store == expected
    assert outcome.applied == len(changes)  # superseded changes count as applied


def test_partitions_are_stable_and_spread():
    counts = [0] * 4
    for n in range(10_000):
        counts[partition_of(f"product-{n}", 4)] += 1
    assert partition_of("abc", 4) == partition_of("abc", 4)
    assert min(counts) > 2_000


def test_a_failing_worker_stops_the_load_and_raises():
    sent = 0

    def deliver(chunk: list[dict]) -> list[tuple[bool, dict]]:
        nonlocal sent
        sent += 1
        if sent == 3:
            raise ConnectionRefusedError("cluster gone")
        return stored(chunk)

    feed = (action(f"p{n}", n) for n in range(1_000_000))
    with pytest.raises(ConnectionRefusedError):
        BulkLoader(None, BulkPolicy(chunk_size=10, workers=2)).load(feed, deliver=deliver)  # type: ignore[arg-type]
    assert sent < 100  # stopped early, not after a million


def test_a_failing_feed_stops_the_workers_and_raises():
    def feed() -> Iterator[dict]:
        yield from (action(f"p{n}", n) for n in range(50))
        raise ValueError("feed broke")

    with pytest.raises(ValueError, match="feed broke"):
        BulkLoader(None, BulkPolicy(chunk_size=10)).load(feed(), deliver=stored)  # type: ignore[arg-type]


def test_when_every_document_is_refused_the_load_gives_up_early():
    refused = 0

    def deliver(chunk: list[dict]) -> list[tuple[bool, dict]]:
        nonlocal refused
        refused += len(chunk)
        error = {"type": "document_parsing_exception", "reason": "failed to parse [price_usd]"}
        return [(False, {"index": {"_id": a["_id"], "status": 400, "error": error}})
                for a in chunk]  # fmt: skip

    policy = BulkPolicy(chunk_size=100, workers=2, give_up_after_refusals=500)
    feed = (action(f"p{n}", n) for n in range(1_000_000))
    with pytest.raises(EngineUnavailable, match="refused the first .* stored none"):
        BulkLoader(None, policy).load(feed, deliver=deliver)  # type: ignore[arg-type]
    assert refused < 5_000


# -- retries of real client requests, against the fake -------------------------------


@pytest.fixture
def cluster() -> Iterator[FakeCluster]:
    cluster = FakeCluster()
    yield cluster
    cluster.close()


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    """The backoff delays streaming_bulk and the loader wait (without waiting them)."""
    delays: list[float] = []

    class Clock:
        @staticmethod
        def sleep(seconds: float) -> None:
            delays.append(seconds)

    monkeypatch.setattr(helper_actions, "time", Clock)
    return delays


def overloaded(times: int, status: int):
    """A fault answering the first `times` bulk requests with `status`."""
    left = {"n": times}

    def fault(entry):
        if entry["path"] == "/_bulk" and left["n"] > 0:
            left["n"] -= 1
            kind = "es_rejected_execution_exception" if status == 429 else "unavailable"
            return status, {"error": {"type": kind, "reason": "busy"}, "status": status}
        return None

    return fault


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_busy_or_unavailable_answers_are_retried_with_growing_backoff(cluster, sleeps, status):
    cluster.fault(overloaded(3, status))
    client = Elasticsearch(cluster.url, max_retries=0)
    policy = BulkPolicy(chunk_size=50, workers=1, max_retries=5, initial_backoff_s=0.5)
    outcome = BulkLoader(client, policy).load(action(f"p{n}", n) for n in range(120))
    assert outcome.indexed == 120
    assert len(cluster.documents("shop")) == 120
    assert sleeps == [0.5, 1.0, 2.0]  # exponential, one per refused request


def test_documents_refused_with_429_alone_are_sent_again(cluster, sleeps):
    state = {"first": True}

    def some_items_busy(entry):
        if entry["path"] != "/_bulk" or not state["first"]:
            return None
        state["first"] = False
        lines = [line for line in entry["body"].splitlines() if line.strip()]
        items = []
        for n, line in enumerate(lines[::2]):
            doc_id = line.split('"_id":"')[1].split('"')[0]
            status = 429 if n % 2 else 201
            items.append({"index": {"_index": "shop", "_id": doc_id, "status": status,
                                    **({"error": {"type": "es_rejected_execution_exception",
                                                  "reason": "queue full"}} if status == 429
                                       else {"result": "created"})}})  # fmt: skip
        return 200, {"took": 1, "errors": True, "items": items}

    cluster.fault(some_items_busy)
    client = Elasticsearch(cluster.url, max_retries=0)
    outcome = BulkLoader(client, BulkPolicy(chunk_size=10, workers=1, initial_backoff_s=0.1)).load(
        action(f"p{n}", n) for n in range(10)
    )
    assert (outcome.indexed, outcome.rejected) == (10, [])
    retried = cluster.requests("PUT", "/_bulk")[1]["body"]
    assert retried.count('"_op_type"') == 0 and retried.count('"index"') == 5  # the busy half
    assert sleeps == [0.1]


def test_retries_run_out_into_the_clients_error(cluster, sleeps):
    cluster.fault(overloaded(100, 503))
    client = Elasticsearch(cluster.url, max_retries=0)
    with pytest.raises(ApiError):
        BulkLoader(client, BulkPolicy(max_retries=2, initial_backoff_s=0.1)).load([action("p1", 1)])
    assert sleeps == [0.1, 0.2]
