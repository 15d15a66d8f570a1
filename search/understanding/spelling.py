"""Typo tolerance: the nearest real word, one edit away, near keys cheaper.

Candidates are all one-edit variants of the typed word (deletion, transposition,
substitution, insertion); a candidate counts when the catalog vocabulary has it,
or the Russian dictionary knows it and its lemma is in the catalog (so a typo in
any word form is fixed, not only in forms the catalog happens to contain).
Substituting a neighbouring key, doubling or undoubling a letter and swapping two
letters cost less than other edits; among equal costs the more frequent word wins.
"""

from __future__ import annotations

import math
from typing import Any

from ..analysis.morphology import morph_analyzer
from ..analysis.text import is_cyrillic
from ..vocabulary import Vocabulary
from .keyboard import JCUKEN_ROWS, QWERTY_ROWS
from .lexicon import Lexicon

RUSSIAN_ALPHABET = "абвгдежзийклмнопрстуфхцчшщъыьэюя"
LATIN_ALPHABET = "abcdefghijklmnopqrstuvwxyz"
MIN_LENGTH = 4
NEAR_KEY_COST = 0.5  # substituting a neighbouring key
DOUBLE_LETTER_COST = 0.4  # a doubled letter dropped or added
TRANSPOSE_COST = 0.6  # two letters swapped
SLIP_COST = 0.6  # an extra letter beside the key it sits next to
OMISSION_COST = 0.7  # a letter left out (the commonest typo after near keys)
OTHER_COST = 1.0  # far substitutions, other extra letters
FREQUENCY_WEIGHT = 0.15
SURFACE_BONUS = 0.05  # a form the catalog itself uses beats an equally close dictionary form
_CACHE_SIZE = 20_000


def _neighbours(rows: tuple[str, ...]) -> dict[str, frozenset[str]]:
    """Keys touching each key on a staggered keyboard: same row, and the rows around."""
    near: dict[str, set[str]] = {}
    for r, row in enumerate(rows):
        for i, key in enumerate(row):
            found = near.setdefault(key, set())
            found.update(row[max(0, i - 1) : i + 2])
            if r > 0:
                found.update(rows[r - 1][i : i + 2])
            if r + 1 < len(rows):
                found.update(rows[r + 1][max(0, i - 1) : i + 1])
            found.discard(key)
    return {key: frozenset(keys) for key, keys in near.items()}


NEAR_KEYS = {**_neighbours(QWERTY_ROWS), **_neighbours(JCUKEN_ROWS)}


def edits(word: str) -> dict[str, float]:
    """Every word one edit from `word`, with the edit's cost.

    Edits of different kinds never produce the same string except in ways that cost
    the same (deleting either letter of a pair), so no minimum is needed: plain
    dict building keeps this under ~0.2 ms for a long word.
    """
    alphabet = RUSSIAN_ALPHABET if is_cyrillic(word) else LATIN_ALPHABET
    no_keys: frozenset[str] = frozenset()
    found: dict[str, float] = {}
    for i, char in enumerate(word):
        left, right = word[:i], word[i + 1 :]
        near = NEAR_KEYS.get(char, no_keys)
        for letter in alphabet:
            found[left + letter + right] = NEAR_KEY_COST if letter in near else OTHER_COST
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


class SpellingCorrector:
    """Corrects one normalized word against the catalog (cached per word)."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        # A plain dict cleared when full: safe under threads without a lock (every
        # operation is atomic), and typos repeat too little for LRU to matter.
        self._cache: dict[tuple[int, str], str | None] = {}

    def correct(self, word: str, vocabulary: Vocabulary | None = None) -> str | None:
        """The most plausible real word one edit away, or None."""
        if len(word) < MIN_LENGTH or not word.isalpha():
            return None
        vocabulary = vocabulary if vocabulary is not None else self.lexicon.vocabulary
        key = (id(vocabulary), word)
        try:
            return self._cache[key]
        except KeyError:
            pass
        result = self._correct(word, vocabulary)
        if len(self._cache) >= _CACHE_SIZE:
            self._cache.clear()
        self._cache[key] = result
        return result

    def _correct(self, word: str, vocabulary: Vocabulary) -> str | None:
        forms = morph_analyzer().dictionary.words
        cyrillic = is_cyrillic(word)
        candidates = edits(word)
        # Likely slips first (near keys, doubled letters, swaps, omissions); far
        # substitutions only if none of those is a real word.
        likely = {c: cost for c, cost in candidates.items() if cost < OTHER_COST}
        best = self._best(likely, vocabulary, forms, cyrillic)
        if best is None:
            rest = {c: cost for c, cost in candidates.items() if cost >= OTHER_COST}
            best = self._best(rest, vocabulary, forms, cyrillic)
        return best

    def _best(
        self, candidates: dict[str, float], vocabulary: Vocabulary, forms: Any, cyrillic: bool
    ) -> str | None:
        best: tuple[float, str] | None = None
        for candidate, cost in candidates.items():
            in_catalog = vocabulary.word_df(candidate) > 0
            if in_catalog or (cyrillic and _in_dictionary(candidate, forms)):
                # A form counts with its lemma's frequency: "ногтях" is as common as "ноготь".
                frequency = self.lexicon.frequency(candidate, vocabulary)
                if not frequency and not vocabulary:
                    frequency = 1  # no catalog vocabulary yet: the dictionary decides
            else:
                frequency = 0
            bonus = SURFACE_BONUS if in_catalog else 0.0
            if not frequency:
                continue
            score = cost - bonus - FREQUENCY_WEIGHT * math.log10(1 + frequency)
            if best is None or score < best[0]:
                best = (score, candidate)
        return best[1] if best else None


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
