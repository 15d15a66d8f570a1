"""Feed -> validated products -> analyzed documents -> engine, with a report.

`index_feed` is what `vitrina index` and the Celery reindex tasks call. Parsing,
validation and morphology cost ~90 µs a product in Python; big feeds spread them
over forked worker processes (indexer/pipeline.py), which share the loaded
dictionaries and keep feed order.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import IO, Protocol

from tqdm import tqdm

from search.analysis.analyzer import Analyzer, default_analyzer
from search.documents import index_document
from search.engines.base import Change, DocumentsRejected, Removal, SearchEngine
from search.saved import load_versioned, save_versioned
from search.understanding import transcription
from search.understanding.transcription import known_readings, remember_readings
from search.vocabulary import Vocabulary, VocabularyBatch, VocabularyBuilder

from .feed import MAX_LINE_BYTES, Deletion, FeedRecord, Rejection, Upsert, read_feed
from .inputs import counted_lines, numbered_chunks, open_input
from .locking import IndexingLock, indexing_lock
from .pipeline import in_order, inherited, worker_pool
from .reports import InputReport, RejectsWriter, default_rejects_path
from .safeguards import (
    MAX_SHRINK,
    FeedUnusable,
    InBackground,
    StagedVocabulary,
    SwapGuard,
    disk_full_is_unavailable,
    products_in_service,
    then,
)

log = logging.getLogger("vitrina.indexer")

CHUNK_LINES = 2_000
# The first chunk's lines (then twice as many a chunk up to CHUNK_LINES): the indexing
# process waits for the first chunk before it writes anything, and a cold worker takes
# ~0.3 s over 2,000 lines.
FIRST_CHUNK_LINES = 250
# Lemmas of the words indexed before: a daily reindex starts with pymorphy3 warm.
LEMMA_CACHE_FILE = "lemmas.json"
# The brand lexicon's readings of the Latin words indexed before (transcription.py):
# a reindex transcribes only new words (~100 µs each, in the indexing process).
READINGS_CACHE_FILE = "readings.json"
PARALLEL_MIN_BYTES = 2_000_000  # below ~5k products, forking costs more than it saves
# What one line becomes: ("doc", line, document) | ("removal", line, product id)
# | ("hidden", line, product id) | ("reject", line, Rejection)
Outcome = tuple[str, int, object]


__all__ = ["FeedUnusable", "IndexReport", "index_feed"]


@dataclass
class IndexReport(InputReport):
    upserts: int = 0
    deletions: int = 0
    hidden: int = 0
    products: int = 0

    def summary(self) -> str:
        return (
            f"{self.lines} lines in {self.seconds:.1f}s ({self.rate:,.0f}/s): {self.upserts} "
            f"indexed, {self.deletions} deleted, {self.hidden} hidden (flagged), "
            f"{self.rejected} rejected; {self.products} products searchable"
        ) + self.rejects_note()


def open_feed(path: Path) -> IO[bytes]:
    return open_input(path, FeedUnusable, "a feed file")


def index_feed(
    feed: Path,
    engine: SearchEngine,
    data_dir: Path,
    *,
    rejects_path: Path | None = None,
    full: bool = True,
    progress: bool = False,
    analyzer: Analyzer | None = None,
    max_shrink: float | None = MAX_SHRINK,
    lock: IndexingLock | None = None,
    vocabulary_lock: IndexingLock | None = None,
) -> IndexReport:
    """Validate and index a feed. `full` rebuilds the index; otherwise changes apply in place.

    `lock` guards the run (default: the data dir's file lock; Jobs.indexing_lock picks
    the one every host shares when the index is shared); `vocabulary_lock`, if given,
    guards publishing the vocabulary (a rebuild that lets changes run beside it).

    Raises FeedUnusable (and leaves the index as it was) when the feed cannot be read,
    or a full rebuild would have no product or fewer than `1 - max_shrink` of those in
    service (None: any shrink; see indexer/safeguards.py). DiskFull on ENOSPC.
    """
    analyzer = analyzer or default_analyzer()
    with collecting_seldom():
        return _index_feed(
            feed,
            engine,
            data_dir,
            rejects_path=rejects_path,
            full=full,
            progress=progress,
            analyzer=analyzer,
            max_shrink=max_shrink,
            lock=lock,
            vocabulary_lock=vocabulary_lock,
        )


# A run allocates a few containers a word and keeps them until its chunk is written,
# beside caches of ~100k tuples (lemmas, index entries): at the default thresholds the
# cyclic garbage collector walks them again and again (~5% of the analysis). It runs
# less often during a run (in the worker processes too, which inherit the setting).
RUN_GC_THRESHOLDS = (50_000, 20, 20)


@contextlib.contextmanager
def collecting_seldom() -> Iterator[None]:
    """The garbage collector's thresholds raised for the block (and what was there
    before it, the loaded dictionaries and modules, left out of its walks). A process
    that froze objects itself (a preloaded server) keeps them frozen: `gc.unfreeze`
    would hand all of them back to the collector."""
    thresholds = gc.get_threshold()
    frozen_before = gc.get_freeze_count()
    gc.freeze()
    gc.set_threshold(*(max(a, b) for a, b in zip(thresholds, RUN_GC_THRESHOLDS, strict=True)))
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        if not frozen_before:
            gc.unfreeze()


def _index_feed(
    feed: Path,
    engine: SearchEngine,
    data_dir: Path,
    *,
    rejects_path: Path | None,
    full: bool,
    progress: bool,
    analyzer: Analyzer,
    max_shrink: float | None,
    lock: IndexingLock | None,
    vocabulary_lock: IndexingLock | None,
) -> IndexReport:
    report = IndexReport(path=str(feed))
    stream = open_feed(feed)
    lemma_cache = Path(data_dir) / LEMMA_CACHE_FILE
    analyzer.words.load_cache(lemma_cache)  # before the fork: every worker starts warm
    readings_cache = Path(data_dir) / READINGS_CACHE_FILE
    load_readings(readings_cache)
    analyzer.words.journal()
    started = time.perf_counter()
    size = os.fstat(stream.fileno()).st_size
    bar = tqdm(
        total=size, unit="B", unit_scale=True, desc="indexing", disable=not progress, leave=False
    )
    cores = os.cpu_count() or 1
    try:
        with (
            disk_full_is_unavailable(data_dir, full=full),
            RejectsWriter(
                report,
                rejects_path or default_rejects_path(data_dir, feed),
                always_create=rejects_path is not None,
            ) as rejects,
            worker_pool(
                size,
                min_bytes=PARALLEL_MIN_BYTES,
                workers=cores if cores > 1 else 0,
                inherit=analyzer,
            ) as pool,
            (lock or (lambda: indexing_lock(data_dir)))(),
        ):
            StagedVocabulary.remove_debris(data_dir)
            vocabulary = VocabularyBuilder()
            # Query understanding's vocabulary (search/vocabulary.py), next to the index
            # (or where the engine shares it with every host): made before the swap,
            # put in place right after it.
            staged = staged_vocabulary(vocabulary, engine, data_dir, merge=not full)
            lines = counted_lines(stream, bar, MAX_LINE_BYTES)
            outcomes = analyzed_lines(
                lines, analyzer, vocabulary, pool, window=2 * cores, workers=cores
            )
            changes = _changes(outcomes, report, rejects)
            # A rebuild stages the vocabulary while the engine commits (safeguards.py).
            background = InBackground(staged.stage)
            try:
                if full:
                    guard = SwapGuard(feed, partial(products_in_service, engine), max_shrink)
                    first = next(changes, None)
                    if first is None:
                        raise FeedUnusable(
                            f"{feed}: no valid product in {report.lines} lines; "
                            "the index is unchanged"
                        )
                    staging = then(_prepend(first, changes), background.start)
                    check = partial(_staged_then_checked, background, guard)
                    rebuild = partial(engine.rebuild, check=check)
                    _write_engine_rejects(rebuild, staging, report, rejects)
                    background.wait()  # (done already: the engine's check waited for it)
                else:
                    staging = then(changes, staged.stage)
                    _write_engine_rejects(engine.apply_changes, staging, report, rejects)
            except BaseException:
                background.join()  # it must not write a staged file after the discard
                staged.discard()
                raise
            with vocabulary_lock() if vocabulary_lock else contextlib.nullcontext():
                staged.publish()
            report.products = engine.product_count()
            try:  # after the swap, and only a warm start for the next run: never fails it
                analyzer.words.save_cache(lemma_cache)
                save_readings(readings_cache)
            except OSError as exc:
                log.warning("lemma or readings cache in %s not saved: %s", data_dir, exc)
    finally:
        analyzer.words.journal(on=False)
        bar.close()
        stream.close()
    report.seconds = time.perf_counter() - started
    return report


class SharedVocabulary(Protocol):
    """Where an engine shared by several hosts keeps the vocabulary (Elasticsearch:
    search/engines/elasticsearch/shared.py)."""

    def load(self) -> Vocabulary | None: ...
    def publish(self, vocabulary: Vocabulary) -> object: ...


def staged_vocabulary(
    builder: VocabularyBuilder, engine: SearchEngine, data_dir: Path, *, merge: bool
) -> StagedVocabulary | SharedStagedVocabulary:
    """The run's vocabulary, staged where the web will read it: the engine's
    `shared_vocabulary` (every host sees it, e.g. Elasticsearch), else the data dir."""
    shared: SharedVocabulary | None = getattr(engine, "shared_vocabulary", None)
    if shared is None:
        return StagedVocabulary(builder, data_dir, merge=merge)
    return SharedStagedVocabulary(builder, shared, merge=merge)


class SharedStagedVocabulary:
    """A run's vocabulary for the engine's shared store: made before the swap (merged
    with the shared one for incremental changes), published after it; no file is written."""

    def __init__(
        self, builder: VocabularyBuilder, shared: SharedVocabulary, *, merge: bool
    ) -> None:
        self.builder = builder
        self.shared = shared
        self.merge = merge
        self.staged: Vocabulary | None = None

    def stage(self) -> None:
        self.staged = self.builder.vocabulary(self.shared.load() if self.merge else None)

    def publish(self) -> None:
        if self.staged is None:
            self.stage()
        assert self.staged is not None
        self.shared.publish(self.staged)
        self.staged = None

    def discard(self) -> None:
        self.staged = None


# -- analysis: a line becomes a document (on a worker process for big feeds) ------------


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


Analyzed = tuple[list[Outcome], VocabularyBatch, dict[str, tuple[str, ...]]]
Lemmas = dict[str, tuple[str, ...]]


def analyze_chunk(
    start: int, lines: list[bytes], analyzer: Analyzer | None = None, learnt: Lemmas | None = None
) -> Analyzed:
    """Outcomes of a chunk of lines, the vocabulary of its products and the words it
    lemmatized first (on a worker, the analyzer is the one the indexing process handed
    down; the new lemmas go back to it, for its lemma cache and the other workers).

    `learnt`: lemmas other workers read since, which this one need not read again.
    """
    worker = analyzer is None
    analyzer = analyzer or inherited()
    assert analyzer is not None
    if learnt:
        analyzer.words.remember(learnt)
    vocabulary = VocabularyBatch()
    outcomes = [
        analyze_record(record, analyzer, vocabulary) for record in read_feed(lines, start=start)
    ]
    return outcomes, vocabulary, analyzer.words.fresh_lemmas() if worker else {}


def analyzed_lines(
    lines: Iterable[bytes],
    analyzer: Analyzer,
    vocabulary: VocabularyBuilder,
    pool: ProcessPoolExecutor | None = None,
    window: int = 2,
    workers: int = 2,
) -> Iterator[Outcome]:
    """Outcomes for every non-blank line in feed order (on the pool's `workers` if
    given); the vocabulary of the indexed products is added to `vocabulary`."""
    chunks: Iterator[tuple[object, ...]] = numbered_chunks(
        lines, CHUNK_LINES, first=FIRST_CHUNK_LINES
    )
    news = SharedLemmas(workers)
    if pool is not None:
        # Each chunk takes along what the workers learnt lately (pulled when submitted).
        chunks = ((start, chunk, None, news.take()) for start, chunk in chunks)
    work = _analyze_packed if pool is not None else _analyze_here(analyzer)
    for outcomes, chunk_vocabulary, lemmas in in_order(work, chunks, pool, window):
        if pool is not None:
            outcomes = _unpacked(outcomes)
        vocabulary.merge(chunk_vocabulary)
        analyzer.words.remember(lemmas)
        if pool is not None:
            news.add(lemmas)
        yield from outcomes


class SharedLemmas:
    """Lemmas one worker read, passed on to the others with the next chunks they get.

    Workers are forked with the indexing process's lemma cache and then each reads the
    catalog's words on its own: two workers read ~40% more words than there are. What
    a worker sends back goes out with the next `workers` chunks submitted (the pool
    gives them to whichever worker is free, so most workers get most of it); a word
    that meets a worker first in the meantime is read there as before.
    """

    def __init__(self, workers: int) -> None:
        self.copies = max(1, workers)
        self._pending: deque[tuple[Lemmas, list[int]]] = deque()

    def add(self, lemmas: Lemmas) -> None:
        if lemmas:
            self._pending.append((lemmas, [self.copies]))

    def take(self) -> Lemmas:
        """What the next chunk takes along."""
        if not self._pending:
            return {}
        if len(self._pending) == 1 and self._pending[0][1][0] == 1:
            return self._pending.popleft()[0]
        merged: Lemmas = {}
        for lemmas, left in self._pending:
            merged.update(lemmas)
            left[0] -= 1
        while self._pending and self._pending[0][1][0] <= 0:
            self._pending.popleft()
        return merged


def load_readings(path: Path) -> int:
    """Remember the readings saved at `path` by `save_readings`; how many. A missing,
    broken or outdated file (transcription.py changed since) adds nothing."""
    saved = load_versioned(path, _readings_version())
    if saved is None:
        return 0
    found = {(word, script): tuple(found) for word, script, found in saved.get("readings") or ()}
    remember_readings(found)
    return len(found)


def save_readings(path: Path) -> None:
    """Write the readings remembered, for `load_readings` (atomically)."""
    rows = [(word, script, found) for (word, script), found in known_readings().items()]
    save_versioned(path, _readings_version(), {"readings": rows})


@cache
def _readings_version() -> str:
    """What a saved reading depends on: the rules of transcription.py, as written."""
    return hashlib.sha256(Path(transcription.__file__).read_bytes()).hexdigest()[:16]


def _analyze_packed(
    start: int, lines: list[bytes], analyzer: Analyzer | None = None, learnt: Lemmas | None = None
) -> Analyzed:
    """`analyze_chunk` on a worker, its documents packed for the trip to the indexing
    process (`_unpacked`): a document's values without its keys, which the chunk sends
    once. Unpickling ~16 keyed values a document cost ~9 µs there, in the one process
    every document goes through; values alone cost ~3 µs."""
    outcomes, vocabulary, lemmas = analyze_chunk(start, lines, analyzer, learnt)
    keys: tuple[str, ...] | None = None
    packed: list[Outcome] = []
    for kind, line, value in outcomes:
        if kind == "doc":
            assert isinstance(value, dict)
            if keys is None:
                keys = tuple(value)
            if tuple(value) == keys:  # (index_document's fields, always in its order)
                packed.append(("values", line, tuple(value.values())))
                continue
        packed.append((kind, line, value))
    if keys is not None:
        packed.insert(0, ("keys", 0, keys))
    return packed, vocabulary, lemmas


def _unpacked(outcomes: list[Outcome]) -> list[Outcome]:
    """The outcomes `_analyze_packed` packed, documents as dicts again."""
    if not outcomes or outcomes[0][0] != "keys":
        return outcomes
    keys = outcomes[0][2]
    assert isinstance(keys, tuple)
    unpacked: list[Outcome] = []
    for kind, line, value in outcomes[1:]:
        if kind == "values":
            assert isinstance(value, tuple)
            unpacked.append(("doc", line, dict(zip(keys, value, strict=True))))
        else:
            unpacked.append((kind, line, value))
    return unpacked


def _analyze_here(analyzer: Analyzer) -> Callable[[int, list[bytes]], Analyzed]:
    return lambda start, lines: analyze_chunk(start, lines, analyzer)


# -- writing: documents to the engine, rejects to their file ----------------------------


def _prepend(first: Change, rest: Iterator[Change]) -> Iterator[Change]:
    yield first
    yield from rest


def _changes(
    outcomes: Iterable[Outcome], report: IndexReport, rejects: RejectsWriter
) -> Iterator[Change]:
    for kind, line, value in outcomes:
        report.lines = line
        if kind == "doc":
            assert isinstance(value, dict)  # an analyzed document
            report.upserts += 1
            yield value
        elif kind == "reject":
            assert isinstance(value, Rejection)
            rejects.reject(value)
        elif kind == "removal":
            report.deletions += 1
            yield Removal(str(value))
        elif kind == "hidden":
            report.hidden += 1
            yield Removal(str(value))


def _staged_then_checked(background: InBackground, guard: SwapGuard, products: int) -> None:
    """The engine's check before its swap: the vocabulary must be staged (its failure
    cancels the swap, as a refused catalog does), then the catalog may not shrink."""
    background.wait()
    guard.check(products)


def _write_engine_rejects(
    write: Callable[[Iterator[Change]], int],
    changes: Iterator[Change],
    report: IndexReport,
    rejects: RejectsWriter,
) -> None:
    """Run an engine write; products the engine refuses become rejects, like bad lines.

    (Elasticsearch can refuse single documents; every other change is then live.)
    """
    try:
        write(changes)
    except DocumentsRejected as exc:
        for refused in exc.rejected:
            report.upserts -= 1
            rejects.reject(
                Rejection(
                    0,
                    f"product {refused.id}: refused by the search engine: {refused.reason}",
                    refused.id,
                )
            )
