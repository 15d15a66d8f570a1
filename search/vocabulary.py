"""The catalog's own words, with document frequencies, for query understanding.

Engine-independent by design: the indexer collects surface words and index terms
of titles and brands while it indexes (whatever the engine), and writes them as one
JSON file next to the index (`<data_dir>/vocabulary/vocabulary.json`, replaced
atomically). The web process loads it lazily and reloads it when the file changes.
A full rebuild writes a fresh vocabulary; incremental changes add to the existing
counts (removed products linger until the next rebuild, which only makes a few
corrections more permissive).
"""

from __future__ import annotations

import bisect
import contextlib
import json
import os
import threading
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import orjson

from .analysis.text import normalize, tokenize
from .catalog import Product
from .engines.base import Change

VOCABULARY_DIR = "vocabulary"
VOCABULARY_FILE = "vocabulary.json"
FORMAT_VERSION = 1
# Words seen once in 100k products are mostly noise; keep them anyway (typos of rare
# brands matter) but cap the file for very large catalogs.
MAX_ENTRIES = 400_000


def vocabulary_path(data_dir: Path) -> Path:
    return Path(data_dir) / VOCABULARY_DIR / VOCABULARY_FILE


@dataclass
class Vocabulary:
    """Normalized surface words and index terms of titles and brands -> document frequency."""

    words: dict[str, int] = field(default_factory=dict)
    terms: dict[str, int] = field(default_factory=dict)
    products: int = 0

    def __bool__(self) -> bool:
        return bool(self.terms)

    def word_df(self, word: str) -> int:
        return self.words.get(word, 0)

    def term_df(self, term: str) -> int:
        return self.terms.get(term, 0)

    @cached_property
    def sorted_words(self) -> list[str]:
        """Surface words in order, for prefix completion with bisect."""
        return sorted(self.words)

    def words_with_prefix(self, prefix: str, limit: int = 10) -> list[tuple[str, int]]:
        """Surface words starting with `prefix`, most frequent first."""
        words = self.sorted_words
        start = bisect.bisect_left(words, prefix)
        found: list[tuple[str, int]] = []
        for word in words[start : start + 2000]:
            if not word.startswith(prefix):
                break
            found.append((word, self.words[word]))
        found.sort(key=lambda item: (-item[1], len(item[0])))
        return found[:limit]

    @classmethod
    def load(cls, path: Path) -> Vocabulary:
        data = orjson.loads(path.read_bytes())
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"{path}: unsupported vocabulary version {data.get('version')!r}")
        return cls(words=data["words"], terms=data["terms"], products=data.get("products", 0))

    def save(self, path: Path) -> None:
        """Write atomically: readers see the old file or the new one, never half."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.parent / f".{path.name}.{uuid.uuid4().hex}"
        data = {
            "version": FORMAT_VERSION,
            "products": self.products,
            "words": _top(self.words),
            "terms": _top(self.terms),
        }
        try:
            tmp.write_bytes(orjson.dumps(data))
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)


def _top(counts: dict[str, int]) -> dict[str, int]:
    if len(counts) <= MAX_ENTRIES:
        return counts
    return dict(Counter(counts).most_common(MAX_ENTRIES))


_BRAND_WORDS: dict[str, tuple[str, ...]] = {}  # brands repeat across products


def _brand_words(brand: str) -> tuple[str, ...]:
    cached = _BRAND_WORDS.get(brand)
    if cached is None:
        if len(_BRAND_WORDS) > 100_000:
            _BRAND_WORDS.clear()
        words = tuple(raw.text for raw in tokenize(normalize(brand)) if raw.kind == "word")
        cached = _BRAND_WORDS[brand] = words
    return cached


@dataclass
class VocabularyBatch:
    """What a batch of products adds to a vocabulary, as flat lists of occurrences.

    The indexer's worker processes fill one per chunk of the feed; flat lists pickle
    cheaply and merge with Counter's C fast path.
    """

    words: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    products: int = 0

    def add(
        self,
        document: dict[str, Any],
        product: Product | None = None,
        title_words: list[str] | None = None,
    ) -> None:
        """Add one index document (search.documents.index_document) and its product.

        `title_words` are the titles' normalized words when the caller already has them.
        """
        if product is None:
            product = Product.from_dict(json.loads(document["payload"]))
        if title_words is None:
            text = " ".join(product.title.values())
            title_words = [raw.text for raw in tokenize(normalize(text)) if raw.kind == "word"]
        words = set(title_words)
        if product.brand:
            words.update(_brand_words(product.brand))
        self.words.extend(words)
        terms = set(document.get("title", "").split())
        terms.update(document.get("brand", "").split())
        self.terms.extend(terms)
        self.products += 1


class VocabularyBuilder:
    """Collects a vocabulary while the indexer analyzes products (one pass, no re-reading)."""

    def __init__(self) -> None:
        self.words: Counter[str] = Counter()
        self.terms: Counter[str] = Counter()
        self.products = 0

    def collect(self, changes: Iterable[Change]) -> Iterator[Change]:
        """Pass the indexer's changes through, adding every indexed document."""
        for change in changes:
            if isinstance(change, dict):
                self.add(change)
            yield change

    def add(
        self,
        document: dict[str, Any],
        product: Product | None = None,
        title_words: list[str] | None = None,
    ) -> None:
        """Add one index document (search.documents.index_document) and its product."""
        batch = VocabularyBatch()
        batch.add(document, product, title_words)
        self.merge(batch)

    def merge(self, batch: VocabularyBatch) -> None:
        """Add the counts of a batch (from the indexer's worker processes)."""
        self.words.update(batch.words)
        self.terms.update(batch.terms)
        self.products += batch.products

    def vocabulary(self) -> Vocabulary:
        return Vocabulary(dict(self.words), dict(self.terms), self.products)

    def save(self, data_dir: Path, *, merge: bool = False) -> Path:
        """Write the vocabulary; `merge` adds these counts to the existing file's."""
        path = vocabulary_path(data_dir)
        vocabulary = self.vocabulary()
        if merge and path.exists():
            try:
                old = Vocabulary.load(path)
            except (OSError, ValueError, KeyError):
                old = Vocabulary()
            vocabulary = Vocabulary(
                dict(Counter(old.words) + self.words),
                dict(Counter(old.terms) + self.terms),
                old.products + self.products,
            )
        vocabulary.save(path)
        return path


class VocabularyStore:
    """The current vocabulary of a data dir, loaded on first use and when the file changes."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._state: tuple[int, int] | None = None
        self._vocabulary = Vocabulary()

    @classmethod
    def fixed(cls, vocabulary: Vocabulary) -> VocabularyStore:
        """A store that always answers `vocabulary` (for tests and benchmarks)."""
        store = cls(None)
        store._vocabulary = vocabulary
        return store

    def get(self) -> Vocabulary:
        if self.path is None:
            return self._vocabulary
        try:
            st = self.path.stat()
            state = (st.st_ino, st.st_mtime_ns)
        except OSError:
            return self._vocabulary
        if state != self._state:
            with self._lock:
                if state != self._state:
                    # a broken file keeps the last good vocabulary
                    with contextlib.suppress(OSError, ValueError, KeyError):
                        self._vocabulary = Vocabulary.load(self.path)
                    self._state = state
        return self._vocabulary
