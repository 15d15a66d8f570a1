"""The Elasticsearch engine: one client per instance, one alias serving one index.

Searches go to the alias (settings.elasticsearch_index). A rebuild loads a fresh
timestamped index with replicas and refresh off (loader.py: parallel, bounded,
retried bulk requests), gives it back its replicas and refresh, replays the changes
that arrived meanwhile (rebuilds.py), and only then swaps the alias to it in one
atomic update_aliases call; if anything fails the new index is deleted and the old
one keeps serving. Changes may be applied while a rebuild runs, from any process or
host: none is lost by the swap.
"""

from __future__ import annotations

import base64
import contextlib
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError

from ..base import Change, DocumentsRejected, EngineQuery, EngineResult, EngineUnavailable
from .bulk import bulk_actions
from .definition import index_definition, loading_settings, new_index_name, serving_settings
from .loader import BulkLoader, BulkPolicy
from .queries import count_body, products_body, search_body
from .rebuilds import DONE, FAILED, FINISHING, ChangeWriter, Rebuilds
from .responses import health_report, parse_products, parse_search
from .shared import CHECK_S, SharedVocabulary, SharedVocabularyStore

if TYPE_CHECKING:
    from .. import EngineSettings

log = logging.getLogger("vitrina.search.elasticsearch")

REPLICA_WAIT_S = 3600.0  # how long a rebuild waits for its replicas before swapping anyway
_VERSION_HINT = (
    "this elasticsearch client is newer than the server: for an 8.x server install "
    '"elasticsearch>=8.18,<9"'
)


def json_serializer() -> Any:
    """orjson for request bodies (bulk loads spend much of their client time encoding)."""
    try:
        from elasticsearch.serializer import OrjsonSerializer
    except ImportError:  # pragma: no cover - orjson is a dependency of Vitrina
        return None
    return OrjsonSerializer()


def credentials(settings: EngineSettings) -> dict[str, Any]:
    """The client's auth options: a username and password, or an API key, passed as
    they are (never put into the URL, so `@ : / # % ?` in a password need no escaping)."""
    if settings.elasticsearch_api_key:
        return {"api_key": settings.elasticsearch_api_key}
    if settings.elasticsearch_username and settings.elasticsearch_password is not None:
        # Encoded here, as UTF-8: the client would encode a (user, password) pair as ASCII.
        pair = f"{settings.elasticsearch_username}:{settings.elasticsearch_password}"
        return {"basic_auth": base64.b64encode(pair.encode("utf-8")).decode("ascii")}
    return {}


class ElasticsearchEngine:
    """SearchEngine over the Elasticsearch alias `alias` (see base.SearchEngine).

    `shards` and `replicas` override index.json's for new indices (a catalog of tens
    of millions needs several shards, see docs/scaling.md); `bulk` tunes the loads.
    """

    name = "elasticsearch"
    changes_during_rebuild = True  # see search.engines.base.accepts_changes_during_rebuild

    def __init__(
        self,
        client: Elasticsearch,
        alias: str,
        *,
        russian_fallback: bool = False,
        bulk: BulkPolicy | None = None,
        shards: int | None = None,
        replicas: int | None = None,
        replica_wait_s: float = REPLICA_WAIT_S,
    ) -> None:
        self.client = client
        self.alias = alias
        self.russian_fallback = russian_fallback
        self.loader = BulkLoader(client, bulk)
        self.rebuilds = Rebuilds(client, alias)
        # Query understanding's vocabulary, published by the indexer for every host.
        self.shared_vocabulary = SharedVocabulary(client, alias)
        self.shards = shards
        self.replicas = replicas
        self.replica_wait_s = replica_wait_s

    @classmethod
    def from_settings(
        cls,
        settings: EngineSettings,
        timeout: float | None = None,
        bulk: BulkPolicy | None = None,
    ) -> ElasticsearchEngine:
        """An engine whose requests give up after `timeout` seconds, retried once."""
        if not settings.elasticsearch_url:
            raise EngineUnavailable("ELASTICSEARCH_URL is not set")
        client = Elasticsearch(
            settings.elasticsearch_url,
            request_timeout=timeout or settings.web_search_timeout_s,
            max_retries=1,
            retry_on_timeout=True,
            serializer=json_serializer(),
            **credentials(settings),
        )
        return cls(client, settings.elasticsearch_index, bulk=bulk)

    @contextlib.contextmanager
    def _answering(self, action: str) -> Iterator[None]:
        """Turn "cannot answer now" failures into EngineUnavailable (a 503 on the web)."""
        try:
            yield
        except NotFoundError as exc:
            raise EngineUnavailable(
                f"{action}: no index {self.alias!r} yet: run `vitrina index FEED.jsonl`"
            ) from exc
        except ApiError as exc:
            if _error_type(exc) == "media_type_header_exception":
                raise EngineUnavailable(f"{action}: {_VERSION_HINT}") from exc
            raise EngineUnavailable(f"{action}: {_describe(exc)}") from exc
        except TransportError as exc:
            raise EngineUnavailable(f"{action}: Elasticsearch unreachable: {exc}") from exc

    # -- reading --------------------------------------------------------------

    def search(self, query: EngineQuery) -> EngineResult:
        with self._answering("search"):
            response = self.client.search(
                index=self.alias, body=search_body(query, self.russian_fallback)
            )
        return parse_search(response.body, query)

    def count(self, query: EngineQuery) -> int:
        with self._answering("count"):
            response = self.client.count(
                index=self.alias, body=count_body(query, self.russian_fallback)
            )
        return int(response["count"])

    def get_products(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        if not ids:
            return {}
        with self._answering("get products"):
            response = self.client.search(index=self.alias, body=products_body(ids))
        return parse_products(response.body)

    def product_count(self) -> int:
        with self._answering("count products"):
            return int(self.client.count(index=self.alias)["count"])

    def health(self) -> dict[str, Any]:
        """Cluster health and the number of products; never raises."""
        try:
            cluster = self.client.cluster.health().body
        except Exception as exc:  # noqa: BLE001 - health reports every failure
            return {"status": "down", "engine": self.name, "detail": _describe(exc)}
        try:
            products = self.product_count()
        except Exception as exc:  # noqa: BLE001
            return health_report(cluster, None, _describe(exc))
        report = health_report(cluster, products)
        with contextlib.suppress(Exception):  # the rebuild record only adds detail
            building = self.rebuilds.current()
            if building is not None and building.active:
                report["rebuild"] = {"state": building.state, "index": building.index,
                                     "started": building.started}  # fmt: skip
        with contextlib.suppress(Exception):  # which vocabulary the web hosts share
            head = self.shared_vocabulary.head()
            if head is not None:
                report["vocabulary"] = {"version": head.version, "products": head.products,
                                        "published": head.published}  # fmt: skip
        return report

    def vocabulary_store(self, check_s: float = CHECK_S) -> SharedVocabularyStore:
        """The shared vocabulary as a web process reads it (see shared.py)."""
        return SharedVocabularyStore(self.shared_vocabulary, check_s=check_s)

    # -- writing --------------------------------------------------------------

    def _serving_indices(self) -> list[str]:
        """The concrete indices behind the alias (none before the first rebuild)."""
        try:
            return sorted(self.client.indices.get_alias(name=self.alias).body)
        except NotFoundError:
            return []

    def rebuild(self, changes: Iterable[Change], check: Callable[[int], None] | None = None) -> int:
        """Load a new index, then swap the alias to it in one call (see module docstring);
        `check` sees its product count first (see base.SearchEngine.rebuild).

        Raises DocumentsRejected after the swap when some documents were refused.
        """
        index = new_index_name(self.alias)
        definition = index_definition()
        with self._answering("rebuild"):
            self.client.indices.create(
                index=index, settings=loading_settings(self.shards), mappings=definition["mappings"]
            )
            run = None
            try:
                run = self.rebuilds.begin(index)
                outcome = self.loader.load(run.heartbeat(bulk_actions(changes, index)))
                if outcome.rejected and not outcome.indexed:
                    raise EngineUnavailable(
                        f"Elasticsearch refused every document ({outcome.rejected[0].reason}); "
                        "the index in service is unchanged"
                    )
                self._make_serving(index)
                run.advance(FINISHING)
                replayed = self.loader.load(run.heartbeat(run.replay()))
                outcome.rejected.extend(replayed.rejected)
                self.client.indices.refresh(index=index)
                live = int(self.client.count(index=index)["count"])
                if check is not None:
                    check(live)
                old = self._serving_indices()
                self.client.indices.update_aliases(actions=alias_swap(self.alias, old, index))
            except BaseException:
                with contextlib.suppress(Exception):
                    self.client.indices.delete(index=index, ignore_unavailable=True)
                if run is not None:
                    with contextlib.suppress(Exception):
                        run.settle(FAILED)
                raise
        try:
            run.settle(DONE)
        except (ApiError, TransportError, EngineUnavailable) as exc:  # the new index serves
            log.warning("could not record the end of rebuild %s: %s", run.state.rebuild, exc)
        self._delete_indices(old)
        if outcome.rejected:
            raise DocumentsRejected(outcome.rejected, applied=outcome.applied)
        return live

    def _make_serving(self, index: str) -> None:
        """Give a loaded index its replicas and refresh back, and wait for the replicas."""
        self.client.indices.put_settings(index=index, settings=serving_settings(self.replicas))
        health = self.client.options(
            request_timeout=self.replica_wait_s + 30, ignore_status=408
        ).cluster.health(
            index=index,
            wait_for_status="yellow",
            wait_for_no_initializing_shards=True,
            timeout=f"{int(self.replica_wait_s)}s",
        )
        if health.get("timed_out"):
            log.warning(
                "the replicas of %s were not ready after %.0f s; swapping it in anyway",
                index,
                self.replica_wait_s,
            )

    def _delete_indices(self, indices: Sequence[str]) -> None:
        for name in indices:
            try:
                self.client.indices.delete(index=name, ignore_unavailable=True)
            except (ApiError, TransportError) as exc:  # the new index already serves
                log.warning("could not delete the old index %s: %s", name, exc)

    def apply_changes(self, changes: Iterable[Change]) -> int:
        """Upserts and deletions against the alias, visible when this returns.

        Safe while a rebuild runs (in this process or any other): the changes are
        journaled and replayed into the new index before its swap.
        """
        with self._answering("apply changes"):
            if not self._serving_indices():
                building = self.rebuilds.current()
                if building is not None and building.active:
                    raise EngineUnavailable(
                        "the first index is being built; send these changes again once it is done"
                    )
                return self.rebuild(changes)
            outcome = self.loader.load(
                bulk_actions(changes, self.alias), deliver=ChangeWriter(self.rebuilds, self.loader)
            )
            self.client.indices.refresh(index=self.alias)
        if outcome.rejected:
            raise DocumentsRejected(outcome.rejected, applied=outcome.applied)
        return outcome.applied

    def delete_all(self) -> None:
        """Remove the alias, every index behind it, the rebuild record and the shared
        vocabulary (test clean-up)."""
        with self._answering("delete"):
            state = self.rebuilds.current()
            leftovers = [state.journal] if state is not None else []
            self._delete_indices([*self._serving_indices(), *leftovers, self.rebuilds.state_index,
                                  self.shared_vocabulary.index])  # fmt: skip


def alias_swap(alias: str, old: Sequence[str], new: str) -> list[dict[str, Any]]:
    """update_aliases actions moving `alias` from the `old` indices to `new`, atomically."""
    actions: list[dict[str, Any]] = [{"remove": {"index": name, "alias": alias}} for name in old]
    actions.append({"add": {"index": new, "alias": alias}})
    return actions


def _error(exc: ApiError) -> dict[str, Any]:
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error")
    return error if isinstance(error, dict) else {}


def _error_type(exc: ApiError) -> str:
    return str(_error(exc).get("type", ""))


def _describe(exc: Exception) -> str:
    """A one-line cause for logs, /healthz and the CLI (never the URL's credentials)."""
    if isinstance(exc, EngineUnavailable):
        return str(exc)
    if isinstance(exc, ApiError):
        error = _error(exc)
        detail = ": ".join(str(part) for part in (error.get("type"), error.get("reason")) if part)
        return f"Elasticsearch answered {exc.meta.status}: {detail or exc.message}"
    return f"{type(exc).__name__}: {exc}"
