"""Word normalization: pymorphy3 lemmas for Russian, Snowball stems for the rest.

One MorphAnalyzer per process (it costs 0.1 s and ~27 MB to load), shared by the
index and query paths; every lookup is cached because catalog words repeat.
"""

from __future__ import annotations

import threading
from functools import cache

import pymorphy3
import Stemmer

from .stopwords import STOP_WORDS
from .text import is_cyrillic

# Parses pymorphy3 guesses for unknown words; past the first few they are noise.
MAX_GUESSED_LEMMAS = 2
_CACHE_LIMIT = 400_000
_ARABIC_RANGE = ("\u0600", "\u06ff")


@cache
def morph_analyzer() -> pymorphy3.MorphAnalyzer:
    """The process-wide analyzer (loaded on first use)."""
    return pymorphy3.MorphAnalyzer()


class WordNormalizer:
    """Maps one normalized word to every lemma it plausibly stands for.

    Russian words get all distinct dictionary lemmas ("цветам" -> цвет, цветок) so
    an ambiguous form still finds its product; the first one is the best guess.
    Latin and Arabic words get a Snowball stem.
    """

    def __init__(self) -> None:
        self._morph = morph_analyzer()
        self._english = Stemmer.Stemmer("english")
        self._arabic = Stemmer.Stemmer("arabic")
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[str, ...]] = {}

    def lemmas(self, word: str) -> tuple[str, ...]:
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        result = self._compute(word)
        if len(self._cache) >= _CACHE_LIMIT:
            with self._lock:
                self._cache.clear()
        self._cache[word] = result
        return result

    def best_lemma(self, word: str) -> str:
        return self.lemmas(word)[0]

    def is_known(self, word: str) -> bool:
        """True when the Russian dictionary knows this exact word form."""
        return is_cyrillic(word) and self._morph.word_is_known(word)

    def _compute(self, word: str) -> tuple[str, ...]:
        if "/" in word:
            # An abbreviation ("с/к", "д/рук"): itself, and the words it is made of.
            parts = [p for p in word.split("/") if len(p) > 1 and p not in STOP_WORDS]
            return tuple(dict.fromkeys([word, *(t for p in parts for t in self.lemmas(p))]))
        if is_cyrillic(word):
            return self._russian(word)
        if _ARABIC_RANGE[0] <= word[0] <= _ARABIC_RANGE[1]:
            return (self._arabic.stemWord(word),)
        return (self._english.stemWord(word),)

    def _russian(self, word: str) -> tuple[str, ...]:
        parses = self._morph.parse(word)
        known = [p for p in parses if p.is_known]
        if known:
            forms = [p.normal_form for p in known]
        else:
            forms = [word] + [p.normal_form for p in parses[:MAX_GUESSED_LEMMAS]]
        seen: dict[str, None] = {}
        for form in forms:
            seen.setdefault(form.replace("ё", "е"), None)
        return tuple(seen)
