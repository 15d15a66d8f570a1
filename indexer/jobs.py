"""Work that writes — reindexing, building a daily list — sent to the Celery workers when a
broker is configured, or done in this process when there is none.

Requests for the same work collapse while one is queued (a Redis key with an expiry),
so a burst of requests queues it once: no reindex storms, no list build per page view.
The plain functions here are what the tasks of indexer/tasks.py run.
"""

from __future__ import annotations

from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from search.analysis.analyzer import Analyzer
from search.engines.base import SearchEngine
from storage import Database

from .indexing import index_feed
from .locking import LOCK_NAME, WAIT_S, IndexingLock, RedisIndexingLock, indexing_lock

if TYPE_CHECKING:
    import redis
    from celery import Celery

    from merchandising.service import RecommendationService

PENDING_TTL_S = 6 * 3600  # a queued request is forgotten after this long (its task was lost)
LIST_PENDING_TTL_S = 600


class WorkerServices(Protocol):
    """What the tasks and in-process jobs use; the composition root provides it."""

    @property
    def data_dir(self) -> Path: ...
    @property
    def index_max_shrink(self) -> float: ...
    @property
    def analyzer(self) -> Analyzer: ...
    @property
    def indexing_engine(self) -> SearchEngine: ...
    @property
    def database(self) -> Database: ...
    @property
    def recommendations(self) -> RecommendationService: ...
    @property
    def jobs(self) -> Jobs: ...


def run_index(services: WorkerServices, feed_path: str, full: bool) -> dict[str, Any]:
    """Index a feed (the `vitrina.reindex` and `vitrina.index_changes` tasks)."""
    services.jobs.started(_reindex_key(feed_path, full))
    report = index_feed(
        Path(feed_path),
        services.indexing_engine,
        services.data_dir,
        full=full,
        analyzer=services.analyzer,
        max_shrink=services.index_max_shrink,
        lock=services.jobs.indexing_lock(full),
        vocabulary_lock=services.jobs.vocabulary_lock(full),
    )
    return {"summary": report.summary(), "products": report.products, "rejected": report.rejected}


def run_list_build(services: WorkerServices, country: str, day: date) -> dict[str, Any]:
    """Build one daily list (the `vitrina.build_recommendations` task)."""
    services.jobs.started(_list_key(country, day))
    built = services.recommendations.build(country, day)
    return {"country": built.country, "date": built.date.isoformat(), "items": len(built.entries)}


class Jobs:
    """Sends work to the workers through `celery` (when `broker_url` is set) or runs it
    with `here`, the services of this process."""

    def __init__(
        self,
        here: WorkerServices,
        celery: Celery,
        broker_url: str | None,
        *,
        shared_index: bool = False,
        lock_name: str = LOCK_NAME,
    ) -> None:
        """`shared_index`: the index is shared by several hosts (Elasticsearch), so its
        indexing lock lives in the broker's Redis (`lock_name`) rather than the data dir."""
        self.here = here
        self.celery = celery
        self.broker_url = broker_url
        self.shared_index = shared_index
        self.lock_name = lock_name
        self.lock_wait_s = WAIT_S  # how long a run waits for its lock (then LockTimeout)

    @property
    def queued(self) -> bool:
        """Whether work goes to the workers (a broker is configured)."""
        return self.broker_url is not None

    def reindex(self, feed_path: str, full: bool = True) -> dict[str, Any]:
        """Ask for a reindex; while one for the same feed is still queued, a new request
        is folded into it. Without a broker it runs here and now."""
        if not self.queued:
            return run_index(self.here, feed_path, full)
        if not self._claim(_reindex_key(feed_path, full), PENDING_TTL_S):
            return {"queued": False, "reason": "a reindex of this feed is already queued"}
        task = "vitrina.reindex" if full else "vitrina.index_changes"
        return {"queued": True, "task_id": self.celery.send_task(task, args=[feed_path]).id}

    def build_list(self, country: str, day: date) -> dict[str, Any]:
        """Ask for one daily list; queued once while a build of it is pending."""
        if not self.queued:
            return run_list_build(self.here, country, day)
        if not self._claim(_list_key(country, day), LIST_PENDING_TTL_S):
            return {"queued": False, "reason": "a build of this list is already queued"}
        result = self.celery.send_task("vitrina.build_recommendations", args=[country, str(day)])
        return {"queued": True, "task_id": result.id}

    def indexing_lock(self, full: bool = True) -> IndexingLock:
        """The lock an indexing run takes: the data dir's file lock, or, when the index is
        shared and the broker is Redis, one in Redis that every host sees. A shared index
        (Elasticsearch) takes changes while a rebuild loads (they are journaled and
        replayed), so there rebuilds and change runs take separate locks."""
        if self.shared_index and self._redis is not None:
            name = self.lock_name if full else self._changes_lock
            return RedisIndexingLock(self._redis, name, wait_s=self.lock_wait_s)
        data_dir, wait_s = self.here.data_dir, self.lock_wait_s
        return lambda: indexing_lock(data_dir, wait_s)

    def vocabulary_lock(self, full: bool = True) -> IndexingLock | None:
        """What a run takes to publish the vocabulary beyond its own lock: a rebuild beside
        which change runs go on takes theirs (change runs merge into the vocabulary)."""
        if full and self.shared_index and self._redis is not None:
            return RedisIndexingLock(self._redis, self._changes_lock, wait_s=self.lock_wait_s)
        return None

    @property
    def _changes_lock(self) -> str:
        return f"{self.lock_name}:changes"

    def started(self, key: str) -> None:
        """A task began: requests made from now on need a run after this one, so let them queue."""
        if self._redis is not None:
            self._redis.delete(key)

    def _claim(self, key: str, ttl_s: int) -> bool:
        """True for the first request of a kind while none is pending (always without Redis)."""
        if self._redis is None:
            return True
        return bool(self._redis.set(key, "1", nx=True, ex=ttl_s))

    @cached_property
    def _redis(self) -> redis.Redis | None:
        """The broker's Redis, where pending requests are remembered (None for other brokers)."""
        if not self.broker_url or not self.broker_url.startswith(("redis://", "rediss://")):
            return None
        import redis

        return redis.Redis.from_url(self.broker_url, socket_connect_timeout=2, socket_timeout=2)


def _reindex_key(feed_path: str, full: bool) -> str:
    return f"vitrina:reindex-pending:{'full' if full else 'changes'}:{feed_path}"


def _list_key(country: str, day: date) -> str:
    return f"vitrina:list-pending:{country}:{day.isoformat()}"
