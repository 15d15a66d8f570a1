"""What must hold before an indexing run changes what shoppers see.

- A full rebuild never swaps in an empty catalog, nor one that shrinks by more than a
  set share of the catalog in service (a truncated export, a feed of only `deleted`
  lines, a feed whose lines are almost all bad): `SwapGuard` counts the products of
  the new catalog as the engine consumes the changes and refuses at their end, which
  every engine reaches before it swaps (it builds the whole new index first).
- The vocabulary of the run (search/vocabulary.py) is written in full before the swap,
  at the same end of the changes (`StagedVocabulary`), and put in place with a rename
  right after the engine swapped: a full disk or any other failure while writing
  either one leaves the index and the vocabulary in service as they were.
- A full disk is one clear error (`DiskFull`, exit status 3), wherever it happens.
"""

from __future__ import annotations

import contextlib
import errno
import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from search.engines.base import Change, EngineUnavailable, Removal, SearchEngine
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
    """Counts the products of a rebuild's new catalog and refuses an unsafe one."""

    def __init__(self, feed: Path, in_service: int | None, max_shrink: float | None) -> None:
        self.feed = feed
        self.in_service = in_service
        self.max_shrink = max_shrink  # None: any shrink is allowed (--allow-shrink)
        self.live: set[str] = set()

    def watch(
        self, changes: Iterable[Change], at_end: Callable[[], None] | None = None
    ) -> Iterator[Change]:
        """`changes`, passed through; after the last one, check the new catalog and run
        `at_end` (both before the engine can swap)."""
        for change in changes:
            if isinstance(change, Removal):
                self.live.discard(change.id)
            else:
                self.live.add(change["id"])
            yield change
        self.check(len(self.live))
        if at_end is not None:
            at_end()

    def check(self, products: int) -> None:
        if products == 0:
            raise CatalogShrinks(
                f"{self.feed}: the new catalog would have no products (every line was a "
                "deletion, hidden or rejected); the index is unchanged"
            )
        if self.in_service is None or self.max_shrink is None or products >= self.in_service:
            return
        share = (self.in_service - products) / self.in_service
        if share > self.max_shrink:
            raise CatalogShrinks(
                f"{self.feed}: the new catalog has {products:,} products, {share:.0%} fewer "
                f"than the {self.in_service:,} in service (at most {self.max_shrink:.0%} "
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
