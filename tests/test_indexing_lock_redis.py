"""The indexing lock of several hosts, in the real Redis at 127.0.0.1:6379.

Two contenders, a crashed holder whose lock expires, an owner token that keeps a run
whose lock expired from releasing the next holder's; which lock each setup gets; and
the reindex-storm guard on the command that asks for reindexes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.jobs import Jobs, run_index
from indexer.locking import LockTimeout, RedisIndexingLock
from tests.conftest import ROOT, make_product, write_feed
from vitrina.config import Settings
from vitrina.services import Services

pytestmark = pytest.mark.services

REDIS_URL = os.environ.get("VITRINA_TEST_REDIS", "redis://127.0.0.1:6379") + "/0"


@pytest.fixture
def client():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis does not answer at {REDIS_URL}: {exc}")
    return client


@pytest.fixture
def name(client) -> Iterator[str]:
    """A lock name of this test alone, removed afterwards."""
    key = f"vitrina:test-indexing-lock:{uuid.uuid4().hex}"
    yield key
    client.delete(key)


def test_two_contenders_take_turns(client, name):
    first = RedisIndexingLock(client, name, ttl_s=5)
    impatient = RedisIndexingLock(client, name, ttl_s=5, wait_s=0.3)
    patient = RedisIndexingLock(client, name, ttl_s=5, wait_s=30)
    holding, held_by_patient = threading.Event(), threading.Event()
    order: list[str] = []

    def second_run() -> None:
        holding.wait(10)
        with patient():
            order.append("second")
            held_by_patient.set()

    waiter = threading.Thread(target=second_run)
    waiter.start()
    with first():
        order.append("first")
        holding.set()
        with pytest.raises(LockTimeout, match="indexing is busy"), impatient():
            order.append("never")
        assert not held_by_patient.wait(0.5)  # still waiting for the first run
        token = first.holder()
        assert token and token.split(":")[1] == str(os.getpid())  # who indexes: host:pid:…
    waiter.join(30)
    assert order == ["first", "second"]
    assert client.get(name) is None  # released


def test_a_crashed_holders_lock_expires_and_a_live_one_is_extended(client, name, tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", (
            "import sys, time, redis\n"
            "from indexer.locking import RedisIndexingLock\n"
            f"lock = RedisIndexingLock(redis.Redis.from_url({REDIS_URL!r}), {name!r}, ttl_s=1)\n"
            "with lock():\n"
            "    print('held', flush=True)\n"
            "    time.sleep(600)\n"
        )],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        contender = RedisIndexingLock(client, name, ttl_s=1, wait_s=2.5)
        # Two and a half times its expiry: the holder's keeper extended it all along.
        with pytest.raises(LockTimeout), contender():
            pass
        assert client.pttl(name) > 0
        holder.send_signal(signal.SIGKILL)  # crashes without releasing
        holder.wait(10)
        took_over = RedisIndexingLock(client, name, ttl_s=5, wait_s=30)
        with took_over():
            assert str(holder.pid) not in (took_over.holder() or "")
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.wait(10)


def test_the_owner_token_keeps_an_expired_run_from_releasing_the_next_holders_lock(client, name):
    slow = RedisIndexingLock(client, name, ttl_s=30)
    nxt = RedisIndexingLock(client, name, ttl_s=30, wait_s=30)
    taken, done = threading.Event(), threading.Event()
    tokens: list[str | None] = []

    def next_run() -> None:
        with nxt():
            tokens.append(nxt.holder())
            taken.set()
            done.wait(30)

    with slow():
        mine = slow.holder()
        client.delete(name)  # what the expiry does when the holder stalls past ttl_s
        other = threading.Thread(target=next_run)
        other.start()
        assert taken.wait(30)
    # The stalled run ended and released: the next holder's lock is untouched.
    assert client.get(name).decode() == tokens[0] != mine
    stranger = client.lock(name, thread_local=False)
    from redis.exceptions import LockNotOwnedError

    with pytest.raises(LockNotOwnedError):
        stranger.do_release(expected_token=b"not-the-owner")
    assert client.get(name).decode() == tokens[0]
    done.set()
    other.join(30)
    assert client.get(name) is None


def test_each_setup_gets_its_lock(client, tmp_path: Path):
    def jobs(backend: str, broker: str | None) -> Jobs:
        services = Services(Settings(data_dir=tmp_path / backend, search_backend=backend,
                                     elasticsearch_url="http://127.0.0.1:9",
                                     celery_broker_url=broker))  # fmt: skip
        return services.jobs

    shared = jobs("elasticsearch", REDIS_URL).indexing_lock()
    assert isinstance(shared, RedisIndexingLock)
    assert shared.name == "vitrina:indexing-lock:vitrina-products"
    # Without a Redis broker, or with the embedded engine: the data dir's file lock.
    for backend, broker in (("elasticsearch", None), ("embedded", REDIS_URL), ("embedded", None)):
        lock = jobs(backend, broker).indexing_lock()
        assert not isinstance(lock, RedisIndexingLock)
        with lock():
            assert (tmp_path / backend / "indexing.lock").exists()


def test_on_a_shared_index_changes_go_on_while_a_rebuild_holds_its_lock(client, tmp_path):
    from tests.es_fake import FakeCluster

    cluster = FakeCluster()
    alias = f"vitrina-test-{uuid.uuid4().hex[:8]}"
    services = Services(Settings(data_dir=tmp_path / "var", search_backend="elasticsearch",
                                 elasticsearch_url=cluster.url, elasticsearch_index=alias,
                                 celery_broker_url=REDIS_URL))  # fmt: skip
    jobs = services.jobs
    jobs.lock_wait_s = 5.0  # a change run that waited for the rebuild would fail, not hang
    rebuild_lock, changes_lock = jobs.indexing_lock(True), jobs.indexing_lock(False)
    assert isinstance(rebuild_lock, RedisIndexingLock)
    assert isinstance(changes_lock, RedisIndexingLock)
    assert changes_lock.name == f"vitrina:indexing-lock:{alias}:changes" != rebuild_lock.name
    publishing = jobs.vocabulary_lock(True)
    assert isinstance(publishing, RedisIndexingLock) and publishing.name == changes_lock.name
    assert jobs.vocabulary_lock(False) is None  # a change run already holds that lock
    try:
        first = write_feed(tmp_path / "feed.jsonl", [make_product("p1", "Сумка")])
        run_index(services, str(first), full=True)
        changes = write_feed(tmp_path / "changes.jsonl", [make_product("p2", "Рюкзак")])
        with rebuild_lock():  # a rebuild is loading on another host
            assert run_index(services, str(changes), full=False)["products"] == 2
        assert set(cluster.live_documents(alias)) == {"p1", "p2"}
        assert services.vocabulary_store.get().word_df("рюкзак") == 1
    finally:
        cluster.close()
        client.delete(rebuild_lock.name, changes_lock.name)


def test_index_queue_folds_a_storm_of_requests_into_one(client, tmp_path: Path, monkeypatch):
    """`vitrina index FEED --queue` asks through the storm guard: one task, however many asks."""
    from click.testing import CliRunner

    from vitrina.cli import main

    db = _empty_db(client)
    broker = REDIS_URL.rsplit("/", 1)[0] + f"/{db}"
    feed = write_feed(tmp_path / "feed.jsonl", [make_product("p1", "Сумка")])
    monkeypatch.setenv("VITRINA_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("CELERY_BROKER_URL", broker)
    monkeypatch.delenv("VITRINA_SEARCH_BACKEND", raising=False)
    try:
        answers = []
        for _ in range(5):
            result = CliRunner().invoke(main, ["index", str(feed), "--queue"])
            assert result.exit_code == 0, result.output
            answers.append(json.loads(result.output))
        assert answers[0]["queued"] is True
        assert all(a == {"queued": False, "reason": "a reindex of this feed is already queued"}
                   for a in answers[1:])  # fmt: skip
        import redis

        queued = redis.Redis.from_url(broker).llen("indexing")
        assert queued == 1
    finally:
        import redis

        redis.Redis.from_url(broker).flushdb()


def _empty_db(client) -> int:
    """A Redis database number nothing else uses now (claimed with a key, flushed after)."""
    import redis

    base = REDIS_URL.rsplit("/", 1)[0]
    for number in range(15, 0, -1):
        other = redis.Redis.from_url(f"{base}/{number}")
        if other.set("vitrina:test-run", "lock-test", nx=True, ex=600):
            if other.dbsize() == 1:
                return number
            other.delete("vitrina:test-run")  # someone else's data is there
    pytest.skip("no empty Redis database number")
