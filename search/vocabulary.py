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
import itertools
import json
import re
import threading
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import orjson

from .analysis.stopwords import STOP_WORDS
from .analysis.text import normalize, tokenize
from .catalog import Product
from .cooccurrence import MAX_DOCS, Cooccurrence
from .engines.base import Change
from .saved import write_atomically
from .understanding.brands import MIN_WORD, SCRIPTS, brand_spellings, build_readings
from .understanding.transcription import cyrillic_key, readings

VOCABULARY_DIR = "vocabulary"
VOCABULARY_FILE = "vocabulary.json"
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
# Words seen once in 100k products are mostly noise; keep them anyway (typos of rare
# brands matter) but cap the file for very large catalogs.
MAX_ENTRIES = 400_000
# Title beginnings ("сумка женская", "сумка женская кожаная") offered by autocomplete.
PHRASE_MIN_DF = 2
MAX_PHRASES = 100_000


def vocabulary_path(data_dir: Path) -> Path:
    return Path(data_dir) / VOCABULARY_DIR / VOCABULARY_FILE


@dataclass
class Vocabulary:
    """Normalized surface words and index terms of titles and brands -> document frequency.

    Beside the counts: `brands` (normalized `brand` values -> products), `readings` (the
    brand lexicon, see understanding/brands.py), `spellings` (a Cyrillic spelling of
    each Latin brand word), `phrases` (frequent title beginnings, for autocomplete) and
    `cooccurrence` (which terms occur together, see search/cooccurrence.py).
    """

    words: dict[str, int] = field(default_factory=dict)
    terms: dict[str, int] = field(default_factory=dict)
    products: int = 0
    brands: dict[str, int] = field(default_factory=dict)
    readings: dict[str, Sequence[str]] = field(default_factory=dict)
    spellings: dict[str, str] = field(default_factory=dict)
    phrases: dict[str, int] = field(default_factory=dict)
    cooccurrence: Cooccurrence | None = None

    def __bool__(self) -> bool:
        return bool(self.terms)

    def word_df(self, word: str) -> int:
        return self.words.get(word, 0)

    def term_df(self, term: str) -> int:
        return self.terms.get(term, 0)

    @cached_property
    def term_ids(self) -> TermIds:
        """Term -> its position in `terms`, the id the co-occurrence lists use."""
        return TermIds(list(self.terms))

    @cached_property
    def sorted_phrases(self) -> list[str]:
        return sorted(self.phrases)

    def phrases_with_prefix(self, prefix: str, limit: int = 10) -> list[tuple[str, int]]:
        """Title beginnings starting with `prefix`, most frequent first."""
        phrases = self.sorted_phrases
        start = bisect.bisect_left(phrases, prefix)
        found = []
        for phrase in phrases[start : start + 2000]:
            if not phrase.startswith(prefix):
                break
            found.append((phrase, self.phrases[phrase]))
        found.sort(key=lambda item: (-item[1], len(item[0])))
        return found[:limit]

    @cached_property
    def sorted_words(self) -> list[str]:
        """Surface words in order, for prefix completion with bisect."""
        return sorted(self.words)

    def words_with_prefix(self, prefix: str, limit: int = 10) -> list[tuple[str, int]]:
        """Surface words starting with `prefix`, most frequent first."""
        words = self.sorted_words
        start = bisect.bisect_left(words, prefix)
        found: list[tuple[str, int]] = []
        for word in words[start : start + 10_000]:
            if not word.startswith(prefix):
                break
            found.append((word, self.words[word]))
        found.sort(key=lambda item: (-item[1], len(item[0])))
        return found[:limit]

    @cached_property
    def _spelling_index(
        self,
    ) -> tuple[list[tuple[str, str]], list[tuple[str, int]], list[tuple[str, int]]]:
        """`spellings` as a list, and its Cyrillic spellings and their `cyrillic_key`s
        sorted, each with its position in that list."""
        items = list(self.spellings.items())
        return (
            items,
            sorted((spelling, i) for i, (_, spelling) in enumerate(items)),
            sorted((cyrillic_key(spelling), i) for i, (_, spelling) in enumerate(items)),
        )

    def spellings_with_prefix(self, prefix: str) -> list[tuple[str, str]]:
        """(Latin brand word, its Cyrillic spelling) for the spellings that begin with
        `prefix`, or whose `cyrillic_key` begins with the prefix's, in `spellings` order.
        (Autocomplete asks on every keystroke: bisection, not a scan of every brand.)"""
        if not self.spellings:
            return []
        items, by_spelling, by_key = self._spelling_index
        positions: set[int] = set()
        for ordered, start in ((by_spelling, prefix), (by_key, cyrillic_key(prefix))):
            at = bisect.bisect_left(ordered, (start, -1))
            while at < len(ordered) and ordered[at][0].startswith(start):
                positions.add(ordered[at][1])
                at += 1
        return [items[i] for i in sorted(positions)]

    @classmethod
    def load(cls, path: Path) -> Vocabulary:
        return cls.from_bytes(path.read_bytes(), str(path))

    @classmethod
    def from_bytes(cls, raw: bytes, source: str = "vocabulary") -> Vocabulary:
        """A vocabulary from what `to_bytes` wrote (a file, or a copy kept elsewhere)."""
        data = orjson.loads(raw)
        if data.get("version") not in READABLE_VERSIONS:
            raise ValueError(f"{source}: unsupported vocabulary version {data.get('version')!r}")
        # One string object per distinct string: parsing makes a new one for every
        # occurrence, and the terms, brands, spellings and brand readings repeat the
        # words and each other (~180k times at 100k products, ~10 MB a serving process).
        # Everything kept is a copy made while the parsed data is alive, so that freeing
        # it empties whole allocator arenas (the parse's duplicates sit among what is
        # kept, and would keep every arena they share with it).
        same: dict[str, str] = {}

        def one(text: str) -> str:
            kept = same.get(text)
            if kept is None:
                kept = same[text] = (text + " ")[:-1]
            return kept

        vocabulary = cls(
            words={one(word): _fresh(df) for word, df in data["words"].items()},
            terms={one(term): _fresh(df) for term, df in data["terms"].items()},
            products=data.get("products", 0),
            brands={one(brand): _fresh(n) for brand, n in data.get("brands", {}).items()},
            readings={  # tuples: ~80k of them, a list's spare room and header cost ~2 MB
                one(key): tuple(one(target) for target in targets)
                for key, targets in data.get("readings", {}).items()
            },
            spellings={one(w): one(s) for w, s in data.get("spellings", {}).items()},
            phrases={one(p): _fresh(n) for p, n in data.get("phrases", {}).items()},
        )

        if data.get("cooccurrence"):
            vocabulary.cooccurrence = Cooccurrence.from_json(
                data["cooccurrence"], list(vocabulary.terms.values()), vocabulary.products
            )
        return vocabulary

    def to_bytes(self) -> bytes:
        """The vocabulary as JSON (what `save` writes and `from_bytes` reads)."""
        data: dict[str, Any] = {
            "version": FORMAT_VERSION,
            "products": self.products,
            "words": _top(self.words),
            "terms": _top(self.terms),
            "brands": self.brands,
            "readings": self.readings,
            "spellings": self.spellings,
            "phrases": self.phrases,
        }
        if self.cooccurrence is not None and len(data["terms"]) == len(self.terms):
            data["cooccurrence"] = self.cooccurrence.to_json()
        return orjson.dumps(data)

    def save(self, path: Path) -> None:
        """Write atomically: readers see the old file or the new one, never half."""
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, self.to_bytes())


class TermIds(Mapping[str, int]):
    """Term -> id (its position in the vocabulary's `terms`), by bisection in the terms
    sorted: ~1 MB at 100k products where a dict of ~90k terms to new ints held ~6.5 MB
    in every serving process. Iterates in id order, like the dict it stands for."""

    def __init__(self, terms: list[str]) -> None:
        self._terms = terms
        order = sorted(range(len(terms)), key=terms.__getitem__)
        self._sorted = [terms[i] for i in order]
        self._ids = array("I", order)

    def _find(self, term: str) -> int:
        at = bisect.bisect_left(self._sorted, term)
        if at < len(self._sorted) and self._sorted[at] == term:
            return at
        return -1

    def known(self, terms: Iterable[str]) -> list[int]:
        """The ids of those of `terms` that have one (one search each, where
        `[ids[t] for t in terms if t in ids]` searched twice)."""
        ordered, ids, size = self._sorted, self._ids, len(self._sorted)
        found = []
        for term in terms:
            at = bisect.bisect_left(ordered, term)
            if at < size and ordered[at] == term:
                found.append(ids[at])
        return found

    def __getitem__(self, term: str) -> int:
        at = self._find(term)
        if at < 0:
            raise KeyError(term)
        return self._ids[at]

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and self._find(term) >= 0

    def __iter__(self) -> Iterator[str]:
        return iter(self._terms)

    def __len__(self) -> int:
        return len(self._terms)


def _fresh(number: int) -> int:
    """A new int object (see `Vocabulary.from_bytes`); small ones are shared anyway."""
    return number if -5 <= number <= 256 else int(str(number))


def _top(counts: dict[str, int]) -> dict[str, int]:
    if len(counts) <= MAX_ENTRIES:
        return counts
    return dict(Counter(counts).most_common(MAX_ENTRIES))


# Brands repeat across products: brand -> (its normalized words, its normalized form).
_BRAND_WORDS: dict[str, tuple[tuple[str, ...], str]] = {}


def _brand_words(brand: str) -> tuple[tuple[str, ...], str]:
    cached = _BRAND_WORDS.get(brand)
    if cached is None:
        if len(_BRAND_WORDS) > 100_000:
            _BRAND_WORDS.clear()
        normalized = normalize(brand)
        words = tuple(raw.text for raw in tokenize(normalized) if raw.kind == "word")
        cached = _BRAND_WORDS[brand] = (words, " ".join(normalized.split()))
    return cached


@dataclass
class VocabularyBatch:
    """What a batch of products adds to a vocabulary, as flat lists of occurrences.

    The indexer's worker processes fill one per chunk of the feed; flat lists pickle
    cheaply and merge with Counter's C fast path. `terms` holds each product's distinct
    terms one product after the other, `sizes` how many each has (the co-occurrence
    rows).
    """

    words: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    brands: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
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
            brand_words, brand = _brand_words(product.brand)
            words.update(brand_words)
            self.brands.append(brand)
        self.words.extend(words)
        terms = set(document.get("title", "").split())
        brand_terms = document.get("brand")
        if brand_terms:
            terms.update(brand_terms.split())
        self.terms.extend(terms)
        self.sizes.append(len(terms))
        self.phrases.extend(_title_phrases(title_words))
        self.products += 1


def _title_phrases(title_words: list[str]) -> list[str]:
    """The title's first two and three words, when they are in one script."""
    head = title_words[:3]
    if len(head) < 2 or head[0] in STOP_WORDS:
        return []
    found = []
    for size in (2, 3):
        phrase = head[:size]
        if len(phrase) == size and phrase[-1] not in STOP_WORDS:
            latin = [w.isascii() for w in phrase]
            if all(latin) or not any(latin):
                found.append(" ".join(phrase))
    return found


class VocabularyBuilder:
    """Collects a vocabulary while the indexer analyzes products (one pass, no re-reading)."""

    def __init__(self) -> None:
        self.words: Counter[str] = Counter()
        self.terms: Counter[str] = Counter()
        self.brands: Counter[str] = Counter()
        self.phrases: Counter[str] = Counter()
        self.products = 0
        # Co-occurrence rows: each product's term ids, flat, and where each row ends.
        self._term_ids: dict[str, int] = {}
        self._row_terms = array("I")
        self._row_ends = array("I")

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
        known, known_brands = self.words, self.brands
        _read_ahead(
            {word for word in batch.words if word not in known},
            {brand: 1 for brand in batch.brands if brand not in known_brands},
        )
        self.words.update(batch.words)
        self.terms.update(batch.terms)
        self.brands.update(batch.brands)
        self.phrases.update(batch.phrases)
        self.products += batch.products
        if len(self._row_ends) + len(batch.sizes) <= MAX_DOCS:
            ids, get, rows = self._term_ids, self._term_ids.get, self._row_terms
            for term in batch.terms:
                i = get(term)
                if i is None:
                    i = ids[term] = len(ids)
                rows.append(i)
            ends, end = self._row_ends, len(self._row_ends) and self._row_ends[-1]
            for size in batch.sizes:
                end += size
                ends.append(end)

    def _rows(self) -> Iterator[list[str]]:
        """Each collected product's terms."""
        names = list(self._term_ids)
        start = 0
        for end in self._row_ends:
            yield [names[i] for i in self._row_terms[start:end]]
            start = end

    def _id_rows(self) -> Iterator[Sequence[int]]:
        """Each collected product's term ids (ids in first-seen order)."""
        start = 0
        for end in self._row_ends:
            yield self._row_terms[start:end]
            start = end

    def vocabulary(self, old: Vocabulary | None = None) -> Vocabulary:
        """The vocabulary of everything collected, added to `old` if given."""
        words, terms = Counter(self.words), Counter(self.terms)
        brands, phrases = Counter(self.brands), Counter(self.phrases)
        products = self.products
        rows: Iterable[list[str]] = self._rows()
        if old is not None:
            words.update(old.words)
            terms.update(old.terms)
            brands.update(old.brands)
            phrases.update(old.phrases)
            products += old.products
            rows = itertools.chain(_old_rows(old), rows)
        vocabulary = Vocabulary(
            words=dict(words),
            terms=_top(dict(terms)),
            products=products,
            brands=dict(brands),
            phrases=_top_phrases(phrases),
        )
        vocabulary.readings = build_readings(vocabulary.words, vocabulary.brands)
        vocabulary.spellings = brand_spellings(vocabulary.words, vocabulary.brands)
        ids = {term: i for i, term in enumerate(vocabulary.terms)}  # a million lookups below
        id_rows: Iterable[Sequence[int]]
        if old is None and list(ids) == list(self._term_ids):
            id_rows = self._id_rows()  # the rows already hold the vocabulary's term ids
        else:
            id_rows = ([ids[t] for t in row if t in ids] for row in rows)
        vocabulary.cooccurrence = Cooccurrence.build(
            id_rows,
            len(ids),
            list(vocabulary.terms.values()),
            products,
        )
        return vocabulary

    def save(self, data_dir: Path, *, merge: bool = False) -> Path:
        """Write the vocabulary; `merge` adds these counts to the existing file's."""
        path = vocabulary_path(data_dir)
        old = None
        if merge and path.exists():
            try:
                old = Vocabulary.load(path)
            except (OSError, ValueError, KeyError):
                old = None
        self.vocabulary(old).save(path)
        return path


def _read_ahead(words: Iterable[str], brands: dict[str, int]) -> None:
    """Transcribe the Latin words and brands seen for the first time while the feed is
    still being read: the brand lexicon (`build_readings`, `brand_spellings`) asks for
    them again at the end of the run, where nothing else runs beside it, and finds them
    remembered (transcription.readings is memoized). Results are the same; only when
    the work is done changes. A brand's Latin words are read in every script the lexicon
    reads brands into; what little else it asks for (joined forms, "L'Oreal" ->
    loreal) it reads at the end. (Building the new brands' lexicon here, as before,
    did its other work twice: ~8 us a product when every reading was remembered.)"""
    for word in words:
        if len(word) >= MIN_WORD and word.isascii() and word.isalpha():
            readings(word)
    for brand in brands:
        for word in _LATIN_WORD.findall(brand):
            if len(word) >= MIN_WORD:
                for script in SCRIPTS:
                    readings(word, script)


_LATIN_WORD = re.compile("[a-z]+")


def _old_rows(old: Vocabulary) -> Iterator[list[str]]:
    """The saved vocabulary's co-occurrence rows as terms (incremental indexing)."""
    index = old.cooccurrence
    if index is None:
        return
    names = list(old.terms)
    offsets, terms = index.doc_offsets, index.doc_terms
    for doc in range(index.documents):
        yield [names[i] for i in terms[offsets[doc] : offsets[doc + 1]]]


def _top_phrases(phrases: Counter[str]) -> dict[str, int]:
    frequent = {p: n for p, n in phrases.items() if n >= PHRASE_MIN_DF}
    if len(frequent) > MAX_PHRASES:
        frequent = dict(Counter(frequent).most_common(MAX_PHRASES))
    return frequent


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
