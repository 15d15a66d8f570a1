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

from ..analysis.text import normalize
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
MIN_WORD = 3
MIN_SKELETON = 2


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


def load_aliases(path: Path = ALIASES_FILE) -> dict[str, str]:
    """`cyrillic = latin` lines; '#' starts a comment. Keys are normalized words."""
    aliases: dict[str, str] = {}
    if not path.exists():
        return aliases
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        source, sep, target = line.partition("=")
        source, target = normalize(source).strip(), normalize(target).strip()
        if not sep or not source or not target or " " in source + target:
            raise ValueError(f"{path}:{number}: expected 'word = latinword', got {line!r}")
        aliases[source] = target
    return aliases


@dataclass
class _SkeletonIndex:
    vocabulary: Vocabulary
    by_skeleton: dict[str, list[tuple[str, int]]]


class Transliterator:
    """Finds the catalog's Latin spelling of a Cyrillic-typed word."""

    def __init__(self, aliases: dict[str, str] | None = None) -> None:
        self.aliases = load_aliases() if aliases is None else aliases
        self._index: _SkeletonIndex | None = None

    def _skeletons(self, vocabulary: Vocabulary) -> dict[str, list[tuple[str, int]]]:
        index = self._index
        if index is None or index.vocabulary is not vocabulary:
            by_skeleton: dict[str, list[tuple[str, int]]] = {}
            for word, df in vocabulary.words.items():
                if len(word) >= MIN_WORD and word.isascii() and word.isalpha():
                    by_skeleton.setdefault(skeleton(word), []).append((word, df))
            index = self._index = _SkeletonIndex(vocabulary, by_skeleton)
        return index.by_skeleton

    def latin(self, word: str, vocabulary: Vocabulary) -> tuple[str, int] | None:
        """The Latin catalog word `word` most plausibly spells, with its frequency.

        Aliases win; otherwise a vocabulary word with the same skeleton and a
        romanization within a small edit distance.
        """
        alias = self.aliases.get(word)
        if alias is not None:
            return alias, vocabulary.word_df(alias)
        if len(word) < MIN_WORD or word.isascii() or not word.isalpha():
            return None
        key = skeleton(word)
        if len(key) < MIN_SKELETON:
            return None
        candidates = self._skeletons(vocabulary).get(key)
        if not candidates:
            return None
        roman = romanize(word)
        best = None
        for candidate, df in candidates:
            distance = levenshtein(roman, candidate)
            if distance > max(1, int(len(candidate) * 0.4)):
                continue
            rank = (distance, -df)
            if best is None or rank < best[0]:
                best = (rank, candidate, df)
        return (best[1], best[2]) if best else None
