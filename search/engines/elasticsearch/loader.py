"""Parallel, bounded, retrying bulk loads for catalogs of tens of millions of products.

Each worker thread sends its chunks through `elasticsearch.helpers.streaming_bulk`,
which retries 429 and 5xx answers (whole requests or single documents) with
exponential backoff. `parallel_bulk` is not used: it never retries, and its chunks
finish in any order, so two changes to one product could land the wrong way round.
Here every product id belongs to one partition (crc32 of the id) and each partition
has one worker that sends its chunks in order; within a chunk an id appears once (the
later change wins), so a partial retry cannot reorder it either.

Memory stays bounded whatever the feed's size: the producer blocks while a worker's
queue is full, so at most workers x (queued_chunks + 2) chunks exist at once.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from elasticsearch import ConnectionError as TransportConnectionError
from elasticsearch import ConnectionTimeout, Elasticsearch
from elasticsearch.helpers import streaming_bulk

from ..base import EngineUnavailable
from .bulk import BulkOutcome

log = logging.getLogger("vitrina.search.elasticsearch")

Action = dict[str, Any]  # a streaming_bulk action: _op_type, _index, _id, _source
Results = list[tuple[bool, dict[str, Any]]]  # what streaming_bulk yields for a chunk
RETRY_ON_STATUS = (429, 502, 503, 504)  # "slow down" and "not now" answers


@dataclass(frozen=True)
class BulkPolicy:
    """How bulk requests are cut, spread and retried."""

    chunk_size: int = 1000  # documents per request (~2-3 MB of products)
    max_chunk_bytes: int = 8 * 1024 * 1024
    workers: int = 4  # requests in flight at once
    queued_chunks: int = 1  # chunks waiting per worker: the memory bound
    max_retries: int = 6
    initial_backoff_s: float = 1.0
    max_backoff_s: float = 60.0
    give_up_after_refusals: int = 10_000  # refused, none stored: the mapping is wrong

    def backoff(self, attempt: int) -> float:
        return min(self.max_backoff_s, self.initial_backoff_s * 2**attempt)


def partition_of(doc_id: str, partitions: int) -> int:
    """The partition (and so the worker) of a document id: stable across runs."""
    return zlib.crc32(doc_id.encode("utf-8")) % partitions


class BulkLoader:
    """Sends bulk actions for one client with a BulkPolicy."""

    def __init__(self, client: Elasticsearch, policy: BulkPolicy | None = None) -> None:
        self.client = client
        self.policy = policy or BulkPolicy()

    def send(self, actions: list[Action]) -> Results:
        """One chunk of actions, retried with backoff (429/5xx and lost connections).

        Raises the client's error once the retries are spent; documents refused for
        their content come back as (False, item) results instead.
        """
        policy = self.policy
        for attempt in range(policy.max_retries + 1):
            try:
                return list(
                    streaming_bulk(
                        self.client,
                        actions,
                        chunk_size=max(1, len(actions)),
                        max_chunk_bytes=policy.max_chunk_bytes,
                        raise_on_error=False,
                        raise_on_exception=True,
                        max_retries=policy.max_retries,
                        initial_backoff=policy.initial_backoff_s,
                        max_backoff=policy.max_backoff_s,
                        retry_on_status=RETRY_ON_STATUS,
                    )
                )
            except (TransportConnectionError, ConnectionTimeout) as exc:
                if attempt == policy.max_retries:
                    raise
                delay = policy.backoff(attempt)
                log.warning("bulk request failed (%s); retrying in %.1f s", exc, delay)
                time.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def load(
        self, actions: Iterable[Action], deliver: Callable[[list[Action]], Results] | None = None
    ) -> BulkOutcome:
        """Send every action on `policy.workers` threads; `deliver` sends one chunk.

        Returns what was applied and refused. Raises the first worker's error (after
        stopping the others) or EngineUnavailable when the engine refuses every
        document of the first `give_up_after_refusals`.
        """
        run = _Run(self.policy, deliver or self.send)
        try:
            run.feed(actions)
        finally:
            run.close()
        return run.outcome()


class _Run:
    """One load: a producer (the caller's thread) and one worker per partition."""

    def __init__(self, policy: BulkPolicy, deliver: Callable[[list[Action]], Results]) -> None:
        self.policy = policy
        self.deliver = deliver
        self.partitions = max(1, policy.workers)
        self.queues: list[queue.Queue[list[Action] | None]] = [
            queue.Queue(maxsize=max(1, policy.queued_chunks)) for _ in range(self.partitions)
        ]
        self.outcomes = [BulkOutcome() for _ in range(self.partitions)]
        self.superseded = 0  # changes replaced by a later change to the same id
        self.failures: list[BaseException] = []
        self.stop = threading.Event()
        self.totals_lock = threading.Lock()
        self.refused = self.stored = 0
        self.threads = [
            threading.Thread(target=self._work, args=(n,), name=f"vitrina-bulk-{n}", daemon=True)
            for n in range(self.partitions)
        ]
        for thread in self.threads:
            thread.start()

    def feed(self, actions: Iterable[Action]) -> None:
        buffers: list[dict[str, Action]] = [{} for _ in range(self.partitions)]
        try:
            for action in actions:
                if self.stop.is_set():
                    return
                doc_id = str(action["_id"])
                part = partition_of(doc_id, self.partitions)
                buffer = buffers[part]
                if buffer.pop(doc_id, None) is not None:
                    self.superseded += 1
                buffer[doc_id] = action
                if len(buffer) >= self.policy.chunk_size:
                    self.queues[part].put(list(buffer.values()))
                    buffers[part] = {}
            for part, buffer in enumerate(buffers):
                if buffer and not self.stop.is_set():
                    self.queues[part].put(list(buffer.values()))
        except BaseException:
            self.stop.set()
            raise

    def _work(self, part: int) -> None:
        outcome = self.outcomes[part]
        while True:
            chunk = self.queues[part].get()
            if chunk is None:
                return
            if self.stop.is_set():
                continue  # keep draining so the producer never blocks
            try:
                results = self.deliver(chunk)
                for ok, item in results:
                    outcome.record(ok, item)
                self._check_refusals(results)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                self.failures.append(exc)
                self.stop.set()

    def _check_refusals(self, results: Results) -> None:
        refused = sum(1 for ok, item in results if not ok and _is_refusal(item))
        with self.totals_lock:
            self.refused += refused
            self.stored += len(results) - refused
            give_up = self.refused >= self.policy.give_up_after_refusals and not self.stored
        if give_up:
            first = next(o.rejected[0] for o in self.outcomes if o.rejected)
            raise EngineUnavailable(
                f"Elasticsearch refused the first {self.refused} documents and stored none "
                f"({first.reason})"
            )

    def close(self) -> None:
        for part_queue in self.queues:
            part_queue.put(None)
        for thread in self.threads:
            thread.join()
        if self.failures:
            raise self.failures[0]

    def outcome(self) -> BulkOutcome:
        total = BulkOutcome.merged(self.outcomes)
        total.applied += self.superseded
        return total


def _is_refusal(item: dict[str, Any]) -> bool:
    op_type, result = next(iter(item.items()))
    return not (op_type == "delete" and result.get("status") == 404)
