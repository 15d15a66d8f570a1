"""The Elasticsearch engine's conversation with a cluster, against a scripted HTTP server.

No Elasticsearch runs here, so a small server answers with the response shapes of the
Elasticsearch REST API and records the requests: the rebuild must load, restore
settings, refresh and only then swap the alias in one call; a failure must delete the
new index and never touch the alias; errors must become EngineUnavailable (a 503).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from search.analysis.analyzer import default_analyzer
from search.catalog import Product
from search.documents import index_document
from search.engines.base import DocumentsRejected, EngineQuery, EngineUnavailable, Removal
from search.engines.elasticsearch import ElasticsearchEngine
from search.engines.elasticsearch.loader import BulkPolicy
from vitrina.config import Settings

ALIAS = "shop"
QUICK_RETRIES = BulkPolicy(max_retries=2, initial_backoff_s=0.01)
Answer = tuple[int, dict]


class ScriptedCluster:
    """Records (method, path, body) and answers through `route` (overridable per test)."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, object]] = []
        self.aliased: list[str] = ["shop-old"]
        self.fail_bulk = False
        self.refuse_ids: set[str] = set()
        self.override: Callable[[str, str], Answer | None] = lambda method, path: None
        cluster = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length).decode("utf-8") if length else ""
                status, body = cluster.handle(self.command, self.path.split("?")[0], raw)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("x-elastic-product", "Elasticsearch")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://elastic:pw@127.0.0.1:{self.server.server_address[1]}"

    def handle(self, method: str, path: str, raw: str) -> Answer:
        lines = [json.loads(line) for line in raw.splitlines() if line.strip()]
        body = lines if path.endswith("/_bulk") else (lines[0] if lines else None)
        self.requests.append((method, path, body))
        override = self.override(method, path)
        if override is not None:
            return override
        if path == f"/_alias/{ALIAS}":
            if not self.aliased:
                return 404, {"error": f"alias [{ALIAS}] missing", "status": 404}
            return 200, {name: {"aliases": {ALIAS: {}}} for name in self.aliased}
        if path == "/_bulk":
            if self.fail_bulk:
                return 503, {"error": {"type": "unavailable_shards_exception", "reason": "down"}}
            return 200, {"took": 3, "errors": bool(self.refuse_ids), "items": self._items(body)}
        if path == "/_aliases":
            return 200, {"acknowledged": True}
        if path == f"/{ALIAS}-rebuilds/_doc/current":
            if method == "GET":  # no rebuild recorded yet
                return 404, {"_index": f"{ALIAS}-rebuilds", "_id": "current", "found": False}
            return 201, {"_id": "current", "result": "created", "_seq_no": 0, "_primary_term": 1}
        if path.endswith("/_search"):  # the journal of a rebuild: nothing changed meanwhile
            return 200, {"hits": {"total": {"value": 0, "relation": "eq"}, "hits": []}}
        if path.startswith("/_cluster/health/"):
            return 200, {"cluster_name": "vitrina", "status": "green", "timed_out": False}
        if path.endswith("/_count"):
            return 200, {"count": 2, "_shards": {"total": 1, "successful": 1}}
        if path.endswith("/_refresh"):
            return 200, {"_shards": {"total": 1, "successful": 1, "failed": 0}}
        return 200, {"acknowledged": True, "shards_acknowledged": True}

    def _items(self, lines: list[dict]) -> list[dict]:
        items = []
        for line in lines:
            if "delete" in line:
                items.append(
                    {"delete": {"_id": line["delete"]["_id"], "status": 404, "result": "not_found"}}
                )
            elif "index" in line:
                doc_id = line["index"]["_id"]
                if doc_id in self.refuse_ids:
                    error = {"type": "document_parsing_exception", "reason": "failed to parse"}
                    items.append({"index": {"_id": doc_id, "status": 400, "error": error}})
                else:
                    items.append({"index": {"_id": doc_id, "status": 201, "result": "created"}})
        return items

    def calls(self) -> list[tuple[str, str]]:
        return [(method, path) for method, path, _ in self.requests]


@pytest.fixture
def cluster() -> Iterator[ScriptedCluster]:
    cluster = ScriptedCluster()
    yield cluster
    cluster.server.shutdown()


@pytest.fixture
def engine(cluster: ScriptedCluster, tmp_path: Path) -> ElasticsearchEngine:
    settings = Settings(data_dir=tmp_path, search_backend="elasticsearch",
                        elasticsearch_url=cluster.url, elasticsearch_index=ALIAS)  # fmt: skip
    return ElasticsearchEngine.from_settings(settings, timeout=5.0, bulk=QUICK_RETRIES)


def documents() -> list:
    analyzer = default_analyzer()
    products = [Product("a", {"ru": "Сумка"}, "luggage_bags", 10.0),
                Product("b", {"ru": "Рюкзак"}, "luggage_bags", 20.0)]  # fmt: skip
    return [*(index_document(p, analyzer) for p in products), Removal("gone")]


def test_rebuild_loads_then_swaps_the_alias_in_one_call(cluster, engine):
    assert engine.rebuild(documents()) == 2
    calls = cluster.calls()
    create = calls[0]
    assert create[0] == "PUT" and create[1].startswith(f"/{ALIAS}-")
    new = create[1].lstrip("/")
    settings = cluster.requests[0][2]["settings"]["index"]
    assert (settings["number_of_replicas"], settings["refresh_interval"]) == (0, "-1")
    state = f"/{ALIAS}-rebuilds/_doc/current"
    loaded = calls.index(("PUT", f"/{new}/_settings"))
    assert set(calls[1:loaded]) == {
        ("GET", state),  # is another rebuild running?
        ("PUT", f"/{ALIAS}-rebuilds"),
        ("PUT", f"/{new}-changes"),  # the journal of changes arriving meanwhile
        ("PUT", state),  # loading
        ("PUT", "/_bulk"),
    }
    assert calls[loaded:] == [
        ("PUT", f"/{new}/_settings"),
        ("GET", f"/_cluster/health/{new}"),  # replicas back before the swap
        ("PUT", state),  # finishing
        ("POST", f"/{new}-changes/_refresh"),
        ("POST", f"/{new}-changes/_search"),  # replay the journal
        ("POST", f"/{new}/_refresh"),
        ("POST", f"/{new}/_count"),
        ("GET", f"/_alias/{ALIAS}"),
        ("POST", "/_aliases"),
        ("PUT", state),  # done
        ("DELETE", f"/{new}-changes"),
        ("DELETE", "/shop-old"),
    ]
    bulk = [line for m, p, body in cluster.requests if p == "/_bulk" for line in body]
    ops = sorted(next(iter(line)) for line in bulk if "index" in line or "delete" in line)
    assert ops == ["delete", "index", "index"]
    restored = next(body for m, p, body in cluster.requests if p == f"/{new}/_settings")
    assert restored == {"index": {"refresh_interval": "1s", "auto_expand_replicas": "0-1"}}
    swap = next(body for m, p, body in cluster.requests if p == "/_aliases")
    assert swap == {
        "actions": [
            {"remove": {"index": "shop-old", "alias": ALIAS}},
            {"add": {"index": new, "alias": ALIAS}},
        ]
    }


def test_a_failed_load_deletes_the_new_index_and_leaves_the_alias(cluster, engine):
    cluster.fail_bulk = True
    with pytest.raises(EngineUnavailable):
        engine.rebuild(documents())
    calls = cluster.calls()
    new = calls[0][1]
    assert ("POST", "/_aliases") not in calls
    assert ("DELETE", new) in calls
    assert calls[-1] == ("DELETE", f"{new}-changes")  # and the rebuild marked failed
    assert ("DELETE", "/shop-old") not in calls


def test_refused_documents_are_reported_after_the_rest_went_live(cluster, engine):
    cluster.refuse_ids = {"b"}
    with pytest.raises(DocumentsRejected) as refused:
        engine.rebuild(documents())
    assert [(r.id, r.reason) for r in refused.value.rejected] == [
        ("b", "document_parsing_exception: failed to parse")
    ]
    assert ("POST", "/_aliases") in cluster.calls()


def test_when_every_document_is_refused_the_old_index_keeps_serving(cluster, engine):
    cluster.refuse_ids = {"a", "b"}
    with pytest.raises(EngineUnavailable, match="refused every document"):
        engine.rebuild(documents())
    calls = cluster.calls()
    assert ("POST", "/_aliases") not in calls
    assert ("DELETE", calls[0][1]) in calls


def test_changes_go_to_the_alias_and_are_visible_on_return(cluster, engine):
    assert engine.apply_changes(documents()) == 3
    calls = cluster.calls()
    assert calls[0] == ("GET", f"/_alias/{ALIAS}")
    assert set(calls[1:-1]) == {("GET", f"/{ALIAS}-rebuilds/_doc/current"), ("PUT", "/_bulk")}
    assert calls[-1] == ("POST", f"/{ALIAS}/_refresh")
    bulk = [line for m, p, body in cluster.requests if p == "/_bulk" for line in body]
    assert all(line.get("index", line.get("delete", {})).get("_index") == ALIAS
               for line in bulk if "index" in line or "delete" in line)  # fmt: skip


def test_first_changes_without_an_index_build_one(cluster, engine):
    cluster.aliased = []
    assert engine.apply_changes(documents()) == 2
    assert ("POST", "/_aliases") in cluster.calls()


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ((404, {"error": {"type": "index_not_found_exception", "reason": "no such index [shop]"},
                "status": 404}), "vitrina index"),
        ((401, {"error": {"type": "security_exception", "reason": "unable to authenticate user"},
                "status": 401}), "401: security_exception"),
        ((400, {"error": {"type": "media_type_header_exception", "reason": "Invalid media-type"},
                "status": 400}), "8.x server"),
        ((503, {"error": {"type": "search_phase_execution_exception", "reason": "all shards failed"},
                "status": 503}), "503"),
    ],
)  # fmt: skip
def test_cluster_errors_become_unavailable(cluster, engine, answer, message):
    cluster.override = lambda method, path: answer
    with pytest.raises(EngineUnavailable, match=message):
        engine.search(EngineQuery(text=None))


def test_health_reports_a_missing_index_as_down(cluster, engine):
    def answer(method: str, path: str) -> Answer | None:
        if path == "/_cluster/health":
            return 200, {"cluster_name": "vitrina", "status": "green", "number_of_nodes": 1}
        if path.endswith("/_count"):
            return 404, {"error": {"type": "index_not_found_exception", "reason": "no such index"}}
        return None

    cluster.override = answer
    health = engine.health()
    assert (health["status"], health["cluster"]) == ("down", "green")
    assert "vitrina index" in health["detail"]
