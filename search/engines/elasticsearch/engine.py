"""The Elasticsearch engine: one client per instance, one alias serving one index.

Searches go to the alias (settings.elasticsearch_index). A rebuild loads a fresh
timestamped index and swaps the alias to it in one atomic update_aliases call;
if anything fails the new index is deleted and the old one keeps serving.
The indexer's file lock (indexer/locking.py) serialises rebuilds on one host;
run one indexing worker (or one beat) per cluster, as docker-compose.yml does.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError
from elasticsearch.helpers import streaming_bulk

from ..base import Change, DocumentsRejected, EngineQuery, EngineResult, EngineUnavailable
from .bulk import BulkOutcome, bulk_actions
from .definition import index_definition, loading_settings, new_index_name, serving_settings
from .queries import count_body, products_body, search_body
from .responses import health_report, parse_products, parse_search

if TYPE_CHECKING:
    from .. import EngineSettings

log = logging.getLogger("vitrina.search.elasticsearch")

BULK_CHUNK_SIZE = 1000
BULK_RETRIES = 3  # per document, on 429 (the cluster asks us to slow down)
_VERSION_HINT = (
    "this elasticsearch client is newer than the server: for an 8.x server install "
    '"elasticsearch>=8.15,<9"'
)


class ElasticsearchEngine:
    """SearchEngine over the Elasticsearch alias `alias` (see base.SearchEngine)."""

    name = "elasticsearch"

    def __init__(
        self, client: Elasticsearch, alias: str, *, russian_fallback: bool = False
    ) -> None:
        self.client = client
        self.alias = alias
        self.russian_fallback = russian_fallback

    @classmethod
    def from_settings(
        cls, settings: EngineSettings, timeout: float | None = None
    ) -> ElasticsearchEngine:
        """An engine whose requests give up after `timeout` seconds, retried once."""
        if not settings.elasticsearch_url:
            raise EngineUnavailable("ELASTICSEARCH_URL is not set")
        client = Elasticsearch(
            settings.elasticsearch_url,
            request_timeout=timeout or settings.web_search_timeout_s,
            max_retries=1,
            retry_on_timeout=True,
        )
        return cls(client, settings.elasticsearch_index)

    # -- errors ---------------------------------------------------------------

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
        return health_report(cluster, products)

    # -- writing --------------------------------------------------------------

    def _bulk(self, index: str, changes: Iterable[Change]) -> BulkOutcome:
        outcome = BulkOutcome()
        for ok, item in streaming_bulk(
            self.client,
            bulk_actions(changes, index),
            chunk_size=BULK_CHUNK_SIZE,
            max_retries=BULK_RETRIES,
            raise_on_error=False,
        ):
            outcome.record(ok, item)
        return outcome

    def _serving_indices(self) -> list[str]:
        """The concrete indices behind the alias (none before the first rebuild)."""
        try:
            return sorted(self.client.indices.get_alias(name=self.alias).body)
        except NotFoundError:
            return []

    def rebuild(self, changes: Iterable[Change]) -> int:
        """Load a new index, then swap the alias to it in one call (see module docstring).

        Raises DocumentsRejected after the swap when some documents were refused.
        """
        index = new_index_name(self.alias)
        definition = index_definition()
        with self._answering("rebuild"):
            self.client.indices.create(
                index=index, settings=loading_settings(), mappings=definition["mappings"]
            )
            try:
                outcome = self._bulk(index, changes)
                if outcome.rejected and not outcome.indexed:
                    raise EngineUnavailable(
                        f"Elasticsearch refused every document ({outcome.rejected[0].reason}); "
                        "the index in service is unchanged"
                    )
                self.client.indices.put_settings(index=index, settings=serving_settings())
                self.client.indices.refresh(index=index)
                live = int(self.client.count(index=index)["count"])
                old = self._serving_indices()
                self.client.indices.update_aliases(actions=alias_swap(self.alias, old, index))
            except BaseException:
                with contextlib.suppress(Exception):
                    self.client.indices.delete(index=index, ignore_unavailable=True)
                raise
        self._delete_indices(old)
        if outcome.rejected:
            raise DocumentsRejected(outcome.rejected, applied=outcome.applied)
        return live

    def _delete_indices(self, indices: Sequence[str]) -> None:
        for name in indices:
            try:
                self.client.indices.delete(index=name, ignore_unavailable=True)
            except (ApiError, TransportError) as exc:  # the new index already serves
                log.warning("could not delete the old index %s: %s", name, exc)

    def apply_changes(self, changes: Iterable[Change]) -> int:
        """Upserts and deletions against the alias, visible when this returns."""
        with self._answering("apply changes"):
            if not self._serving_indices():
                return self.rebuild(changes)
            outcome = self._bulk(self.alias, changes)
            self.client.indices.refresh(index=self.alias)
        if outcome.rejected:
            raise DocumentsRejected(outcome.rejected, applied=outcome.applied)
        return outcome.applied

    def delete_all(self) -> None:
        """Remove the alias and every index behind it (test runs clean up with this)."""
        with self._answering("delete"):
            self._delete_indices(self._serving_indices())


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
