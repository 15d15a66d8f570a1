"""Celery tasks: thin wrappers that take plain JSON values and call plain functions.

Every task is idempotent (rebuilding a list replaces it, an events file is stored once,
a reindex swaps in a complete index), acknowledged late and rejected back to the queue
if its worker dies, and retried with exponential backoff on transient errors. Each
reaches the worker process's services (built once, by the composition root) through
`self.services` of their base class, ServicesTask.
"""

from __future__ import annotations

import threading
from functools import cached_property
from pathlib import Path
from typing import Any

from celery import Task
from celery.utils.imports import symbol_by_name
from redis.exceptions import ConnectionError as RedisDown
from redis.exceptions import TimeoutError as RedisTimeout
from sqlalchemy.exc import OperationalError

from merchandising.dates import parse_day
from search.engines.base import EngineUnavailable

from .celery_app import app
from .events import ingest_events
from .jobs import WorkerServices, run_index, run_list_build
from .locking import LockTimeout
from .safeguards import DiskFull

_building = threading.Lock()


class ServicesTask(Task):
    """Base class of every task: `self.services` are the worker process's services.

    The composition root named in the app's `vitrina_services` setting builds them,
    once per process, on the first task that needs them.
    """

    @cached_property
    def services(self) -> WorkerServices:
        with _building:
            factory = symbol_by_name(self.app.conf.vitrina_services)
            return factory()


# Redis answering late or not at all (the indexing lock lives there with Elasticsearch),
# and a full disk (the index in service is untouched; the retries give time to free space).
TRANSIENT = (EngineUnavailable, OperationalError, LockTimeout, RedisDown, RedisTimeout, DiskFull)
TASK_OPTIONS: dict[str, Any] = {
    "base": ServicesTask,
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": 2,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
}


@app.task(name="vitrina.reindex", **TASK_OPTIONS)
def reindex(self: ServicesTask, feed_path: str) -> dict[str, Any]:
    """Rebuild the index from a feed and swap it in when complete."""
    return run_index(self.services, feed_path, full=True)


@app.task(name="vitrina.index_changes", **TASK_OPTIONS)
def index_changes(self: ServicesTask, feed_path: str) -> dict[str, Any]:
    """Apply a feed of changes to the live index."""
    return run_index(self.services, feed_path, full=False)


@app.task(name="vitrina.ingest_events", **TASK_OPTIONS)
def ingest_events_task(self: ServicesTask, path: str) -> dict[str, Any]:
    """Store an order-events file (once, however often it is delivered)."""
    svc = self.services
    report = ingest_events(Path(path), svc.database, svc.data_dir)
    return {"summary": report.summary(), **report.counts()}


@app.task(name="vitrina.build_recommendations", **TASK_OPTIONS)
def build_recommendations(self: ServicesTask, country: str, date: str) -> dict[str, Any]:
    """Build (or rebuild) one country's list for one local date."""
    return run_list_build(self.services, country, parse_day(date))


@app.task(name="vitrina.build_all_recommendations", **TASK_OPTIONS)
def build_all_recommendations(self: ServicesTask, date: str | None = None) -> list[dict[str, Any]]:
    """Build every country's list for `date` (default: each country's local today)."""
    built = self.services.recommendations.build_all(parse_day(date) if date else None)
    return [
        {"country": b.country, "date": b.date.isoformat(), "items": len(b.entries)} for b in built
    ]


@app.task(name="vitrina.recommendations_tick", **TASK_OPTIONS)
def recommendations_tick(self: ServicesTask) -> list[list[str]]:
    """Beat: fan out one build per country whose recent local dates lack a list."""
    due = self.services.recommendations.due()
    for country, day in due:
        build_recommendations.delay(country, day.isoformat())
    return [[country, day.isoformat()] for country, day in due]
