"""Celery tasks against the real Redis and PostgreSQL, with real workers (no eager mode).

Each run uses its own Redis database number and a fresh PostgreSQL schema, and
removes both afterwards.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import pytest

from indexer.indexing import index_feed
from tests.conftest import ROOT, make_product, write_feed

pytestmark = [
    pytest.mark.services,
    pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning"),
]

PG_DSN = os.environ.get("VITRINA_TEST_PG", "host=127.0.0.1 port=5432 user=postgres dbname=test")
PG_URL = os.environ.get("VITRINA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_BASE = os.environ.get("VITRINA_TEST_REDIS", "redis://127.0.0.1:6379")
CLAIM = "vitrina:test-run"
DAY = date(2026, 11, 27)


@pytest.fixture(scope="module")
def redis_url():
    """An empty Redis database number claimed for this run (concurrent runs get others)."""
    redis = pytest.importorskip("redis")
    run = uuid.uuid4().hex
    for number in range(15, 0, -1):
        client = redis.Redis.from_url(f"{REDIS_BASE}/{number}", socket_connect_timeout=1)
        try:
            claimed = client.set(CLAIM, run, nx=True, ex=3600)
        except redis.RedisError as exc:
            pytest.skip(f"Redis does not answer at {REDIS_BASE}: {exc}")
        if claimed and client.dbsize() == 1:
            break
        if claimed:
            client.delete(CLAIM)  # someone else's data is there
    else:
        pytest.skip(f"no empty Redis database number at {REDIS_BASE}")
    yield f"{REDIS_BASE}/{number}"
    client.flushdb()


@pytest.fixture(scope="module")
def pg_schema():
    psycopg = pytest.importorskip("psycopg")
    try:
        conn = psycopg.connect(PG_DSN, autocommit=True, connect_timeout=2)
    except psycopg.Error as exc:
        pytest.skip(f"PostgreSQL does not answer at {PG_DSN}: {exc}")
    schema = f"vitrina_test_{uuid.uuid4().hex[:10]}"
    conn.execute(f'CREATE SCHEMA "{schema}"')
    yield f"{PG_URL}?options=-csearch_path%3D{schema}", conn, schema
    conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    conn.close()


@pytest.fixture(scope="module")
def env(redis_url, pg_schema, tmp_path_factory):
    """Environment of the workers: this run's Redis db, PostgreSQL schema and data dir."""
    data_dir = tmp_path_factory.mktemp("celery") / "var"
    values = {
        "VITRINA_DATA_DIR": str(data_dir),
        "DATABASE_URL": pg_schema[0],
        "CELERY_BROKER_URL": redis_url,
        "VITRINA_SEARCH_BACKEND": "embedded",
    }
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    from vitrina.services import Services

    svc = Services()
    products = [
        make_product(f"p{i}", f"товар {i}", category=cat, orders=100 - i)
        for i, cat in enumerate(["shoes", "toys", "food", "sports", "hair", "apparel"] * 4)
    ]
    index_feed(
        write_feed(data_dir.parent / "feed.jsonl", products),
        svc.indexing_engine,
        svc.data_dir,
    )
    events = [
        {
            "product_id": f"p{i}",
            "country": c,
            "quantity": 1 + i % 3,
            "ts": f"2026-11-2{i % 6}T1{i % 10}:00:00Z",
        }
        for i in range(24)
        for c in ("RU", "US", "DE")
    ]
    values["events"] = str(write_feed(data_dir.parent / "events.jsonl", events))
    yield values
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="module")
def celery_app(env):
    from indexer.celery_app import app

    app.conf.update(broker_url=env["CELERY_BROKER_URL"], result_backend=env["CELERY_BROKER_URL"])
    return app


@pytest.fixture
def worker(celery_app):
    from celery.contrib.testing.worker import start_worker

    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as w:
        yield w


def lists_for(conn, schema: str, country: str, day: date) -> list[tuple]:
    return conn.execute(
        f'SELECT l.id, i.position, i.product_id, i.reason FROM "{schema}".recommendation_lists l '
        f'JOIN "{schema}".recommendation_items i ON i.list_id = l.id '
        "WHERE l.country = %s AND l.date = %s ORDER BY i.position",
        (country, day),
    ).fetchall()


def test_ingest_then_build_is_repeatable(worker, env, pg_schema):
    from indexer.tasks import build_recommendations, ingest_events_task

    stored = ingest_events_task.delay(env["events"]).get(timeout=60)
    assert stored["stored"] == 72
    again = ingest_events_task.delay(env["events"]).get(timeout=60)  # redelivery or repeat
    assert again["stored"] == 0
    first = build_recommendations.delay("RU", DAY.isoformat()).get(timeout=60)
    assert first == {"country": "RU", "date": "2026-11-27", "items": 20}
    _, conn, schema = pg_schema
    before = lists_for(conn, schema, "RU", DAY)
    build_recommendations.delay("RU", DAY.isoformat()).get(timeout=60)
    after = lists_for(conn, schema, "RU", DAY)
    assert [row[1:] for row in after] == [row[1:] for row in before]
    assert len({row[0] for row in after}) == 1  # one list per (country, date)
    assert after[0][3] == "trending"


def test_build_all_fans_out_over_every_country(worker, celery_app, pg_schema):
    from indexer.tasks import build_all_recommendations
    from vitrina.services import Services

    built = build_all_recommendations.delay(DAY.isoformat()).get(timeout=120)
    assert sorted(b["country"] for b in built) == sorted(Services().registry.countries)
    _, conn, schema = pg_schema
    count = conn.execute(
        f'SELECT count(*) FROM "{schema}".recommendation_lists WHERE date = %s', (DAY,)
    ).fetchone()[0]
    assert count == len(built)


def test_beat_tick_builds_every_countrys_local_today(worker, pg_schema):
    from indexer.tasks import recommendations_tick
    from merchandising.dates import local_today
    from vitrina.services import Services

    due = recommendations_tick.delay().get(timeout=60)
    lists = Services().recommendations
    registry = lists.registry
    assert {c for c, _ in due} == set(registry.countries)
    deadline = time.monotonic() + 120
    while lists.due() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert lists.due() == []
    _, conn, schema = pg_schema
    for code, country in registry.countries.items():
        assert lists_for(conn, schema, code, local_today(country.timezone))


def test_a_build_killed_mid_way_is_redelivered_and_leaves_one_list(
    env, celery_app, pg_schema, tmp_path
):
    from celery.result import AsyncResult

    _, conn, schema = pg_schema
    day = date(2026, 11, 20)
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "indexer.celery_app",
            "worker",
            "-P",
            "prefork",
            "-c",
            "1",
            "--loglevel",
            "INFO",
        ],
        cwd=ROOT,
        env={**os.environ},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        with conn.transaction():
            # Hold the list table so the task blocks inside its write transaction.
            conn.execute(f'LOCK TABLE "{schema}".recommendation_lists IN ACCESS EXCLUSIVE MODE')
            result = celery_app.send_task(
                "vitrina.build_recommendations", args=["DE", day.isoformat()]
            )
            deadline = time.monotonic() + 60
            while AsyncResult(result.id, app=celery_app).state != "STARTED":
                assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()
                time.sleep(0.1)
            pid = AsyncResult(result.id, app=celery_app).info["pid"]
            assert pid not in (os.getpid(), worker.pid)  # a pool child of the worker
            time.sleep(1.0)  # inside the build, waiting for the table
            os.kill(pid, signal.SIGKILL)
            time.sleep(0.5)
        # The lock is released; the message comes back and a new child builds the list.
        assert result.get(timeout=90) == {"country": "DE", "date": day.isoformat(), "items": 20}
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        log.close()
    text = (tmp_path / "worker.log").read_text()
    assert "WorkerLostError" in text or "SIGKILL" in text
    rows = lists_for(conn, schema, "DE", day)
    assert len({row[0] for row in rows}) == 1 and len(rows) == 20
    count = conn.execute(
        f'SELECT count(*) FROM "{schema}".recommendation_lists WHERE country = %s AND date = %s',
        ("DE", day),
    ).fetchone()[0]
    assert count == 1


def test_reindex_requests_collapse_while_one_is_queued(env, celery_app):
    import redis

    from vitrina.services import Services

    feed = str(Path(env["VITRINA_DATA_DIR"]).parent / "feed.jsonl")
    jobs = Services().jobs
    first = jobs.reindex(feed)
    second = jobs.reindex(feed)
    assert first["queued"] is True
    assert second == {"queued": False, "reason": "a reindex of this feed is already queued"}
    client = redis.Redis.from_url(env["CELERY_BROKER_URL"])
    client.delete("indexing")  # drop the queued reindex: no worker of this test consumes it
    client.delete(f"vitrina:reindex-pending:full:{feed}")


def test_a_missing_list_is_queued_once_while_its_build_is_pending(env, celery_app):
    import redis

    from vitrina.services import Services

    jobs = Services().jobs
    day = date(2026, 11, 21)
    assert jobs.build_list("BR", day)["queued"] is True
    assert jobs.build_list("BR", day) == {
        "queued": False,
        "reason": "a build of this list is already queued",
    }
    client = redis.Redis.from_url(env["CELERY_BROKER_URL"])
    client.delete("recommendations")  # no worker of this test consumes it
    jobs.started("vitrina:list-pending:BR:2026-11-21")  # what the task does when it starts
    assert jobs.build_list("BR", day)["queued"] is True
    client.delete("recommendations", "vitrina:list-pending:BR:2026-11-21")


def test_a_build_waiting_for_the_index_is_retried_with_backoff(worker, celery_app, env):
    from celery.result import AsyncResult

    from indexer.tasks import build_recommendations

    index = Path(env["VITRINA_DATA_DIR"]) / "index"
    away = index.with_name("index.away")
    index.rename(away)  # the search index is gone for now
    try:
        result = build_recommendations.delay("US", "2026-11-25")
        deadline = time.monotonic() + 30
        while AsyncResult(result.id, app=celery_app).state != "RETRY":
            assert time.monotonic() < deadline, AsyncResult(result.id, app=celery_app).state
            time.sleep(0.05)
    finally:
        away.rename(index)  # the engine comes back
    assert result.get(timeout=60) == {"country": "US", "date": "2026-11-25", "items": 20}


def test_postgres_copy_keeps_awkward_product_ids_and_prices(env, pg_schema, tmp_path):
    from indexer.events import ingest_events
    from vitrina.services import Services

    ids = ["tab\there", "back\\slash", "new\nline", "сумка-кожаная", "semi;colon", "\\N"]
    events = [
        {
            "product_id": pid,
            "country": "BR",
            "quantity": i + 1,
            "ts": "2026-11-26T10:00:00-03:00",
            "price_usd": 0.1 * (i + 1) if i % 2 else None,
        }
        for i, pid in enumerate(ids)
    ]
    for event in events:
        if event["price_usd"] is None:
            del event["price_usd"]
    feed = write_feed(tmp_path / "awkward.jsonl", events)
    svc = Services()
    report = ingest_events(feed, svc.database, svc.data_dir)
    assert report.accepted == len(ids)
    _, conn, schema = pg_schema
    rows = conn.execute(
        f'SELECT product_id, quantity, ts, price_usd FROM "{schema}".order_events WHERE country = %s ORDER BY quantity',
        ("BR",),
    ).fetchall()
    assert [r[0] for r in rows] == ids
    assert {r[2] for r in rows} == {1795698000}
    assert [r[3] for r in rows] == [e.get("price_usd") for e in events]
