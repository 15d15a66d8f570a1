"""Word normalization: pymorphy3 lemmas for Russian, Snowball stems for the rest.

One MorphAnalyzer per process (it costs 0.1 s and ~27 MB to load), shared by the
index and query paths; every lookup is cached because catalog words repeat.

Latin words are stemmed in the language of the text they come from (a Spanish
title by the Spanish Snowball, a query on /pt/ by the Portuguese one) and always
also by the English one, so brands and loanwords written the same everywhere
("galaxy", "sneakers") match across languages.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable
from functools import cache
from importlib import metadata
from pathlib import Path

import pymorphy3
import Stemmer
from babel import Locale, UnknownLocaleError

from ..saved import load_versioned, save_versioned
from .stopwords import STOP_WORDS
from .text import is_cyrillic

# Parses pymorphy3 guesses for unknown words; past the first few they are noise.
MAX_GUESSED_LEMMAS = 2
# Words whose lemmas one process keeps: an indexer meets a whole catalog's words (a
# daily reindex starts from the saved cache); a serving process bounds it lower
# (`Analyzer.bound_caches`), as shoppers' words are endless.
_CACHE_LIMIT = 400_000
# Bump when `_compute` reads words differently: saved lemma caches are then ignored.
LEMMA_CACHE_VERSION = 1
_ARABIC_RANGE = ("\u0600", "\u06ff")
DEFAULT_LATIN = "english"
# Scripts with their own analysis: a Latin stemmer is never chosen for these languages.
_NOT_LATIN = frozenset({"russian", "arabic", "greek", "armenian", "hindi", "nepali", "tamil",
                        "persian", "yiddish", "serbian"})  # fmt: skip

# Plurals Snowball leaves apart from their singular (on accent-folded words): the
# singular's stem is added too. Portuguese -ões/-ães/-ais/-éis/-óis/-is/-ns, Spanish
# -ces and -es after a consonant ("mujeres", "auriculares", which Snowball reads as verbs).
_SINGULARS: dict[str, tuple[tuple[re.Pattern[str], str], ...]] = {
    "portuguese": tuple(
        (re.compile(pattern), singular)
        for pattern, singular in (
            (r"(?<=..)(?:oes|aes)$", "ao"), (r"(?<=..)ais$", "al"), (r"(?<=..)eis$", "el"),
            (r"(?<=..)ois$", "ol"), (r"(?<=..[^aeiou])is$", "il"), (r"(?<=..)ns$", "m"),
        )
    ),
    "spanish": tuple(
        (re.compile(pattern), singular)
        for pattern, singular in ((r"(?<=..)ces$", "z"), (r"(?<=..[^aeiou])es$", ""))
    ),
}  # fmt: skip


@cache
def morph_analyzer() -> pymorphy3.MorphAnalyzer:
    """The process-wide analyzer (loaded on first use)."""
    return pymorphy3.MorphAnalyzer()


@cache
def latin_stemmer_name(language: str | None) -> str | None:
    """The Snowball algorithm for Latin words of `language` ("pt_BR" -> "portuguese").

    None when the language has no Snowball of its own for Latin script (English,
    Russian, Arabic, an unknown code): English stems are used alone then.
    """
    if not language:
        return None
    base = language.replace("-", "_").split("_")[0].lower()
    try:
        name = (Locale.parse(base).english_name or "").lower()
    except (UnknownLocaleError, ValueError):
        return None
    if name in _NOT_LATIN or name == DEFAULT_LATIN or name not in Stemmer.algorithms():
        return None
    return name


class WordNormalizer:
    """Maps one normalized word to every lemma it plausibly stands for.

    Russian words get all distinct dictionary lemmas ("цветам" -> цвет, цветок) so
    an ambiguous form still finds its product; the first one is the best guess.
    Latin words get Snowball stems (the language's, then English), Arabic words
    the Arabic Snowball stem of the word without its article.
    """

    def __init__(self) -> None:
        self._morph = morph_analyzer()
        self._english = Stemmer.Stemmer(DEFAULT_LATIN)
        self._arabic = Stemmer.Stemmer("arabic")
        self._stemmers: dict[str, Stemmer.Stemmer] = {}
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[str, ...]] = {}
        self._latin_caches: dict[str, dict[str, tuple[str, ...]]] = {}
        self._fresh: list[str] | None = None  # words first read since `journal()`
        self.cache_limit = _CACHE_LIMIT

    def lemmas(self, word: str, language: str | None = None) -> tuple[str, ...]:
        """Every term `word` may be indexed under; `language` picks the Latin stemmer."""
        if language is None:
            cached = self._cache.get(word)
            if cached is not None:
                return cached
            return self._store(self._cache, word, self._compute(word))
        return self.lemmatizer(language)(word)

    def lemmatizer(self, language: str | None) -> Callable[[str], tuple[str, ...]]:
        """`lemmas` with the language fixed: what indexing calls once per word."""
        stemmer = latin_stemmer_name(language)
        if stemmer is None:
            return self.lemmas
        cache = self._latin_cache(stemmer)
        plain = self.lemmas

        def lemmas(word: str) -> tuple[str, ...]:
            cached = cache.get(word)
            if cached is not None:
                return cached
            if not _is_latin(word):
                return plain(word)
            return self._store(cache, word, self._latin(word, stemmer))

        return lemmas

    def _store(
        self, cache: dict[str, tuple[str, ...]], word: str, result: tuple[str, ...]
    ) -> tuple[str, ...]:
        if len(cache) >= self.cache_limit:
            with self._lock:
                cache.clear()
        # Cheaper entries: a lemma equal to its word is the word's own string, and the
        # others are shared by every form of them (sys.intern) rather than one a form.
        result = tuple(word if term == word else sys.intern(term) for term in result)
        cache[word] = result
        if self._fresh is not None and cache is self._cache:
            self._fresh.append(word)
        return result

    # -- a lemma cache that outlives the process (the indexer's, in the data dir) ----

    def load_cache(self, path: Path, at_most: int | None = None) -> int:
        """Add the lemmas saved at `path` (by `save_cache`) to the cache; how many
        (`at_most`: no more than that many, leaving the rest of the room to new words).

        A missing, broken or outdated file (another pymorphy3 or reading) adds nothing.
        """
        saved = load_versioned(path, _cache_version())
        if saved is None:
            return 0
        lemmas = saved.get("lemmas") or {}
        with self._lock:
            room = max(0, self.cache_limit - len(self._cache))
            if at_most is not None:
                room = min(room, at_most)
            for word, terms in list(lemmas.items())[:room]:
                self._cache.setdefault(word, tuple(terms))
        return min(room, len(lemmas))

    def save_cache(self, path: Path) -> None:
        """Write the cache for `load_cache` (atomically: readers never see half a file)."""
        save_versioned(path, _cache_version(), {"lemmas": self._cache})

    def journal(self, on: bool = True) -> None:
        """Note the words read from now on (a forked worker hands them to its parent),
        or stop noting them."""
        self._fresh = [] if on else None

    def fresh_lemmas(self) -> dict[str, tuple[str, ...]]:
        """The words read since the last call (or `journal()`), with their lemmas."""
        if not self._fresh:
            return {}
        words, self._fresh = self._fresh, []
        return {w: self._cache[w] for w in words if w in self._cache}

    def remember(self, lemmas: dict[str, tuple[str, ...]]) -> None:
        """Add lemmas another process read (see `fresh_lemmas`)."""
        if len(self._cache) + len(lemmas) <= self.cache_limit:
            self._cache.update(lemmas)

    def best_lemma(self, word: str) -> str:
        return self.lemmas(word)[0]

    def is_known(self, word: str) -> bool:
        """True when the Russian dictionary knows this exact word form."""
        return is_cyrillic(word) and self._morph.word_is_known(word)

    def _latin_cache(self, stemmer: str) -> dict[str, tuple[str, ...]]:
        cache = self._latin_caches.get(stemmer)
        if cache is None:
            with self._lock:
                cache = self._latin_caches.setdefault(stemmer, {})
                self._stemmers.setdefault(stemmer, Stemmer.Stemmer(stemmer))
        return cache

    def _latin(self, word: str, name: str) -> tuple[str, ...]:
        """The language's stem (and its singular's, see _SINGULARS), then the English stem."""
        stem = self._stemmers[name].stemWord
        terms = [stem(word)]
        for pattern, singular in _SINGULARS.get(name, ()):
            if pattern.search(word):
                terms.append(stem(pattern.sub(singular, word)))
                break
        terms.append(self._english.stemWord(word))
        return tuple(dict.fromkeys(terms))

    def _compute(self, word: str) -> tuple[str, ...]:
        if "/" in word:
            # An abbreviation ("с/к", "д/рук"): itself, and the words it is made of.
            parts = [p for p in word.split("/") if len(p) > 1 and p not in STOP_WORDS]
            return tuple(dict.fromkeys([word, *(t for p in parts for t in self.lemmas(p))]))
        if is_cyrillic(word):
            return self._russian(word)
        if _ARABIC_RANGE[0] <= word[0] <= _ARABIC_RANGE[1]:
            return (self._arabic.stemWord(without_article(word)),)
        return (self._english.stemWord(word),)

    def _russian(self, word: str) -> tuple[str, ...]:
        parses = self._morph.parse(word)
        # `Parse.is_known` looks its form up in the dictionary again for every parse,
        # and a word's parses mostly share one form (its own, or with "ё" put back).
        known_forms: dict[str, bool] = {}
        known = []
        for p in parses:
            is_known = known_forms.get(p.word)
            if is_known is None:
                is_known = known_forms[p.word] = p.is_known
            if is_known:
                known.append(p)
        if known:
            forms = [p.normal_form for p in known]
        else:
            forms = [word] + [p.normal_form for p in parses[:MAX_GUESSED_LEMMAS]]
        seen: dict[str, None] = {}
        for form in forms:
            seen.setdefault(form.replace("ё", "е"), None)
        return tuple(seen)


@cache
def _cache_version() -> str:
    """What a saved lemma depends on: this module's reading and pymorphy3's dictionary."""
    try:
        dictionary = metadata.version("pymorphy3-dicts-ru")
    except metadata.PackageNotFoundError:
        dictionary = "?"
    return f"{LEMMA_CACHE_VERSION}/{MAX_GUESSED_LEMMAS}/{pymorphy3.__version__}/{dictionary}"


# The Arabic article and the particles fused with it ("والساعة", "بالجلد", "للرجال").
_ARABIC_ARTICLE = re.compile("^(?:وال|بال|كال|فال|لل|ال)(?=...)")


def without_article(word: str) -> str:
    """An Arabic word without its article: Snowball stems "الساعة" and "ساعة" apart."""
    return _ARABIC_ARTICLE.sub("", word, count=1)


def _is_latin(word: str) -> bool:
    return word[:1].isascii() and word[:1].isalpha()
