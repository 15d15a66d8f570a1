"""Feed -> validated products -> analyzed documents -> engine, with a report.

`index_feed` is what `vitrina index` and the Celery reindex tasks call.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from tqdm import tqdm

from search.analysis.analyzer import Analyzer, default_analyzer
from search.engines.base import Change, DocumentsRejected, Removal, SearchEngine
from search.vocabulary import VocabularyBuilder

from .feed import Rejection
from .inputs import counted_lines, open_input
from .locking import indexing_lock
from .parallel import analysis_pool, analyzed_lines


class FeedUnusable(Exception):
    """The feed cannot be used at all (missing, unreadable, or nothing valid in it)."""


@dataclass
class IndexReport:
    feed: str
    lines: int = 0
    upserts: int = 0
    deletions: int = 0
    hidden: int = 0
    rejected: int = 0
    products: int = 0
    seconds: float = 0.0
    rejects_path: Path | None = None
    rejection_samples: list[Rejection] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.rejected else 0

    def summary(self) -> str:
        rate = self.lines / self.seconds if self.seconds else 0.0
        text = (
            f"{self.lines} lines in {self.seconds:.1f}s ({rate:,.0f}/s): {self.upserts} indexed, "
            f"{self.deletions} deleted, {self.hidden} hidden (flagged), {self.rejected} rejected; "
            f"{self.products} products searchable"
        )
        if self.rejected and self.rejects_path:
            text += f"\nrejected lines written to {self.rejects_path}"
        return text


class _RejectsWriter:
    """Writes rejected lines lazily, so a clean feed leaves no empty file behind."""

    def __init__(self, path: Path, always_create: bool) -> None:
        self.path = path
        self._file: IO[str] | None = None
        if always_create:
            self._open()

    def _open(self) -> IO[str]:
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "w", encoding="utf-8")  # noqa: SIM115
        return self._file

    def write(self, rejection: Rejection) -> None:
        self._open().write(rejection.to_json() + "\n")

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


def default_rejects_path(data_dir: Path, feed: Path) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%S")
    return data_dir / "rejects" / f"{feed.stem}-{stamp}.rejects.jsonl"


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
) -> IndexReport:
    """Validate and index a feed. `full` rebuilds the index; otherwise changes apply in place.

    Raises FeedUnusable (and leaves the index as it was) when the feed cannot be read
    or a full rebuild would have no valid product at all.
    """
    analyzer = analyzer or default_analyzer()
    report = IndexReport(feed=str(feed))
    stream = open_feed(feed)
    started = time.perf_counter()
    rejects = _RejectsWriter(
        rejects_path or default_rejects_path(data_dir, feed), always_create=rejects_path is not None
    )
    report.rejects_path = rejects.path
    size = os.fstat(stream.fileno()).st_size
    bar = tqdm(
        total=size, unit="B", unit_scale=True, desc="indexing", disable=not progress, leave=False
    )
    try:
        vocabulary = VocabularyBuilder()
        with analysis_pool(analyzer, size) as pool, indexing_lock(data_dir):
            lines = counted_lines(stream, bar)
            changes = _changes(lines, analyzer, report, rejects, pool, vocabulary)
            if full:
                first = next(changes, None)
                if first is None:
                    raise FeedUnusable(
                        f"{feed}: no valid product in {report.lines} lines; the index is unchanged"
                    )
                _write_engine_rejects(engine.rebuild, _prepend(first, changes), report, rejects)
            else:
                _write_engine_rejects(engine.apply_changes, changes, report, rejects)
            report.products = engine.product_count()
            # Query understanding's vocabulary (search/vocabulary.py), next to the index.
            vocabulary.save(data_dir, merge=not full)
    finally:
        bar.close()
        stream.close()
        rejects.close()
    report.seconds = time.perf_counter() - started
    return report


def _prepend(first: Change, rest: Iterator[Change]) -> Iterator[Change]:
    yield first
    yield from rest


def _changes(
    lines: Iterator[bytes],
    analyzer: Analyzer,
    report: IndexReport,
    rejects: _RejectsWriter,
    pool: ProcessPoolExecutor | None,
    vocabulary: VocabularyBuilder,
) -> Iterator[Change]:
    for kind, line, value in analyzed_lines(lines, analyzer, vocabulary, pool):
        report.lines = line
        if kind == "doc":
            report.upserts += 1
            yield value
        elif kind == "reject":
            report.rejected += 1
            rejects.write(value)
            if len(report.rejection_samples) < 5:
                report.rejection_samples.append(value)
        elif kind == "removal":
            report.deletions += 1
            yield Removal(value)
        elif kind == "hidden":
            report.hidden += 1
            yield Removal(value)


def _write_engine_rejects(
    write: Callable[[Iterator[Change]], int],
    changes: Iterator[Change],
    report: IndexReport,
    rejects: _RejectsWriter,
) -> None:
    """Run an engine write; products the engine refuses become rejects, like bad lines.

    (Elasticsearch can refuse single documents; every other change is then live.)
    """
    try:
        write(changes)
    except DocumentsRejected as exc:
        for refused in exc.rejected:
            rejection = Rejection(
                0,
                f"product {refused.id}: refused by the search engine: {refused.reason}",
                refused.id,
            )
            report.rejected += 1
            report.upserts -= 1
            rejects.write(rejection)
            if len(report.rejection_samples) < 5:
                report.rejection_samples.append(rejection)
