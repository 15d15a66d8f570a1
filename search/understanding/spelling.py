"""Typo tolerance: real words up to two edits away, near keys cheaper.

One edit: all one-edit variants of the typed word (deletion, transposition,
substitution, insertion); a variant counts when the catalog vocabulary has it, or
the Russian dictionary knows it and its lemma is in the catalog (so a typo in any
word form is fixed, not only in forms the catalog happens to contain).
Substituting a neighbouring key, doubling or undoubling a letter and swapping two
letters cost less than other edits; among equal costs the more frequent word wins.

Two edits: catalog words with the same first letter within two edits (rapidfuzz's
optimal string alignment distance, in C), and for long words the same with the
last two letters of both words set aside, so two typos in a word form the catalog
lacks still find its lemma. `candidates` returns several, best first: which one the
query means is decided by co-occurrence with the other words (pipeline.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from ..analysis.morphology import morph_analyzer
from ..analysis.text import is_cyrillic
from ..vocabulary import Vocabulary
from .keyboard import NEAR_KEYS
from .lexicon import Lexicon

RUSSIAN_ALPHABET = "абвгдежзийклмнопрстуфхцчшщъыьэюя"
LATIN_ALPHABET = "abcdefghijklmnopqrstuvwxyz"
MIN_LENGTH = 4
NEAR_KEY_COST = 0.5  # substituting a neighbouring key
VOWEL_COST = 0.5  # an unstressed vowel written as it sounds: о/а, е/и, е/я ("малоко", "симена")
DOUBLE_LETTER_COST = 0.4  # a doubled letter dropped or added
TRANSPOSE_COST = 0.6  # two letters swapped
SLIP_COST = 0.6  # an extra letter beside the key it sits next to
OMISSION_COST = 0.7  # a letter left out (the commonest typo after near keys)
OTHER_COST = 1.0  # far substitutions, other extra letters
FREQUENCY_WEIGHT = 0.15
SURFACE_BONUS = 0.05  # a form the catalog itself uses beats an equally close dictionary form
TWO_EDIT_COST = 0.8  # per edit, when two were needed
ENDING_SLACK_COST = 0.3  # matched with the endings set aside
MIN_TWO_EDIT_LENGTH = 5
MIN_ENDING_LENGTH = 7
MAX_CANDIDATES = 6
_CACHE_SIZE = 20_000


# Vowels that sound alike unstressed, and so get written for each other.
SOUNDS_ALIKE = {"о": "а", "а": "оя", "е": "ия", "и": "еы", "я": "еа", "ы": "и", "ю": "у", "у": "ю"}


def edits(word: str) -> dict[str, float]:
    """Every word one edit from `word`, with the edit's cost.

    Edits of different kinds never produce the same string except in ways that cost
    the same (deleting either letter of a pair), so no minimum is needed: plain
    dict building keeps this under ~0.2 ms for a long word.
    """
    alphabet = RUSSIAN_ALPHABET if is_cyrillic(word) else LATIN_ALPHABET
    no_keys: frozenset[str] = frozenset()
    no_vowels = ""
    found: dict[str, float] = {}
    for i, char in enumerate(word):
        left, right = word[:i], word[i + 1 :]
        near = NEAR_KEYS.get(char, no_keys)
        sounds = SOUNDS_ALIKE.get(char, no_vowels)
        for letter in alphabet:
            found[left + letter + right] = (
                NEAR_KEY_COST if letter in near else VOWEL_COST if letter in sounds else OTHER_COST
            )
        if right and right[0] != char:
            found[left + right[0] + char + right[1:]] = TRANSPOSE_COST
        doubled = left[-1:] == char or right[:1] == char
        # An extra letter next to the key it sits beside is a fat-finger slip.
        slipped = left[-1:] in near or right[:1] in near
        found[left + right] = (
            DOUBLE_LETTER_COST
            if doubled
            else SLIP_COST
            if slipped and (left or right)
            else OTHER_COST
        )
    for i in range(len(word) + 1):
        left, right = word[:i], word[i:]
        before, after = left[-1:], right[:1]
        for letter in alphabet:
            found[left + letter + right] = (
                DOUBLE_LETTER_COST if letter in (before, after) else OMISSION_COST
            )
    found.pop(word, None)
    return found


@dataclass
class _Buckets:
    """Catalog words by first letter, whole and with the ending set aside (per vocabulary)."""

    vocabulary: Vocabulary
    words: dict[str, list[str]]
    stems: dict[tuple[str, int], tuple[list[str], list[str]]]
    by_length: dict[tuple[str, int], list[str]]


class SpellingCorrector:
    """Spelling candidates for one normalized word against the catalog (cached per word)."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        # A plain dict cleared when full: safe under threads without a lock (every
        # operation is atomic), and typos repeat too little for LRU to matter.
        self._cache: dict[tuple[int, str, bool], list[tuple[str, float]]] = {}
        self._buckets: _Buckets | None = None

    def correct(self, word: str, vocabulary: Vocabulary | None = None) -> str | None:
        """The most plausible real word up to two edits away, or None."""
        found = self.candidates(word, vocabulary)
        return found[0][0] if found else None

    def candidates(
        self, word: str, vocabulary: Vocabulary | None = None, *, two_edits: bool = True
    ) -> list[tuple[str, float]]:
        """Real words near `word` with their cost (edits less frequency), cheapest first."""
        if len(word) < MIN_LENGTH or not word.isalpha():
            return []
        vocabulary = vocabulary if vocabulary is not None else self.lexicon.vocabulary
        key = (id(vocabulary), word, two_edits)
        try:
            return self._cache[key]
        except KeyError:
            pass
        result = self._candidates(word, vocabulary, two_edits)
        if len(self._cache) >= _CACHE_SIZE:
            self._cache.clear()
        self._cache[key] = result
        return result

    def _candidates(
        self, word: str, vocabulary: Vocabulary, two_edits: bool
    ) -> list[tuple[str, float]]:
        forms = morph_analyzer().dictionary.words
        cyrillic = is_cyrillic(word)
        scored = self._score(edits(word), vocabulary, forms, cyrillic)
        if two_edits and len(word) >= MIN_TWO_EDIT_LENGTH and vocabulary:
            two = {c: cost for c, cost in self._two_edits(word, vocabulary).items()}
            for candidate, score in self._score(two, vocabulary, forms, cyrillic).items():
                scored.setdefault(candidate, score)
        ranked = sorted(scored.items(), key=lambda item: item[1])
        return ranked[:MAX_CANDIDATES]

    def _score(
        self, candidates: dict[str, float], vocabulary: Vocabulary, forms: Any, cyrillic: bool
    ) -> dict[str, float]:
        scored: dict[str, float] = {}
        for candidate, cost in candidates.items():
            in_catalog = vocabulary.word_df(candidate) > 0
            if in_catalog or (cyrillic and _in_dictionary(candidate, forms)):
                # A form counts with its lemma's frequency: "ногтях" is as common as "ноготь".
                frequency = self.lexicon.frequency(candidate, vocabulary)
                if not frequency and not vocabulary:
                    frequency = 1  # no catalog vocabulary yet: the dictionary decides
            else:
                continue
            if not frequency:
                continue
            bonus = SURFACE_BONUS if in_catalog else 0.0
            scored[candidate] = cost - bonus - FREQUENCY_WEIGHT * math.log10(1 + frequency)
        return scored

    def warm_up(self, vocabulary: Vocabulary) -> None:
        """Build the per-vocabulary lookup lists now rather than on a shopper's query."""
        self._bucketed(vocabulary)

    def _bucketed(self, vocabulary: Vocabulary) -> _Buckets:
        buckets = self._buckets
        if buckets is None or buckets.vocabulary is not vocabulary:
            buckets = self._buckets = _build_buckets(vocabulary)
        return buckets

    def near_catalog_words(self, word: str, vocabulary: Vocabulary) -> list[tuple[str, float]]:
        """Catalog words one edit from `word` (same first letter), cheap: for did-you-mean."""
        if len(word) < MIN_TWO_EDIT_LENGTH or not word.isalpha():
            return []
        by_length = self._bucketed(vocabulary).by_length
        found = []
        for size in (len(word) - 1, len(word), len(word) + 1):
            bucket = by_length.get((word[0], size), ())
            for other, distance, _ in process.extract(
                word, bucket, scorer=OSA.distance, score_cutoff=1, limit=8
            ):
                if distance == 1:
                    frequency = vocabulary.word_df(other)
                    found.append(
                        (other, OMISSION_COST - FREQUENCY_WEIGHT * math.log10(1 + frequency))
                    )
        return sorted(found, key=lambda item: item[1])[:MAX_CANDIDATES]

    def _two_edits(self, word: str, vocabulary: Vocabulary) -> dict[str, float]:
        """Catalog words two edits away (or two edits apart before their endings)."""
        buckets = self._bucketed(vocabulary)
        found: dict[str, float] = {}
        first, size = word[0], len(word)
        for length in range(size - 2, size + 3):
            bucket = buckets.by_length.get((first, length), ())
            for other, distance, _ in process.extract(
                word, bucket, scorer=OSA.distance, score_cutoff=2, limit=12
            ):
                if distance == 2:
                    found[other] = 2 * TWO_EDIT_COST
        if size >= MIN_ENDING_LENGTH:
            for length in range(size - 4, size + 1):
                stems, words = buckets.stems.get((first, length), ([], []))
                for _, distance, index in process.extract(
                    word[:-2], stems, scorer=OSA.distance, score_cutoff=2, limit=12
                ):
                    other = words[index]
                    if other != word:
                        cost = max(1, distance) * TWO_EDIT_COST + ENDING_SLACK_COST
                        found[other] = min(found.get(other, cost), cost)
        return found


def _build_buckets(vocabulary: Vocabulary) -> _Buckets:
    words: dict[str, list[str]] = {}
    stems: dict[tuple[str, int], tuple[list[str], list[str]]] = {}
    by_length: dict[tuple[str, int], list[str]] = {}
    for word in vocabulary.words:
        if len(word) < MIN_TWO_EDIT_LENGTH - 1 or not word.isalpha():
            continue
        words.setdefault(word[0], []).append(word)
        by_length.setdefault((word[0], len(word)), []).append(word)
        if len(word) >= MIN_ENDING_LENGTH:
            stem_list, word_list = stems.setdefault((word[0], len(word) - 2), ([], []))
            stem_list.append(word[:-2])
            word_list.append(word)
    return _Buckets(vocabulary, words, stems, by_length)


def _in_dictionary(word: str, forms: Any) -> bool:
    """Whether pymorphy3's word list has `word`, with any one "е" read as "ё".

    A direct DAWG lookup is 9x faster than MorphAnalyzer.word_is_known; the list
    spells "ё", which normalization folded to "е", so those variants are tried too.
    """
    if word in forms:
        return True
    start = word.find("е")
    while start != -1:
        if word[:start] + "ё" + word[start + 1 :] in forms:
            return True
        start = word.find("е", start + 1)
    return False
