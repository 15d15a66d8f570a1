"""Celery tasks: thin wrappers that take plain JSON values and call plain functions.

Every task is idempotent (rebuilding a list replaces it, an events file is stored once,
a reindex swaps in a complete index), acknowledged late and rejected back to the queue
if its worker dies, and retried with exponential backoff on transient errors.
"""

from __future__ import annotations

import logging
import time
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy.exc import OperationalError

from search.engines.base import EngineUnavailable
from vitrina.config import load_settings
from vitrina.services import Services

from .celery_app import app
from .events import ingest_events
from .indexing import index_feed
from .locking import LockTimeout
from .recommendations import Recommender, build_all, due_builds, local_today, parse_day
from .storage import database_for
from .storage.merchandising import built_lists

log = logging.getLogger("vitrina.tasks")

TRANSIENT = (EngineUnavailable, OperationalError, LockTimeout)
TASK_OPTIONS: dict[str, Any] = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": 2,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
}
REINDEX_PENDING_TTL_S = 6 * 3600
CATCH_UP_DAYS = 3


_services: dict[tuple, Services] = {}


def services() -> Services:
    """This process's Services for the current environment (built once per settings)."""
    settings = load_settings()
    key = (
        settings.data_dir,
        settings.database,
        settings.search_backend,
        settings.elasticsearch_url,
        settings.elasticsearch_index,
        settings.celery_broker_url,
    )
    if key not in _services:
        _services[key] = Services(settings)
    return _services[key]


def recommender(svc: Services | None = None) -> Recommender:
    svc = svc or services()
    return Recommender(database_for(svc.settings), svc.indexing_engine, svc.registry)


# -- collapsing reindex requests ---------------------------------------------------


def _pending_key(feed_path: str, full: bool) -> str:
    return f"vitrina:reindex-pending:{'full' if full else 'changes'}:{feed_path}"


@cache
def _redis(url: str):
    import redis

    return redis.Redis.from_url(url)


def request_reindex(feed_path: str, full: bool = True) -> dict[str, Any]:
    """Ask for a reindex; while one for the same feed is still queued, a new request is
    folded into it (no reindex storms). Without a broker it runs here and now."""
    svc = services()
    broker = svc.settings.celery_broker_url
    if not broker:
        return _index(svc, feed_path, full)
    task = reindex if full else index_changes
    if broker.startswith(("redis://", "rediss://")):
        fresh = _redis(broker).set(
            _pending_key(feed_path, full), "1", nx=True, ex=REINDEX_PENDING_TTL_S
        )
        if not fresh:
            return {"queued": False, "reason": "a reindex of this feed is already queued"}
    result = task.delay(feed_path)
    return {"queued": True, "task_id": result.id}


def _index(svc: Services, feed_path: str, full: bool) -> dict[str, Any]:
    broker = svc.settings.celery_broker_url
    if broker and broker.startswith(("redis://", "rediss://")):
        # Requests made from now on need a run after this one: let them queue.
        _redis(broker).delete(_pending_key(feed_path, full))
    report = index_feed(
        Path(feed_path),
        svc.indexing_engine,
        svc.settings.ensure_data_dir(),
        full=full,
        analyzer=svc.analyzer,
    )
    return {"summary": report.summary(), "products": report.products, "rejected": report.rejected}


# -- tasks -------------------------------------------------------------------------


@app.task(name="vitrina.reindex", **TASK_OPTIONS)
def reindex(self, feed_path: str) -> dict[str, Any]:
    """Rebuild the index from a feed and swap it in when complete."""
    return _index(services(), feed_path, full=True)


@app.task(name="vitrina.index_changes", **TASK_OPTIONS)
def index_changes(self, feed_path: str) -> dict[str, Any]:
    """Apply a feed of changes to the live index."""
    return _index(services(), feed_path, full=False)


@app.task(name="vitrina.ingest_events", **TASK_OPTIONS)
def ingest_events_task(self, path: str) -> dict[str, Any]:
    """Store an order-events file (once, however often it is delivered)."""
    svc = services()
    report = ingest_events(Path(path), database_for(svc.settings), svc.settings.ensure_data_dir())
    return {"summary": report.summary(), "stored": report.accepted, "rejected": report.rejected}


@app.task(name="vitrina.build_recommendations", **TASK_OPTIONS)
def build_recommendations(self, country: str, date: str) -> dict[str, Any]:
    """Build (or rebuild) one country's list for one local date."""
    built = recommender().build(country, parse_day(date))
    return {"country": built.country, "date": built.date.isoformat(), "items": len(built.entries)}


@app.task(name="vitrina.build_all_recommendations", **TASK_OPTIONS)
def build_all_recommendations(self, date: str | None = None) -> list[dict[str, Any]]:
    """Build every country's list for `date` (default: each country's local today)."""
    built = build_all(recommender(), parse_day(date) if date else None)
    return [
        {"country": b.country, "date": b.date.isoformat(), "items": len(b.entries)} for b in built
    ]


@app.task(name="vitrina.recommendations_tick", **TASK_OPTIONS)
def recommendations_tick(self) -> list[list[str]]:
    """Beat: fan out one build per country whose recent local dates lack a list."""
    due = pending_builds()
    for country, day in due:
        build_recommendations.delay(country, day.isoformat())
    return [[country, day.isoformat()] for country, day in due]


def pending_builds(now: float | None = None) -> list[tuple[str, date]]:
    """The (country, date) lists the beat tick would fan out now."""
    svc = services()
    registry = svc.registry
    moment = time.time() if now is None else now
    timezones = {code: c.timezone for code, c in registry.countries.items()}
    db = database_for(svc.settings)
    existing = {}
    with db.connect() as conn:
        for code in timezones:
            since = local_today(timezones[code], moment) - timedelta(days=CATCH_UP_DAYS)
            existing[code] = built_lists(conn, code, since)
    return due_builds(moment, timezones, existing, CATCH_UP_DAYS)
