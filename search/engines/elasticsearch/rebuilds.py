"""Changes that arrive while a rebuild loads are replayed into the new index before the swap.

A rebuild of 54M products takes hours; merchants' changes keep coming. They go to the
live index at once (shoppers see them) and, while a rebuild runs, also to a journal
that the rebuild replays into its new index after the bulk load and before the alias
swap, so the swap loses none of them. The state every process and host must agree
on lives in Elasticsearch itself:

- `{alias}-rebuilds/_doc/current`: the rebuild in progress or the last one (id, state,
  new index, journal, heartbeat), read with realtime GETs and written with
  compare-and-set, so two rebuilds never run at once.
- `{index}-changes`: the journal, an index with the products' own mapping holding the
  latest version of every product changed during the rebuild (a document without
  `payload` is a removal). Its `_id` is the product id, so a later change replaces an
  earlier one and replaying it needs no ordering.

Protocol, per chunk of changes (ChangeWriter) and per rebuild (the engine's rebuild):
1. the writer reads the state, writes the chunk to the alias, reads the state again;
   if no rebuild was active around its write, it is done;
2. if a rebuild is loading, the writer journals the chunk and reads the state once
   more: still loading means the rebuild has not begun its final replay, which reads
   the journal later, so the change will be replayed;
3. otherwise (the rebuild is finishing or just swapped) the writer waits until the
   rebuild settles and writes the chunk again through the alias, into whatever index
   it serves now. Nothing newer can be lost by that: writes to one product are
   serialized (one indexing lock, or one writer per product), and a rebuild never
   writes its index after the swap;
4. the rebuild loads the feed, restores replicas and refresh, moves to `finishing`,
   refreshes and replays the journal, swaps the alias, then marks itself `done`.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import ApiError, ConflictError, Elasticsearch, NotFoundError, TransportError

from ..base import EngineUnavailable
from .definition import index_definition
from .loader import Action, BulkLoader, Results

log = logging.getLogger("vitrina.search.elasticsearch")

LOADING, FINISHING, DONE, FAILED = "loading", "finishing", "done", "failed"
STATE_ID = "current"
HEARTBEAT_S = 60.0  # a loading rebuild says it is alive this often
STALE_AFTER_S = 30 * 60.0  # silent this long: its process died, writers stop waiting for it
JOURNAL_PAGE = 1000
STATE_MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "rebuild": {"type": "keyword"},
        "state": {"type": "keyword"},
        "index": {"type": "keyword"},
        "journal": {"type": "keyword"},
        "started": {"type": "double"},
        "updated": {"type": "double"},
    },
}


@dataclass(frozen=True)
class RebuildState:
    """One rebuild as recorded in `{alias}-rebuilds/_doc/current`."""

    rebuild: str
    state: str
    index: str
    journal: str
    started: float
    updated: float
    seq_no: int | None = field(default=None, compare=False)
    primary_term: int | None = field(default=None, compare=False)

    @property
    def active(self) -> bool:
        """Loading or finishing, and heard from recently."""
        return self.state in (LOADING, FINISHING) and time.time() - self.updated < STALE_AFTER_S

    def document(self) -> dict[str, Any]:
        return {
            "rebuild": self.rebuild,
            "state": self.state,
            "index": self.index,
            "journal": self.journal,
            "started": self.started,
            "updated": self.updated,
        }


class Rebuilds:
    """The shared rebuild state and journal of one alias."""

    def __init__(
        self, client: Elasticsearch, alias: str, *, wait_s: float = 600.0, poll_s: float = 0.2
    ) -> None:
        self.client = client
        self.alias = alias
        self.state_index = f"{alias}-rebuilds"
        self.wait_s = wait_s
        self.poll_s = poll_s

    # -- reading ----------------------------------------------------------------

    def current(self) -> RebuildState | None:
        """The recorded rebuild (realtime), or None before the first one."""
        try:
            found = self.client.get(index=self.state_index, id=STATE_ID)
        except NotFoundError:
            return None
        source = found["_source"]
        return RebuildState(
            rebuild=str(source["rebuild"]),
            state=str(source["state"]),
            index=str(source["index"]),
            journal=str(source["journal"]),
            started=float(source["started"]),
            updated=float(source["updated"]),
            seq_no=found.get("_seq_no"),
            primary_term=found.get("_primary_term"),
        )

    def wait_until_settled(self, rebuild: str) -> None:
        """Wait while rebuild `rebuild` is active (called once it is finishing: the
        replay and swap take seconds to minutes, not the hours of a load)."""
        deadline = time.monotonic() + self.wait_s
        while True:
            state = self.current()
            if state is None or state.rebuild != rebuild or not state.active:
                return
            if time.monotonic() > deadline:
                raise EngineUnavailable(
                    f"a rebuild ({rebuild}) is swapping indices; the changes are applied to "
                    "the index in service and must be sent again once it is done"
                )
            time.sleep(self.poll_s)

    # -- the rebuild's side ---------------------------------------------------------

    def begin(self, index: str) -> RebuildRun:
        """Record a new rebuild into `index` (loading) with its journal; one at a time."""
        previous = self.current()
        if previous is not None and previous.active:
            raise EngineUnavailable(
                f"another rebuild ({previous.rebuild}, {previous.state}) is in progress"
            )
        if previous is None:
            self._create(self.state_index, {"index": {"number_of_shards": 1,
                         "auto_expand_replicas": "0-all"}}, STATE_MAPPING)  # fmt: skip
        elif previous.state in (LOADING, FINISHING):  # not active: its process died
            self._clear_abandoned(previous)
        journal = f"{index}-changes"
        definition = index_definition()
        self._create(journal, {"index": {"number_of_shards": 1,
                     "auto_expand_replicas": "0-1"}}, definition["mappings"])  # fmt: skip
        now = time.time()
        state = RebuildState(uuid.uuid4().hex, LOADING, index, journal, now, now)
        return RebuildRun(self, self.store(state, previous, create=previous is None))

    def replay(self, run: RebuildState) -> Iterator[Action]:
        """Actions applying the journal to the new index, read after a refresh."""
        self.client.indices.refresh(index=run.journal)
        after: list[Any] | None = None
        while True:
            body: dict[str, Any] = {
                "query": {"match_all": {}},
                "sort": [{"id": "asc"}],
                "size": JOURNAL_PAGE,
                "track_total_hits": False,
            }
            if after is not None:
                body["search_after"] = after
            hits = self.client.search(index=run.journal, body=body)["hits"]["hits"]
            for hit in hits:
                source = hit["_source"]
                if "payload" in source:
                    yield {"_op_type": "index", "_index": run.index, "_id": hit["_id"],
                           "_source": source}  # fmt: skip
                else:
                    yield {"_op_type": "delete", "_index": run.index, "_id": hit["_id"]}
            if len(hits) < JOURNAL_PAGE:
                return
            after = hits[-1]["sort"]

    # -- the writers' side ----------------------------------------------------------

    def record(self, run: RebuildState, chunk: list[Action], loader: BulkLoader) -> None:
        """Journal a chunk of changes for `run`: the latest version of each product."""
        entries = [
            {"_op_type": "index", "_index": run.journal, "_id": action["_id"],
             "_source": action["_source"] if action["_op_type"] == "index"
             else {"id": str(action["_id"])}}
            for action in chunk
        ]  # fmt: skip
        refused = [item for ok, item in loader.send(entries) if not ok]
        if refused:
            raise EngineUnavailable(f"the rebuild journal refused a change: {refused[0]}")

    # -- internals -----------------------------------------------------------------

    def _clear_abandoned(self, run: RebuildState) -> None:
        """Delete what a rebuild whose process died left: its journal, and its index unless
        it was already swapped in (tens of gigabytes at full size)."""
        try:
            serving = set(self.client.indices.get_alias(name=self.alias).body)
        except NotFoundError:
            serving = set()
        leftovers = [run.journal] + ([] if run.index in serving else [run.index])
        log.warning("rebuild %s stopped %s; deleting %s", run.rebuild, run.state, leftovers)
        for name in leftovers:
            self.client.indices.delete(index=name, ignore_unavailable=True)

    def _create(self, index: str, settings: dict[str, Any], mappings: dict[str, Any]) -> None:
        try:
            self.client.indices.create(index=index, settings=settings, mappings=mappings)
        except ApiError as exc:
            if _error_type(exc) != "resource_already_exists_exception":
                raise

    def store(
        self, state: RebuildState, expected: RebuildState | None, create: bool = False
    ) -> RebuildState:
        """Store `state` if the record is still `expected` (compare-and-set)."""
        options: dict[str, Any] = {}
        if create:
            options["op_type"] = "create"
        elif expected is not None and expected.seq_no is not None:
            options["if_seq_no"] = expected.seq_no
            options["if_primary_term"] = expected.primary_term
        try:
            stored = self.client.index(
                index=self.state_index, id=STATE_ID, document=state.document(), **options
            )
        except ConflictError as exc:
            raise EngineUnavailable(
                "another rebuild took over the rebuild record; this one stops"
            ) from exc
        return RebuildState(
            **state.document(),
            seq_no=stored.get("_seq_no"),
            primary_term=stored.get("_primary_term"),
        )


class RebuildRun:
    """The rebuild this process runs: its latest recorded state and its transitions."""

    def __init__(self, rebuilds: Rebuilds, state: RebuildState) -> None:
        self.rebuilds = rebuilds
        self.state = state

    def advance(self, state: str) -> None:
        """Move to `state` (or just say it is alive), only while this run owns the record."""
        current = self.state
        moved = RebuildState(current.rebuild, state, current.index, current.journal,
                             current.started, time.time())  # fmt: skip
        self.state = self.rebuilds.store(moved, current)

    def heartbeat(self, actions: Iterable[Action]) -> Iterator[Action]:
        """`actions` unchanged, saying every HEARTBEAT_S that this run is alive."""
        beat = time.monotonic()
        for count, action in enumerate(actions, 1):
            if count % 1024 == 0 and time.monotonic() - beat > HEARTBEAT_S:
                self.advance(self.state.state)
                beat = time.monotonic()
            yield action

    def replay(self) -> Iterator[Action]:
        """The journal as actions on the new index (see Rebuilds.replay)."""
        return self.rebuilds.replay(self.state)

    def settle(self, state: str, attempts: int = 3) -> None:
        """Mark the run done or failed and drop its journal. Retried: writers wait for
        the end of a finishing rebuild, so it must not be lost to a passing error."""
        try:
            for attempt in range(attempts):
                try:
                    self.advance(state)
                    return
                except (ApiError, TransportError):
                    if attempt == attempts - 1:
                        raise
                    time.sleep(1.0 + attempt)
        finally:
            self.rebuilds.client.indices.delete(index=self.state.journal, ignore_unavailable=True)


class ChangeWriter:
    """apply_changes' side of the protocol: delivers one chunk of changes to the alias."""

    def __init__(self, rebuilds: Rebuilds, loader: BulkLoader) -> None:
        self.rebuilds = rebuilds
        self.loader = loader

    def __call__(self, chunk: list[Action]) -> Results:
        while True:
            before = self.rebuilds.current()
            results = self.loader.send(chunk)
            after = self.rebuilds.current()
            if not _overlapped(before, after):
                return results
            if after is not None and after.active and after.state == LOADING:
                self.rebuilds.record(after, chunk, self.loader)
                if _still_loading(self.rebuilds.current(), after):
                    return results  # its final replay reads the journal later
            if after is not None and after.active:
                self.rebuilds.wait_until_settled(after.rebuild)
            # The rebuild around this write has settled: write the chunk again, into
            # whatever index the alias serves now.


def _overlapped(before: RebuildState | None, after: RebuildState | None) -> bool:
    """Whether a rebuild was active at some point between the two readings."""
    if (before is not None and before.active) or (after is not None and after.active):
        return True
    return (before.rebuild if before else None) != (after.rebuild if after else None)


def _still_loading(state: RebuildState | None, run: RebuildState) -> bool:
    return state is not None and state.rebuild == run.rebuild and state.state == LOADING


def _error_type(exc: ApiError) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error")
    return str(error.get("type", "")) if isinstance(error, dict) else ""
