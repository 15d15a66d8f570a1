"""What must hold before an indexing run changes what shoppers see.

- A full rebuild never swaps in an empty catalog, nor one that shrinks by more than a
  set share of the catalog in service (a truncated export, a feed of only `deleted`
  lines, a feed whose lines are almost all bad): the engine hands `SwapGuard.check`
  the product count of its complete new index just before its swap, and the guard
  refuses (base.SearchEngine.rebuild). The engine counts: nothing here holds the ids.
- The vocabulary of the run (search/vocabulary.py) is written in full before the swap,
  when the engine has taken the last change (`StagedVocabulary.stage`; every engine
  takes them all before it swaps), and put in place with a rename right after the
  engine swapped: a full disk or any other failure while writing either one leaves
  the index and the vocabulary in service as they were.
- A full disk is one clear error (`DiskFull`, exit status 3), wherever it happens.
"""

from __future__ import annotations

import contextlib
import errno
import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from search.engines.base import Change, EngineUnavailable, SearchEngine
from search.vocabulary import Vocabulary, VocabularyBuilder, vocabulary_path

MAX_SHRINK = 0.2  # default: a rebuild may drop at most a fifth of the catalog in service


class FeedUnusable(Exception):
    """The feed cannot be used at all (missing, unreadable, or nothing valid in it)."""


class CatalogShrinks(FeedUnusable):
    """The new catalog is empty, or much smaller than the one in service."""


class DiskFull(OSError):
    """No space left on the device (the message says what that left in service)."""

    def __str__(self) -> str:
        return self.strerror or super().__str__()


def products_in_service(engine: SearchEngine) -> int | None:
    """How many products the engine serves now; None when there is no index yet."""
    try:
        return engine.product_count()
    except EngineUnavailable:
        return None


class SwapGuard:
    """Refuses a rebuild's new catalog when it is empty or shrinks too much.

    The catalog in service is counted when the new one is complete, right before the
    swap: the engine has just shown it answers (a count that failed at the start of a
    long run must not let the run skip the comparison), and it is the catalog the swap
    would replace.
    """

    def __init__(
        self, feed: Path, in_service: Callable[[], int | None], max_shrink: float | None
    ) -> None:
        self.feed = feed
        self.in_service = in_service  # products served now, None while there is no index
        self.max_shrink = max_shrink  # None: any shrink is allowed (--allow-shrink)

    def check(self, products: int) -> None:
        """The engine's `check` before its swap: raises CatalogShrinks to cancel it."""
        if products == 0:
            raise CatalogShrinks(
                f"{self.feed}: the new catalog would have no products (every line was a "
                "deletion, hidden or rejected); the index is unchanged"
            )
        in_service = self.in_service() if self.max_shrink is not None else None
        if in_service is None or self.max_shrink is None or products >= in_service:
            return
        share = (in_service - products) / in_service
        if share > self.max_shrink:
            shown = f"{share:.0%}" if f"{share:.0%}" != f"{self.max_shrink:.0%}" else f"{share:.1%}"
            raise CatalogShrinks(
                f"{self.feed}: the new catalog has {products:,} products, {shown} fewer "
                f"than the {in_service:,} in service (at most {self.max_shrink:.0%} "
                "allowed, VITRINA_INDEX_MAX_SHRINK); the index is unchanged. If the catalog "
                "really shrank, run again with --allow-shrink"
            )


class StagedVocabulary:
    """A run's vocabulary, written beside the live one and renamed into place later."""

    def __init__(self, builder: VocabularyBuilder, data_dir: Path, *, merge: bool) -> None:
        self.builder = builder
        self.path = vocabulary_path(data_dir)
        self.merge = merge
        self.staged: Path | None = None

    def stage(self) -> None:
        """Write the whole vocabulary to a file of its own (the costly, failing part)."""
        old = None
        if self.merge and self.path.exists():
            with contextlib.suppress(OSError, ValueError, KeyError):
                old = Vocabulary.load(self.path)
        staged = self.path.parent / f".staged-{uuid.uuid4().hex}.json"
        self.staged = staged
        self.builder.vocabulary(old).save(staged)

    def publish(self) -> None:
        """Put the staged vocabulary in place: one rename, no new disk space."""
        if self.staged is None:
            self.stage()
        assert self.staged is not None
        os.replace(self.staged, self.path)
        self.staged = None

    def discard(self) -> None:
        if self.staged is not None:
            self.staged.unlink(missing_ok=True)
            self.staged = None

    @staticmethod
    def remove_debris(data_dir: Path) -> None:
        """Staged and temporary vocabulary files that a killed run left behind (call
        only under the indexing lock)."""
        folder = vocabulary_path(data_dir).parent
        for path in folder.glob(".*"):
            if path.name.startswith((".staged-", f".{vocabulary_path(data_dir).name}.")):
                path.unlink(missing_ok=True)


def then(changes: Iterable[Change], at_end: Callable[[], None]) -> Iterator[Change]:
    """`changes`, then `at_end()` once the engine has taken the last one."""
    yield from changes
    at_end()


@contextlib.contextmanager
def disk_full_is_unavailable(data_dir: Path, *, full: bool) -> Iterator[None]:
    """ENOSPC, wherever it happens, as one `DiskFull` naming the data dir. A rebuild
    leaves the index in service as it was; changes applied in place (`full=False`) may
    be live up to the failure, and the engine may take them in chunks."""
    try:
        yield
    except OSError as exc:
        if exc.errno != errno.ENOSPC or isinstance(exc, DiskFull):
            raise
        where = f" ({exc.filename})" if exc.filename else ""
        left = (
            "the index in service is unchanged"
            if full
            else "changes before the failure may be live, the rest are not"
        )
        raise DiskFull(
            errno.ENOSPC,
            f"disk full: no space left on the device{where}; {left}. "
            f"Free space for {data_dir} and run again",
        ) from exc
