"""Working on an input in chunks on forked worker processes, in input order.

One pipeline for catalog feeds and order events: `worker_pool` forks the workers
(when the input is big enough to pay for them) and `in_order` maps chunks of lines
over them, yielding results in input order with a bounded number in flight. Small
inputs, single cores and daemonic processes (a Celery prefork child may not fork)
run the same work in-process.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

from .processes import worker_processes

R = TypeVar("R")

_inherited: Any = None  # handed to the workers through the fork; see inherited()


def inherited() -> Any:
    """What the process that forked this worker handed down (`worker_pool(inherit=...)`)."""
    return _inherited


def can_fork() -> bool:
    """Whether this process may start worker processes at all."""
    return hasattr(os, "fork") and not multiprocessing.current_process().daemon


@contextlib.contextmanager
def worker_pool(
    input_bytes: int, *, min_bytes: int, workers: int, inherit: Any = None
) -> Iterator[ProcessPoolExecutor | None]:
    """`workers` forked processes for an input of `input_bytes`, or None where running
    in-process is better (fewer than `min_bytes`, no workers asked for, or no fork).

    All workers are forked here, before the caller opens any writer: a child forked
    while tantivy or a database connection writes would carry that state with it.
    `inherit` (say, a loaded analyzer) reaches the workers through the fork.
    """
    global _inherited
    if workers < 1 or input_bytes < min_bytes or not can_fork():
        yield None
        return
    _inherited = inherit
    try:
        with worker_processes(workers, multiprocessing.get_context("fork")) as pool:
            for started in [pool.submit(os.getpid) for _ in range(workers)]:
                started.result()
            yield pool
    finally:
        _inherited = None


def in_order(
    work: Callable[..., R],
    chunks: Iterable[tuple[Any, ...]],
    pool: ProcessPoolExecutor | None,
    window: int,
) -> Iterator[R]:
    """`work(*chunk)` for every chunk, in order: on the pool with at most `window` chunks
    in flight, or here when there is no pool."""
    if pool is None:
        for chunk in chunks:
            yield work(*chunk)
        return
    pending: deque[Future[R]] = deque()
    for chunk in chunks:
        pending.append(pool.submit(work, *chunk))
        if len(pending) > window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()
