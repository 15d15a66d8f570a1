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

import itertools
import math
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import dawg
from rapidfuzz import process
from rapidfuzz.distance import OSA

from ..analysis.morphology import morph_analyzer
from ..analysis.text import is_cyrillic
from ..vocabulary import Vocabulary
from .keyboard import NEAR_KEYS, ROW_KEYS
from .lexicon import Lexicon, in_dictionary

RUSSIAN_ALPHABET = "абвгдежзийклмнопрстуфхцчшщъыьэюя"
LATIN_ALPHABET = "abcdefghijklmnopqrstuvwxyz"
MIN_LENGTH = 4
MIN_CYRILLIC_LENGTH = 3  # three-letter Russian words too, but only where context confirms
NEAR_KEY_COST = 0.5  # substituting a neighbouring key
TWO_VOWELS_COST = 0.8  # two of them in one word
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
MIN_ENDING_LENGTH = 6
MIN_STEM = 4  # catalog word beginnings compared with a typed word's stem
MIN_TWO_EDIT_STEM = 5  # shorter stems are allowed one edit
SHORT_STEM_COST = 0.3
MIN_LONG_FORM = 9  # words this long are also compared without four final letters
LONG_ENDING_COST = 0.1
MAX_FORM_GROWTH = 2  # a form of the word is at most this many letters longer or shorter
MAX_CANDIDATES = 8
STEM_MIN = 3  # a dictionary form is tried only if the catalog has a word beginning like it:
STEM_ENDING = 3  # all but its last three letters ("сверлах" -> "свер", as in "сверло")
_CACHE_SIZE = 2_000  # per table: ~1.1 KB (candidates) and ~0.6 KB (near words) an entry


# Vowels that sound alike unstressed, and so get written for each other.
SOUNDS_ALIKE = {"о": "а", "а": "оя", "е": "ия", "и": "еы", "я": "еа", "ы": "и", "ю": "у", "у": "ю"}


def edits(
    word: str,
    upto: int | None = None,
    tails: frozenset[int] = frozenset(),
    begins: Callable[[str], bool] | None = None,
) -> dict[str, float]:
    """Every word one edit from `word`, with the edit's cost.

    Edits of different kinds never produce the same string except in ways that cost
    the same (deleting either letter of a pair), so no minimum is needed: plain
    dict building keeps this under ~0.1 ms for a long word.

    `upto`: only the edits whose first changed letter is at `upto` or before (a
    variant made past it keeps `word[:upto + 1]`), and the edits past it that make a
    variant of a length in `tails`. Edits are made in the same order as in the full
    dict and every edit making a kept variant is made, so each has its cost there.

    `begins` (a Russian word, see `_needed_edits`): a letter typed or put in at the
    fourth letter or later, within what stays of the variant's stem, only if some
    catalog word or term begins with the word's letters before it and that letter.
    """
    cyrillic = is_cyrillic(word)
    alphabet = RUSSIAN_ALPHABET if cyrillic else LATIN_ALPHABET
    letters = _RUSSIAN_LIST if cyrillic else _LATIN_LIST
    in_alphabet = _RUSSIAN_LETTERS if cyrillic else _LATIN_LETTERS
    no_keys: frozenset[str] = frozenset()
    found: dict[str, float] = {}
    size = len(word)
    limit = size if upto is None else upto  # positions past it: only the tails
    same, shorter, longer = size in tails, size - 1 in tails, size + 1 in tails
    # positions whose substituted / inserted letter falls within the variant's stem
    stem_substituted = max(STEM_MIN, size - STEM_ENDING) if begins is not None else 0
    stem_inserted = max(STEM_MIN, size + 1 - STEM_ENDING) if begins is not None else 0
    allowed: dict[int, list[int]] = {}
    for i in range(size):
        char = word[i]
        left, right = word[:i], word[i + 1 :]
        within = i <= limit
        if within or same:
            costs = _costs(char, alphabet)
            if begins is not None and STEM_MIN <= i < stem_substituted:
                kept = allowed[i] = _begin_letters(left, letters, begins)
                found.update({f"{left}{letters[k]}{right}": costs[k] for k in kept})
            else:
                # (one C-level update per position: this runs for ~500 variants a word)
                found.update(
                    zip([f"{left}{letter}{right}" for letter in letters], costs, strict=True)
                )
            if right and right[0] != char:
                found[left + right[0] + char + right[1:]] = TRANSPOSE_COST
        if within or shorter:
            doubled = left[-1:] == char or right[:1] == char
            # An extra letter beside the key it sits next to in the same row is a
            # fat-finger slip; a key of another row is another sound ("мишлен").
            row = ROW_KEYS.get(char, no_keys)
            slipped = left[-1:] in row or right[:1] in row
            found[left + right] = (
                DOUBLE_LETTER_COST
                if doubled
                else SLIP_COST
                if slipped and (left or right)
                else OTHER_COST
            )
    omissions = _OMISSIONS[cyrillic]
    for i in range(size + 1 if longer else min(size, limit) + 1):
        left, right = word[:i], word[i:]
        if begins is not None and STEM_MIN <= i < stem_inserted:
            letters_kept = allowed.get(i)
            if letters_kept is None:
                letters_kept = _begin_letters(left, letters, begins)
            found.update({f"{left}{letters[k]}{right}": OMISSION_COST for k in letters_kept})
        else:
            found.update(
                zip([f"{left}{letter}{right}" for letter in letters], omissions, strict=True)
            )
        # a letter doubled: the one before or after the gap typed again
        before, after = left[-1:], right[:1]
        if before in in_alphabet:
            found[left + before + right] = DOUBLE_LETTER_COST
        if after in in_alphabet:
            found[left + after + right] = DOUBLE_LETTER_COST
    # Two vowels written as they sound ("малако" for "молоко"): as likely as one far slip.
    for variant in _sound_variants(word, size if same else limit):
        found.setdefault(variant, TWO_VOWELS_COST)
    found.pop(word, None)
    return found


def _begin_letters(left: str, letters: list[str], begins: Callable[[str], bool]) -> list[int]:
    """The places in `letters` of those some key begins with after `left` (й and ш
    always: with them a variant's stem may be cut otherwise, see `_stem`)."""
    return [k for k, letter in enumerate(letters) if letter in "йш" or begins(left + letter)]


def _sound_variants(word: str, upto: int | None = None) -> Iterator[str]:
    """`word` with two vowels written as they sound (the first at `upto` or before)."""
    vowels = [(i, SOUNDS_ALIKE[c]) for i, c in enumerate(word) if c in SOUNDS_ALIKE]
    for a, (i, first) in enumerate(vowels):
        if upto is not None and i > upto:
            break
        for j, second in vowels[a + 1 :]:
            for x in first:
                for y in second:
                    yield word[:i] + x + word[i + 1 : j] + y + word[j + 1 :]


def _typed_in(word: str, other: str, letters: frozenset[str]) -> bool:
    """Whether `other`, one edit from `word` (rapidfuzz's OSA distance), is a variant
    `edits` makes: a letter substituted or inserted is of the word's alphabet."""
    at = 0
    for a, b in zip(word, other, strict=False):
        if a != b:
            break
        at += 1
    if len(other) == len(word):
        # one letter substituted, or two swapped (any letters)
        return word[at + 1 :] != other[at + 1 :] or other[at] in letters
    if len(other) > len(word):
        return other[at] in letters  # the letter inserted
    return True  # a letter left out


_NO_TAILS: frozenset[int] = frozenset()
_PLACE_BITS = 20  # a word's place in the deletion index (see _Buckets.deletions)
_PLACES = 1 << _PLACE_BITS
_PLACE_MASK = _PLACES - 1
_RUSSIAN_LIST = list(RUSSIAN_ALPHABET)
_LATIN_LIST = list(LATIN_ALPHABET)
_RUSSIAN_LETTERS = frozenset(RUSSIAN_ALPHABET)
_LATIN_LETTERS = frozenset(LATIN_ALPHABET)
_OMISSIONS = {
    True: (OMISSION_COST,) * len(RUSSIAN_ALPHABET),
    False: (OMISSION_COST,) * len(LATIN_ALPHABET),
}
_SUBSTITUTIONS: dict[tuple[str, str], tuple[float, ...]] = {}


def _costs(char: str, alphabet: str) -> tuple[float, ...]:
    """What typing each letter of `alphabet` for `char` costs (a near key, a vowel
    as it sounds, or a far slip), in alphabet order."""
    costs = _SUBSTITUTIONS.get((char, alphabet))
    if costs is None:
        if len(_SUBSTITUTIONS) >= _CACHE_SIZE:  # any letter of any script may be typed
            _SUBSTITUTIONS.clear()
        near = NEAR_KEYS.get(char, frozenset())
        sounds = SOUNDS_ALIKE.get(char, "")
        costs = _SUBSTITUTIONS[(char, alphabet)] = tuple(
            NEAR_KEY_COST if letter in near else VOWEL_COST if letter in sounds else OTHER_COST
            for letter in alphabet
        )
    return costs


def valid_prefix(word: str, begins: Callable[[str], bool]) -> int:
    """The length of the longest beginning of `word` that some key begins with
    (`begins`: a DAWG's has_keys_with_prefix); len(word) when a key begins with all of it."""
    low, high = 0, len(word)  # begins(word[:low]) holds; past `high` nothing does
    if begins(word):
        return high
    high -= 1
    while low < high:
        middle = (low + high + 1) // 2
        if begins(word[:middle]):
            low = middle
        else:
            high = middle - 1
    return low


@dataclass
class _Buckets:
    """Catalog words by first letter, whole and with the ending set aside (per vocabulary)."""

    vocabulary: Vocabulary
    # (first letter, n) -> for each n-letter beginning of Cyrillic catalog words, the
    # most frequent word that begins so (the beginning is word[:n]: made when asked,
    # as the ~86k of them held ~7 MB per process at 100k products)
    stems: dict[tuple[str, int], list[str]]
    by_length: dict[tuple[str, int], list[str]]
    # Cyrillic catalog words and terms, for "does any begin with this?" (a DAWG: a set of
    # their every beginning held ~12 MB per process at 100k products, this well under 1)
    cyrillic: dawg.CompletionDAWG
    # min_df -> by_length with only the words in at least min_df products (did-you-mean
    # offers only common words: its lists are a third as long)
    _frequent: dict[int, dict[tuple[str, int], list[str]]] = field(default_factory=dict)
    # min_df -> the deletion index of those words (see `deletions`)
    _deletions: dict[int, tuple[list[str], array]] = field(default_factory=dict)

    def deletions(self, min_df: int) -> tuple[list[str], array] | None:
        """The words of `frequent(min_df)` and, sorted, each word's and each of its
        one-letter deletions' hash (its top 44 bits) packed with the word's place in
        that list (the low 20): two words one edit apart share one of them (SymSpell).
        ~1.5 MB at 100k products for min_df 3, where the strings would take ~15.
        None past 2**20 words (MAX_ENTRIES keeps a vocabulary well under)."""
        found = self._deletions.get(min_df)
        if found is None:
            words = [w for bucket in self.frequent(min_df).values() for w in bucket]
            if len(words) > _PLACES:
                return None
            packed = array("q")
            for place, word in enumerate(words):
                for key in {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}:
                    packed.append(hash(key) >> _PLACE_BITS << _PLACE_BITS | place)
            found = self._deletions[min_df] = (words, array("q", sorted(packed)))
        return found

    def frequent(self, min_df: int) -> dict[tuple[str, int], list[str]]:
        """`by_length` of the words in at least `min_df` products."""
        if min_df <= 1:
            return self.by_length
        found = self._frequent.get(min_df)
        if found is None:
            counts = self.vocabulary.words
            found = {}
            for key, words in self.by_length.items():
                kept = [w for w in words if counts[w] >= min_df]
                if kept:
                    found[key] = kept
            self._frequent[min_df] = found
        return found


class SpellingCorrector:
    """Spelling candidates for one normalized word against the catalog (cached per word)."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        # A plain dict cleared when full: safe under threads without a lock (every
        # operation is atomic), and typos repeat too little for LRU to matter.
        self._cache: dict[tuple[int, str, bool], list[tuple[str, float]]] = {}
        self._near: dict[tuple[int, str, int], list[tuple[str, float]]] = {}
        self._buckets: _Buckets | None = None

    def correct(self, word: str, vocabulary: Vocabulary | None = None) -> str | None:
        """The most plausible real word up to two edits away, or None."""
        found = self.candidates(word, vocabulary)
        return found[0][0] if found else None

    def candidates(
        self, word: str, vocabulary: Vocabulary | None = None, *, two_edits: bool = True
    ) -> list[tuple[str, float]]:
        """Real words near `word` with their cost (edits less frequency), cheapest first."""
        shortest = MIN_CYRILLIC_LENGTH if is_cyrillic(word) else MIN_LENGTH
        if len(word) < shortest or not word.isalpha():
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
        if two_edits:
            # One edit first (usually asked and cached already): every one-edit variant
            # costs less than any two-edit one (OTHER_COST < TWO_EDIT_COST + the least
            # slack), so one-edit variants outside its best MAX_CANDIDATES stay outside.
            scored = dict(self.candidates(word, vocabulary, two_edits=False))
        else:
            upto, tails, begins = (
                self._needed_edits(word, vocabulary) if cyrillic else (None, _NO_TAILS, None)
            )
            scored = self._score(edits(word, upto, tails, begins), vocabulary, forms, cyrillic)
        if two_edits and len(word) >= MIN_TWO_EDIT_LENGTH and vocabulary:
            two = {c: cost for c, cost in self._two_edits(word, vocabulary).items()}
            for candidate, score in self._score(two, vocabulary, forms, cyrillic).items():
                scored.setdefault(candidate, score)
        # Ties go to the first word alphabetically: the same answer in every process
        # (set order, and so the order of equal scores, changes with the hash seed).
        ranked = sorted(scored.items(), key=lambda item: (item[1], item[0]))
        return ranked[:MAX_CANDIDATES]

    def _score(
        self,
        candidates: dict[str, float],
        vocabulary: Vocabulary,
        forms: Any,
        cyrillic: bool,
    ) -> dict[str, float]:
        # Catalog words by one set intersection (in C); dictionary forms only where the
        # catalog has a word beginning like them (most misspellings begin like nothing).
        in_catalog = candidates.keys() & vocabulary.words.keys()
        possible: set[str] | list[str] = in_catalog
        if cyrillic:
            begins = (
                self._bucketed(vocabulary).cyrillic.has_keys_with_prefix if vocabulary else None
            )
            possible = list(in_catalog)
            stems: dict[str, bool] = {}  # variants share stems: ask the DAWG once for each
            for candidate in candidates:
                if candidate in in_catalog:
                    continue
                if begins is not None:
                    # (inlined _stem for ordinary words: this runs for hundreds of variants)
                    cut = len(candidate) - STEM_ENDING
                    stem = candidate[: cut if cut > STEM_MIN else STEM_MIN]
                    if "йш" in candidate or candidate.startswith("наи"):
                        stem = _stem(candidate)
                    known = stems.get(stem)
                    if known is None:
                        known = stems[stem] = len(stem) >= STEM_MIN and begins(stem)
                    if not known:
                        continue
                if in_dictionary(candidate, forms):
                    possible.append(candidate)
        scored: dict[str, float] = {}
        for candidate in possible:
            # A form counts with its lemma's frequency: "ногтях" is as common as "ноготь".
            frequency = self.lexicon.frequency(candidate, vocabulary)
            if not frequency and not vocabulary:
                frequency = 1  # no catalog vocabulary yet: the dictionary decides
            if not frequency:
                continue
            bonus = SURFACE_BONUS if candidate in in_catalog else 0.0
            cost = candidates[candidate]
            scored[candidate] = cost - bonus - FREQUENCY_WEIGHT * math.log10(1 + frequency)
        return scored

    def _needed_edits(
        self, word: str, vocabulary: Vocabulary
    ) -> tuple[int | None, frozenset[int], Callable[[str], bool] | None]:
        """What of `edits(word)` `_score` can keep (its `upto`, `tails` and `begins`): a
        variant that keeps a beginning of the word no catalog word or term begins with,
        or puts a letter in after which none does, is neither a catalog word nor a form
        whose stem begins like one, unless its stem is shorter than that beginning (a
        variant of a length in the tails, its stem all but STEM_ENDING letters) or made
        otherwise (`_stem`: "наи-", "-ейш-")."""
        if not vocabulary or not _russian_letters(word):
            return None, _NO_TAILS, None
        begins = self._bucketed(vocabulary).cyrillic.has_keys_with_prefix
        # letters put in from the fourth on: a superlative's stem is made otherwise only
        # if the word begins so, or has "йш" (or the letter makes it: see _begin_letters)
        letters = None if word.startswith("наи") or "йш" in word else begins
        known = valid_prefix(word, begins)
        size = len(word)
        if known >= size:
            return None, _NO_TAILS, letters
        head = min(known + 1, 3)
        if word[:head] == "наи"[:head]:
            return None, _NO_TAILS, letters  # a superlative's stem is not its beginning
        if ("й" in word or "ш" in word) and any(c in "еа" for c in word[STEM_MIN : known + 1]):
            return None, _NO_TAILS, letters  # "-ейш-" may cut the stem short
        tails = frozenset(
            length
            for length in (size - 1, size, size + 1)
            if max(STEM_MIN, length - STEM_ENDING) <= known
        )
        return known, tails, letters

    def warm_up(self, vocabulary: Vocabulary) -> None:
        """Build the per-vocabulary lookup lists now rather than on a shopper's query."""
        self._bucketed(vocabulary)

    def _bucketed(self, vocabulary: Vocabulary) -> _Buckets:
        buckets = self._buckets
        if buckets is None or buckets.vocabulary is not vocabulary:
            buckets = self._buckets = _build_buckets(vocabulary)
        return buckets

    def near_catalog_words(
        self, word: str, vocabulary: Vocabulary, *, min_df: int = 1
    ) -> list[tuple[str, float]]:
        """Catalog words one edit from `word` (same first letter; those in at least
        `min_df` products), cheap: for did-you-mean. The variants of `edits` the catalog
        has, found from the catalog's side: words one edit apart by the deletion index
        (min_df > 1) or by rapidfuzz (in C, over the words of the same first letter and
        about the same length), then the letter typed checked against the word's
        alphabet as `edits` makes them, and the vowels written as they sound."""
        if len(word) < MIN_TWO_EDIT_LENGTH or not word.isalpha():
            return []
        key = (id(vocabulary), word, min_df)
        cached = self._near.get(key)
        if cached is not None:
            return cached
        if not vocabulary:
            return []
        letters = _RUSSIAN_LETTERS if is_cyrillic(word) else _LATIN_LETTERS
        first, size = word[0], len(word)
        near: set[str] = set()
        index = self._bucketed(vocabulary).deletions(min_df) if min_df > 1 else None
        if index is not None:
            # a few binary searches among the frequent words' deletions
            words, packed = index
            places: set[int] = set()
            for part in {word, *(word[:i] + word[i + 1 :] for i in range(size))}:
                low = hash(part) >> _PLACE_BITS << _PLACE_BITS
                start = bisect_left(packed, low)
                end = bisect_left(packed, low + _PLACES, start)
                places.update(x & _PLACE_MASK for x in packed[start:end])
            for place in places:
                other = words[place]
                if (
                    other[0] == first
                    and OSA.distance(word, other, score_cutoff=1) == 1
                    and _typed_in(word, other, letters)
                ):
                    near.add(other)
        else:
            buckets = self._bucketed(vocabulary).by_length
            for length in (size - 1, size, size + 1):
                bucket = buckets.get((first, length))
                if not bucket:
                    continue
                for other, distance, _ in process.extract(
                    word, bucket, scorer=OSA.distance, score_cutoff=1, limit=None
                ):
                    if distance == 1 and _typed_in(word, other, letters):
                        near.add(other)
        counts = vocabulary.words
        for other in _sound_variants(word):
            if other[0] == first and other in counts and counts[other] >= min_df:
                near.add(other)
        found = [
            (other, OMISSION_COST - FREQUENCY_WEIGHT * math.log10(1 + counts[other]))
            for other in near
        ]
        result = sorted(found, key=lambda item: (item[1], item[0]))[:MAX_CANDIDATES]
        if len(self._near) >= _CACHE_SIZE:
            self._near.clear()
        self._near[key] = result
        return result

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
            # The catalog may hold another form of the word ("грядка" for "грядки"):
            # compare what precedes the ending with the beginnings of catalog words.
            # Long forms may end in more than two letters ("-ейших", "-авшая").
            cuts = (2, 4) if size >= MIN_LONG_FORM else (2,)
            for cut in cuts:
                stem = word[:-cut]
                cutoff = 2 if len(stem) >= MIN_TWO_EDIT_STEM else 1
                for length in range(len(stem) - 1, len(stem) + 2):
                    words = buckets.stems.get((first, length))
                    if not words:
                        continue
                    stems = [other[:length] for other in words]
                    for _, distance, index in process.extract(
                        stem, stems, scorer=OSA.distance, score_cutoff=cutoff, limit=12
                    ):
                        other = words[index]
                        if other == word or abs(len(other) - size) > MAX_FORM_GROWTH + cut - 2:
                            continue
                        cost = max(1, distance) * TWO_EDIT_COST + ENDING_SLACK_COST
                        cost += LONG_ENDING_COST if cut > 2 else 0.0
                        if len(stem) < MIN_TWO_EDIT_STEM:
                            cost += SHORT_STEM_COST  # four letters say little ("мишл" ~ "мишк")
                        found[other] = min(found.get(other, cost), cost)
        return found


def _build_buckets(vocabulary: Vocabulary) -> _Buckets:
    stems: dict[tuple[str, int], list[str]] = {}
    by_length: dict[tuple[str, int], list[str]] = {}
    for word in vocabulary.words:
        if len(word) < MIN_TWO_EDIT_LENGTH - 1 or not word.isalpha():
            continue
        by_length.setdefault((word[0], len(word)), []).append(word)
    # Every beginning of a Cyrillic catalog word (4 letters or more), with the most
    # frequent word that begins so.
    beginnings: dict[str, str] = {}
    counts = vocabulary.words
    for word in counts:
        if len(word) > MIN_STEM and is_cyrillic(word) and word.isalpha():
            for size in range(MIN_STEM, len(word)):
                prefix = word[:size]
                known = beginnings.get(prefix)
                if known is None or counts[word] > counts[known]:
                    beginnings[prefix] = word
    for prefix, word in beginnings.items():
        stems.setdefault((prefix[0], len(prefix)), []).append(word)
    del beginnings
    cyrillic = dawg.CompletionDAWG(
        word
        for word in itertools.chain(vocabulary.words, vocabulary.terms)
        if is_cyrillic(word) and word.isalpha()
    )
    return _Buckets(vocabulary, stems, by_length, cyrillic)


def _russian_letters(word: str) -> bool:
    """Whether `word` is Russian letters only (so is every variant `edits` makes of it)."""
    return _RUSSIAN_LETTERS.issuperset(word)


def _stem(word: str) -> str:
    """What any form of a word shares with the catalog's forms: all but an ending, and
    for superlatives all but "наи-" and "-ейший" ("наибелейших" -> "бел", as in "белый")."""
    if word.startswith("наи") and len(word) > 6:
        word = word[3:]
    for suffix in ("ейш", "айш"):
        at = word.find(suffix, STEM_MIN)
        if at > 0:
            return word[:at]
    return word[: max(STEM_MIN, len(word) - STEM_ENDING)]
