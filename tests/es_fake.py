"""The team's loopback Elasticsearch (../shared/tools/es-spec/fake_es.py), used from there.

`FakeCluster` starts it with the few answers the engine needs that it lacks (index
health, sorted pages with search_after, compare-and-set on documents, aliases dropped
with their index), labels every recorded request with the scenario that sent it, can
hold or fail requests to stage races and outages, and writes the capture that
`validate.py` checks against Elasticsearch's own specification.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
ES_SPEC = ROOT.parent / "shared" / "tools" / "es-spec"
Answer = tuple[int, Any]
Fault = Callable[[dict[str, Any]], Answer | None]


def require_es_spec() -> Path:
    """The shared tools folder, or a skip saying why it is needed."""
    if not (ES_SPEC / "fake_es.py").exists() or not (ES_SPEC / "validate.py").exists():
        pytest.skip(
            f"{ES_SPEC} is absent: the Elasticsearch spec checks need the team's shared "
            "tools (fake_es.py, validate.py) beside the project"
        )
    return ES_SPEC


def _fake_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("vitrina_shared_fake_es", ES_SPEC / "fake_es.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class FakeCluster:
    """The shared fake on a loopback port, extended for the engine's requests."""

    def __init__(self) -> None:
        require_es_spec()
        fake = _fake_module()
        self.state = fake.State()
        self.state.scenario = "setup"
        self.faults: list[Fault] = []
        self.seq: dict[tuple[str, str], int] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler(fake))
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    # -- for tests ---------------------------------------------------------------

    @contextlib.contextmanager
    def scenario(self, name: str) -> Iterator[None]:
        """Label the requests sent inside the block (validate.py reports them by label)."""
        previous, self.state.scenario = self.state.scenario, name
        try:
            yield
        finally:
            self.state.scenario = previous

    def fault(self, fault: Fault) -> Fault:
        """Add a hook that may hold a request or answer it instead of the fake."""
        self.faults.append(fault)
        return fault

    def documents(self, name: str) -> dict[str, dict[str, Any]]:
        """What an index or alias holds now: id -> stored _source."""
        with self.state.lock:
            index = self.state.aliases.get(name, name)
            return dict(self.state.indices.get(index, {}).get("docs", {}))

    def live_documents(self, alias: str) -> dict[str, dict[str, Any]]:
        """What the alias serves now (nothing while it points nowhere)."""
        return self.documents(alias) if alias in self.state.aliases else {}

    def requests(self, method: str | None = None, path_part: str = "") -> list[dict[str, Any]]:
        with self.state.lock:
            return [
                entry
                for entry in self.state.log
                if (method is None or entry["method"] == method) and path_part in entry["path"]
            ]

    def write_capture(self, path: Path) -> Path:
        with self.state.lock:
            path.write_text(json.dumps(self.state.log, ensure_ascii=False), encoding="utf-8")
        return path

    def validate(self, capture: Path) -> subprocess.CompletedProcess[str]:
        """Run the shared validate.py on a capture (exit 0: every request valid, strictly)."""
        return subprocess.run(
            [sys.executable, str(ES_SPEC / "validate.py"), str(capture)],
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- the handler ---------------------------------------------------------------

    def _handler(self, fake: ModuleType) -> type:
        cluster = self
        base = fake.make_handler(self.state)

        class Handler(base):  # type: ignore[misc, valid-type]
            def _route(self, entry: dict[str, Any]) -> Answer:
                entry["scenario"] = cluster.state.scenario
                for fault in list(cluster.faults):
                    # A fault may block (to stage a race): let other requests through.
                    cluster.state.lock.release()
                    try:
                        answer = fault(entry)
                    finally:
                        cluster.state.lock.acquire()
                    if answer is not None:
                        return answer
                return cluster._extra(entry) or super()._route(entry)

        return Handler

    def _extra(self, entry: dict[str, Any]) -> Answer | None:
        method, parts = entry["method"], entry["path"].strip("/").split("/")
        if parts[:2] == ["_cluster", "health"] and len(parts) == 3:
            return 200, {"cluster_name": "vitrina", "status": "green", "number_of_nodes": 1,
                         "timed_out": False, "initializing_shards": 0}  # fmt: skip
        if method == "DELETE" and len(parts) == 1:
            for alias, index in list(self.state.aliases.items()):
                if index == parts[0]:
                    del self.state.aliases[alias]
            return None
        if len(parts) == 3 and parts[1] == "_doc":
            return self._document(method, parts[0], parts[2], entry)
        if parts[-1] == "_bulk":
            for line in entry["body"].splitlines():
                action = json.loads(line) if line.strip() else {}
                for op, meta in action.items():
                    if isinstance(meta, dict) and op in ("index", "create", "delete"):
                        key = (self._resolved(meta.get("_index", "")), str(meta.get("_id")))
                        self.seq[key] = self.seq.get(key, 0) + 1
            return None
        if len(parts) == 2 and parts[1] == "_search" and parts[0].endswith("-changes"):
            return self._sorted_page(parts[0], json.loads(entry["body"]))
        return None

    def _resolved(self, name: str) -> str:
        return self.state.aliases.get(name, name)

    def _document(
        self, method: str, name: str, doc_id: str, entry: dict[str, Any]
    ) -> Answer | None:
        """Single documents with sequence numbers, op_type=create and if_seq_no."""
        index = self._resolved(name)
        docs = self.state.indices.get(index, {}).get("docs")
        key = (index, doc_id)
        query = entry["query"]
        if method == "GET":
            if docs is None:
                return 404, {"error": {"type": "index_not_found_exception",
                                       "reason": f"no such index [{name}]"}, "status": 404}  # fmt: skip
            if doc_id not in docs:
                return 404, {"_index": index, "_id": doc_id, "found": False}
            return 200, {"_index": index, "_id": doc_id, "_version": self.seq.get(key, 0) + 1,
                         "_seq_no": self.seq.get(key, 0), "_primary_term": 1, "found": True,
                         "_source": docs[doc_id]}  # fmt: skip
        if method not in ("PUT", "POST"):
            return None
        docs = self.state.indices.setdefault(index, {"docs": {}})["docs"]
        exists = doc_id in docs
        conflict = (query.get("op_type") == "create" and exists) or (
            "if_seq_no" in query and (not exists or int(query["if_seq_no"]) != self.seq.get(key))
        )
        if conflict:
            return 409, {"error": {"type": "version_conflict_engine_exception",
                                   "reason": f"[{doc_id}]: version conflict"}, "status": 409}  # fmt: skip
        self.seq[key] = self.seq.get(key, -1) + 1
        docs[doc_id] = json.loads(entry["body"])
        return (200 if exists else 201), {
            "_index": index, "_id": doc_id, "_version": self.seq[key] + 1,
            "result": "updated" if exists else "created", "_seq_no": self.seq[key],
            "_primary_term": 1, "_shards": {"total": 1, "successful": 1, "failed": 0},
        }  # fmt: skip

    def _sorted_page(self, name: str, body: dict[str, Any]) -> Answer:
        """A page of a rebuild journal sorted by one keyword field, after `search_after`."""
        index = self._resolved(name)
        docs = self.state.indices.get(index, {}).get("docs", {})
        ((field, _order),) = body["sort"][0].items()
        rows = sorted((str(source.get(field, "")), doc_id) for doc_id, source in docs.items())
        if body.get("search_after"):
            rows = [row for row in rows if row[0] > str(body["search_after"][0])]
        rows = rows[: body.get("size", 10)]
        return 200, {
            "took": 1, "timed_out": False,
            "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
            "hits": {"total": {"value": len(rows), "relation": "eq"}, "max_score": None,
                     "hits": [{"_index": index, "_id": doc_id, "_score": None,
                               "_source": docs[doc_id], "sort": [value]}
                              for value, doc_id in rows]},
        }  # fmt: skip
