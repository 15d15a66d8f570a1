"""Feed lines -> analyzed changes on every core, in feed order.

Parsing, validation and morphology cost ~90 µs a product in Python; spreading them
over worker processes (forked, so they share the loaded dictionaries) is what lets
indexing keep up with tantivy. Small feeds and daemonic processes (a Celery prefork
child may not fork) run in-process.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

from search.analysis.analyzer import Analyzer
from search.documents import index_document
from search.vocabulary import VocabularyBatch, VocabularyBuilder

from .feed import Deletion, FeedRecord, Rejection, Upsert, numbered_chunks, read_feed

CHUNK_LINES = 2_000
PARALLEL_MIN_BYTES = 2_000_000  # below ~5k products, forking costs more than it saves
# What one line becomes: ("doc", line, document) | ("removal", line, product id)
# | ("hidden", line, product id) | ("reject", line, Rejection)
Outcome = tuple[str, int, object]

_fork_analyzer: Analyzer | None = None  # set before forking; the workers inherit it


def analyze_record(record: FeedRecord, analyzer: Analyzer, vocabulary: VocabularyBatch) -> Outcome:
    if isinstance(record, Rejection):
        return ("reject", record.line, record)
    if isinstance(record, Deletion):
        return ("removal", record.line, record.product_id)
    assert isinstance(record, Upsert)
    if record.product.hidden:
        return ("hidden", record.line, record.product.id)
    title_words: list[str] = []
    document = index_document(record.product, analyzer, title_words=title_words)
    vocabulary.add(document, record.product, title_words)
    return ("doc", record.line, document)


def analyze_chunk(
    start: int, lines: list[bytes], analyzer: Analyzer | None = None
) -> tuple[list[Outcome], VocabularyBatch]:
    """Outcomes of a chunk of lines, and the vocabulary of its products."""
    analyzer = analyzer or _fork_analyzer
    assert analyzer is not None
    vocabulary = VocabularyBatch()
    outcomes = [
        analyze_record(record, analyzer, vocabulary) for record in read_feed(lines, start=start)
    ]
    return outcomes, vocabulary


@contextlib.contextmanager
def analysis_pool(analyzer: Analyzer, feed_bytes: int, workers: int | None = None):
    """Worker processes for a feed of `feed_bytes`, or None where running in-process is better.

    All workers are forked here, before any index writer exists: a child forked
    while tantivy writes would carry the writer's state with it.
    """
    global _fork_analyzer
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if (
        workers <= 1
        or feed_bytes < PARALLEL_MIN_BYTES
        or not hasattr(os, "fork")
        or multiprocessing.current_process().daemon
    ):
        yield None
        return
    _fork_analyzer = analyzer
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        for started in [pool.submit(os.getpid) for _ in range(workers)]:
            started.result()
        yield pool


def analyzed_lines(
    lines: Iterable[bytes],
    analyzer: Analyzer,
    vocabulary: VocabularyBuilder,
    pool: ProcessPoolExecutor | None = None,
) -> Iterator[Outcome]:
    """Outcomes for every non-blank line in feed order (on the pool's workers if given);
    the vocabulary of the indexed products is added to `vocabulary`."""
    chunks = numbered_chunks(lines, CHUNK_LINES)
    if pool is None:
        for chunk in chunks:
            outcomes, chunk_vocabulary = analyze_chunk(*chunk, analyzer)
            vocabulary.merge(chunk_vocabulary)
            yield from outcomes
        return
    window = 2 * (pool._max_workers or 1)
    pending: deque[Future] = deque()

    def finished(future: Future) -> list[Outcome]:
        outcomes, chunk_vocabulary = future.result()
        vocabulary.merge(chunk_vocabulary)
        return outcomes

    for chunk in chunks:
        pending.append(pool.submit(analyze_chunk, *chunk))
        if len(pending) > window:
            yield from finished(pending.popleft())
    while pending:
        yield from finished(pending.popleft())
