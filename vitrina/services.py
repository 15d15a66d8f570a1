"""The composition root: the only place that builds the long-lived objects of a process.

Settings, the locale registry, the analyzer, the search engines, the database, the
search and recommendation services, merchandising and accounts are built here, each
once and on first use, and handed to each entry point: the web app keeps them in
`app.extensions` (web/app.py), Celery tasks reach them through their base class
(indexer/tasks.py, which names `worker_services` below), the command line through
click's `ctx.obj` (vitrina/cli.py). Nothing under search/, indexer/, merchandising/,
storage/, web/ or locales/ imports this module.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from indexer.jobs import Jobs
from locales.registry import Registry, load_registry
from merchandising.accounts import Accounts
from merchandising.audit import AuditLog
from merchandising.curation import Curation
from merchandising.reports import SearchReports
from merchandising.rules import QueryRules
from merchandising.service import RecommendationService
from merchandising.synonyms import Wording
from merchandising.throttle import LoginThrottle
from search.analysis.analyzer import Analyzer, default_analyzer
from search.analytics import SearchLog
from search.engines import SearchEngine, create_engine
from search.params import SearchParams
from search.service import SearchOutcome, SearchService
from search.tuning import SearchTuning
from search.understanding.editable import checked_expansions
from search.understanding.pipeline import QueryUnderstanding
from search.understanding.synonyms import Synonyms
from search.understanding.translit import Transliterator
from search.vocabulary import VocabularyStore, vocabulary_path
from storage import Database
from storage.database import SERVING_SQLITE_CACHE_MB

from .config import Settings, load_settings

if TYPE_CHECKING:
    from celery import Celery

# Per-word caches of a serving process, at ~280 and ~480 bytes an entry ~6 and ~10 MB at
# most. Shoppers' words and the spelling candidates tried for them are endless (~8 new
# words a query): a bigger lemma cache only holds more words seen once.
SERVING_WORD_CACHE = 20_000
SERVING_WORD_TERMS_CACHE = 20_000


class Services:
    """The long-lived objects of one process, built from one Settings.

    `settings` defaults to the environment's (read on first use, so commands that
    need none, like `vitrina locales`, never parse them). `serving` marks a web worker's
    services: each database statement and broker call gives up after the settings' web
    timeouts, so a silent dependency costs a request a second or two, never the worker.
    """

    def __init__(self, settings: Settings | None = None, *, serving: bool = False) -> None:
        self._given = settings
        self.serving = serving  # a web worker: short database and broker timeouts

    @cached_property
    def settings(self) -> Settings:
        return self._given or load_settings()

    @property
    def data_dir(self) -> Path:
        """The data dir, created if need be."""
        return self.settings.ensure_data_dir()

    @property
    def index_max_shrink(self) -> float:
        """The share of the catalog a full reindex may drop (VITRINA_INDEX_MAX_SHRINK)."""
        return self.settings.index_max_shrink

    @property
    def secret_key(self) -> str:
        return self.settings.session_secret()

    # -- search ------------------------------------------------------------------

    @cached_property
    def registry(self) -> Registry:
        return load_registry(data_dir=self.settings.data_dir)

    @cached_property
    def analyzer(self) -> Analyzer:
        analyzer = default_analyzer()
        if self.serving:  # RSS per worker stays bounded whatever shoppers type
            analyzer.bound_caches(words=SERVING_WORD_CACHE, word_terms=SERVING_WORD_TERMS_CACHE)
        return analyzer

    @cached_property
    def engine(self) -> SearchEngine:
        """The engine serving shoppers (short timeouts on a remote engine)."""
        return create_engine(self.settings)

    @cached_property
    def indexing_engine(self) -> SearchEngine:
        """The engine for indexing and batch work (generous timeouts); the same object when
        the engine is embedded (it has no timeouts)."""
        if self.settings.search_backend == "embedded":
            return self.engine
        return create_engine(self.settings, for_indexing=True)

    @cached_property
    def vocabulary_store(self) -> VocabularyStore:
        """The catalog's vocabulary for query understanding: kept in Elasticsearch for
        every host when that is the engine, else the data dir's file."""
        if self.settings.search_backend != "embedded":
            # imported only here: the client costs a serving process ~13 MB
            from search.engines.elasticsearch import ElasticsearchEngine

            if isinstance(self.engine, ElasticsearchEngine):
                return self.engine.vocabulary_store()
        return VocabularyStore(vocabulary_path(self.settings.data_dir))

    @cached_property
    def understanding(self) -> QueryUnderstanding:
        """Synonyms and brand aliases start empty: `tuning` loads them (from the database,
        or the seed files) before the first search, and refuses a broken set; a broken
        expansions file is left out. No data file can keep search from starting."""
        return QueryUnderstanding(
            self.analyzer,
            self.vocabulary_store,
            synonyms=Synonyms.from_groups(self.analyzer, []),
            transliterator=Transliterator(aliases={}),
            expansions=checked_expansions(self.analyzer),
        )

    @cached_property
    def tuning(self) -> SearchTuning:
        """Merchandisers' query rules, synonyms and brand aliases, live in this process."""
        return SearchTuning(self.database, self.understanding, self.registry)

    @cached_property
    def search_log(self) -> SearchLog:
        return SearchLog(self.database)

    @cached_property
    def search(self) -> SearchService:
        def observe(params: SearchParams, outcome: SearchOutcome) -> None:
            understood = outcome.reading.text if outcome.reading else ""
            self.search_log.record(
                params.locale, params.country, params.q, understood, outcome.result.total
            )

        return SearchService(
            self.engine,
            self.registry,
            self.analyzer,
            self.understanding,
            tuning=self.tuning,
            observer=observe,
        )

    # -- the database and what lives in it ------------------------------------------

    @cached_property
    def database(self) -> Database:
        if self.settings.database.startswith("sqlite"):
            self.settings.ensure_data_dir()
        if self.serving:
            return Database(
                self.settings.database,
                statement_timeout_s=self.settings.web_database_timeout_s,
                sqlite_cache_mb=SERVING_SQLITE_CACHE_MB,
            )
        return Database(self.settings.database)

    @cached_property
    def recommendations(self) -> RecommendationService:
        queue = FailFast(self.jobs.build_list) if self.jobs.queued else None
        return RecommendationService(
            self.database, self.indexing_engine, self.registry, self.search, queue=queue
        )

    @cached_property
    def curation(self) -> Curation:
        """Pins and exclusions; a change rebuilds the stored lists it touches at once."""
        return Curation(
            self.database,
            self.registry,
            self.engine.get_products,
            on_change=self.recommendations.rebuild_stored,
        )

    @cached_property
    def rules(self) -> QueryRules:
        return QueryRules(
            self.database,
            self.registry,
            self.engine.get_products,
            understood=self.tuning.rule_key,
            on_change=self.tuning.expire,
        )

    @cached_property
    def wording(self) -> Wording:
        """Synonym groups and brand aliases as merchandisers edit them."""
        return Wording(self.database, self.analyzer, on_change=self.tuning.expire)

    @cached_property
    def reports(self) -> SearchReports:
        return SearchReports(self.database, flush=self.search_log.flush)

    @cached_property
    def audit(self) -> AuditLog:
        return AuditLog(self.database)

    @cached_property
    def accounts(self) -> Accounts:
        return Accounts(self.database)

    @cached_property
    def login_throttle(self) -> LoginThrottle:
        return LoginThrottle(self.database)

    # -- work for the Celery workers ---------------------------------------------------

    @cached_property
    def celery(self) -> Celery:
        """The Celery app this process sends work with (to the settings' broker)."""
        from indexer.celery_app import make_app

        app = make_app(self.settings.celery_broker_url or "memory://")
        app.conf.update(sender_timeouts(app.conf.broker_transport_options, self.broker_timeout_s))
        return app

    @property
    def broker_timeout_s(self) -> float:
        """How long a broker call of this process may take (short in a web worker)."""
        return self.settings.web_broker_timeout_s if self.serving else 10.0

    @cached_property
    def jobs(self) -> Jobs:
        settings = self.settings
        return Jobs(
            self,
            self.celery,
            settings.celery_broker_url,
            shared_index=settings.search_backend != "embedded",
            lock_name=f"vitrina:indexing-lock:{settings.elasticsearch_index}",
        )


def sender_timeouts(transport_options: dict[str, Any], timeout_s: float) -> dict[str, Any]:
    """Celery settings that bound every call a process sending tasks makes to a Redis broker
    and result backend: connect, read, and one retry of a publish (no waiting forever on a
    broker that accepts connections and never answers)."""
    return {
        "broker_connection_timeout": timeout_s,
        "broker_connection_retry": False,
        "broker_connection_max_retries": 1,
        "broker_transport_options": {
            **transport_options,
            "socket_timeout": timeout_s,
            "socket_connect_timeout": timeout_s,
            "max_retries": 1,
        },
        "redis_socket_timeout": timeout_s,
        "redis_socket_connect_timeout": timeout_s,
        "redis_retry_on_timeout": False,
        "task_publish_retry": True,
        "task_publish_retry_policy": {
            "max_retries": 1,
            "interval_start": 0,
            "interval_step": 0.1,
            "interval_max": 0.1,
        },
    }


class FailFast:
    """A call to a dependency that, once it failed, fails at once for `window_s`: a broker
    that is down costs one timeout every few seconds, not one per page view."""

    def __init__(self, call: Callable[..., Any], window_s: float = 5.0) -> None:
        self.call = call
        self.window_s = window_s
        self._failed_at: float | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        failed_at = self._failed_at
        if failed_at is not None and time.monotonic() - failed_at < self.window_s:
            raise ConnectionError(f"not trying again for {self.window_s:g} s after a failure")
        try:
            result = self.call(*args, **kwargs)
        except Exception:
            self._failed_at = time.monotonic()
            raise
        self._failed_at = None
        return result


# -- what the Celery worker entry point names (indexer/celery_app.py) -----------------

_workers: dict[int, Services] = {}
_workers_lock = threading.Lock()


def worker_services() -> Services:
    """The services of this worker process, from the environment's settings: one per
    process (a prefork child builds its own, never inheriting its parent's connections)."""
    with _workers_lock:
        pid = os.getpid()
        if pid not in _workers:
            _workers[pid] = Services()
        return _workers[pid]


def celery_settings() -> dict[str, Any]:
    """The worker app's broker and result backend, from the environment's settings."""
    from indexer.celery_app import broker_settings

    return broker_settings(load_settings().celery_broker_url)
