"""Brands and model names typed in Cyrillic: "самсунг" -> samsung, "галакси" -> galaxy.

Driven by the catalog's own Latin words, so a new brand works without code: both
scripts map to a coarse consonant skeleton ("самсунг" and "samsung" -> "smsng"),
Latin vocabulary words are looked up by skeleton, and the closest by edit distance
to a plain romanization wins. A curated alias file (data/brand_aliases.txt) covers
what phonetics can't ("сяоми" = xiaomi, "эпл" = apple).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..vocabulary import Vocabulary
from .distance import levenshtein

ALIASES_FILE = Path(__file__).with_name("data") / "brand_aliases.txt"

_LATIN_DIGRAPHS = (
    ("sch", "S"), ("tch", "C"), ("sh", "S"), ("ch", "C"), ("zh", "J"), ("kh", "h"),
    ("ph", "f"), ("ck", "k"), ("qu", "kv"), ("th", "t"), ("ts", "c"), ("tz", "c"),
)  # fmt: skip
_SOFT_C = re.compile(r"c(?=[eiy])")
_LATIN_LETTERS = str.maketrans({"x": "ks", "j": "J", "w": "v", "q": "k", "c": "k"})
_CYRILLIC_DIGRAPHS = (("дж", "J"), ("кс", "ks"))
_CYRILLIC_LETTERS = str.maketrans(
    {
        "б": "b", "в": "v", "г": "g", "д": "d", "ж": "J", "з": "z", "к": "k", "л": "l",
        "м": "m", "н": "n", "п": "p", "р": "r", "с": "s", "т": "t", "ф": "f", "х": "h",
        "ц": "c", "ч": "C", "ш": "S", "щ": "S",
    }
)  # fmt: skip
_VOWELS = re.compile(r"[aeiouyаеёиоуыэюяйьъ]")
_REPEATS = re.compile(r"(.)\1+")
_ROMAN = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z",
        "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
        "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch",
        "ш": "sh", "щ": "sch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    }
)  # fmt: skip
_SOFT_DIGRAPHS = (
    ("sch", "sh"), ("ph", "f"), ("ck", "k"), ("qu", "kv"), ("ee", "i"), ("ea", "i"),
    ("oo", "u"), ("ou", "u"), ("x", "ks"),
)  # fmt: skip
_SOFT_LETTERS = str.maketrans({"q": "k", "w": "v", "c": "k", "y": "i"})
MIN_WORD = 3
MIN_SKELETON = 2
MAX_CANDIDATES = 2
_ANSWERS_CACHE_SIZE = 10_000  # per serving process; a miss costs one bucket scan


def skeleton(word: str) -> str:
    """A script-independent consonant skeleton: "самсунг", "samsung" -> "smsng"."""
    if word.isascii():
        for digraph, code in _LATIN_DIGRAPHS:
            word = word.replace(digraph, code)
        word = _SOFT_C.sub("s", word).translate(_LATIN_LETTERS)
    else:
        for digraph, code in _CYRILLIC_DIGRAPHS:
            word = word.replace(digraph, code)
        word = word.translate(_CYRILLIC_LETTERS)
    return _REPEATS.sub(r"\1", _VOWELS.sub("", word))


def romanize(word: str) -> str:
    """A plain letter-by-letter romanization, to rank same-skeleton candidates."""
    return word.replace("дж", "j").replace("кс", "x").translate(_ROMAN)


def spelling_key(latin: str) -> str:
    """Latin spelling with English conventions evened out ("clean" -> "klin"), for ranking."""
    for digraph, plain in _SOFT_DIGRAPHS:
        latin = latin.replace(digraph, plain)
    latin = _SOFT_C.sub("s", latin).translate(_SOFT_LETTERS)
    return _REPEATS.sub(r"\1", latin)


def _script_key(word: str, latin: bool) -> str:
    """The skeleton index key: skeletons of Latin and Cyrillic words kept apart."""
    return ("L" if latin else "C") + skeleton(word)


def load_aliases(path: Path = ALIASES_FILE) -> dict[str, str]:
    """`cyrillic = latin` lines; '#' starts a comment. Keys are normalized words; a bad
    line raises ValueError with the file and line number (see editable.py)."""
    from .editable import read_aliases_file

    return read_aliases_file(path) if path.exists() else {}


@dataclass
class _SkeletonIndex:
    vocabulary: Vocabulary
    # skeleton -> "word sound word sound ...": its words with their spelling keys, in
    # one string (a list of (word, df, key) tuples held ~12 MB per process at 100k
    # products; this ~5). Words are letters only, so a space never occurs in them.
    by_skeleton: dict[str, str]
    answers: dict[str, list[tuple[str, int]]]  # per typed word, bounded


class Transliterator:
    """Finds the catalog's spelling of a word typed in the other script.

    Mostly Cyrillic-typed Latin brands ("самсунг" -> samsung); the other way round,
    Russian typed in Latin letters ("kozhanaya" -> кожаная, "kaija" -> кайя).
    """

    def __init__(self, aliases: dict[str, str] | None = None) -> None:
        self.aliases = load_aliases() if aliases is None else aliases
        self._index: _SkeletonIndex | None = None

    def _skeletons(self, vocabulary: Vocabulary) -> _SkeletonIndex:
        """The vocabulary's words by skeleton, built once per loaded vocabulary."""
        index = self._index
        if index is None or index.vocabulary is not vocabulary:
            grouped: dict[str, list[str]] = {}
            for word in vocabulary.words:
                if len(word) < MIN_WORD or not word.isalpha():
                    continue
                latin = word.isascii()
                sound = spelling_key(word if latin else romanize(word))
                grouped.setdefault(_script_key(word, latin), []).extend((word, sound))
            by_skeleton = {key: " ".join(words) for key, words in grouped.items()}
            del grouped
            index = self._index = _SkeletonIndex(vocabulary, by_skeleton, {})
        return index

    def latin(self, word: str, vocabulary: Vocabulary) -> tuple[str, int] | None:
        """The Latin catalog word `word` most plausibly spells, with its frequency."""
        found = self.candidates(word, vocabulary)
        return found[0] if found else None

    def candidates(self, word: str, vocabulary: Vocabulary) -> list[tuple[str, int]]:
        """Catalog spellings of `word` in the other script, best first, with frequencies.

        An alias wins alone; otherwise up to MAX_CANDIDATES vocabulary words with the
        same skeleton and a romanization within a small edit distance.
        """
        alias = self.aliases.get(word)
        if alias is not None:
            return [(alias, vocabulary.word_df(alias))]
        if len(word) < MIN_WORD or not word.isalpha():
            return []
        index = self._skeletons(vocabulary)
        found = index.answers.get(word)
        if found is None:
            found = self._rank(word, index)
            if len(index.answers) > _ANSWERS_CACHE_SIZE:
                index.answers.clear()
            index.answers[word] = found
        return found

    def _rank(self, word: str, index: _SkeletonIndex) -> list[tuple[str, int]]:
        latin = word.isascii()
        key = skeleton(word)
        roman = spelling_key(word if latin else romanize(word))
        ranked = []
        # Candidates are the other script's words with the same skeleton.
        same = index.by_skeleton.get(_script_key(word, not latin))
        parts = same.split(" ") if same else []
        df_of = index.vocabulary.words
        for candidate, candidate_key in zip(parts[::2], parts[1::2], strict=True):
            df = df_of[candidate]
            distance = levenshtein(roman, candidate_key)
            # A short skeleton ("kk") says little: demand the same sound exactly.
            limit = 1 if len(candidate) <= 5 else max(2, int(len(candidate) * 0.4))
            if distance <= (limit if len(key) >= MIN_SKELETON else 0):
                ranked.append((distance, -df, candidate))
        ranked.sort()
        return [(candidate, -df) for _, df, candidate in ranked[:MAX_CANDIDATES]]
