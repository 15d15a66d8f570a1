"""The brand lexicon: Latin catalog words and brands as shoppers write them in Cyrillic.

Built at index time from the catalog itself (the feed's `brand` field and the Latin
words of titles), so tomorrow's new brand works without anyone editing a file:

- every Latin word gets its Cyrillic readings by several transcription conventions
  (transcription.py: English, German, French, Italian, letter by letter);
- brands written with apostrophes or hyphens also get the joined form
  ("L'Oreal" -> "лореаль", "Vis-a-Vis" -> "визави");
- multi-word brands get phrase readings ("шнайдер электрик", "хэд энд шолдерс").

Readings are stored by a loose key (`cyrillic_key`), each pointing at the Latin
words it stands for ("target": one or more space-joined catalog words). At query
time a Cyrillic word finds its targets by exact key, or within one or two edits of a
key for longer words. Whether a target is then used is decided by the catalog's
evidence (pipeline.py), never here.

Arabic readings (transcription.ARABIC, keyed by `arabic_key`) are stored beside the
Cyrillic ones, built from the feed's brands only: "سامسونج" and "سامسونغ" both reach
Samsung. `lookup` and `phrase` pick the key function by the word's script.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from .keyboard import NEAR_KEYS
from .transcription import arabic_key, cyrillic_key, reading_key, readings

MIN_WORD = 3  # Latin title words shorter than this are abbreviations, not names
MAX_TARGETS = 4  # per key, the most frequent catalog words
PHRASE_WORDS = 3  # multi-word brands: phrases of their first two and three words
PHRASE_READINGS = 3  # readings per word combined into phrase readings
# "Head & Shoulders": "хэд энд шолдерс" or "хэд шолдерс"; "هيد اند شولدرز" or "هيد شولدرز".
AMPERSAND = {"cyrillic": ("энд", ""), "arabic": ("اند", "")}
SCRIPTS = ("cyrillic", "arabic")  # the scripts brands are read into (transcription.CONVENTIONS)
_JOINED = re.compile(r"[a-z]+(?:['’\-][a-z]+)+")
_WORD = re.compile(r"[a-z]+|&")
_LATIN_WORD = re.compile(r"[a-z]+")

# Multi-word brands matched word by word (`BrandLexicon.phrase_match`): how Russians
# say the short words of brand names, which no transcription rule reads.
ABBREVIATIONS = {"доктор": "dr", "др": "dr", "мистер": "mr", "мр": "mr", "миссис": "mrs"}
LETTER_NAMES = {
    "би": "b", "ви": "v", "ди": "d", "си": "c", "эс": "s", "икс": "x", "зет": "z", "эф": "f",
    "джей": "j", "кей": "k", "пи": "p", "ти": "t", "эм": "m", "эль": "l", "экс": "x",
}  # fmt: skip
# "&" said between two words ("хэд энд шолдерс", "хед н шолдерс") or glued to the
# first ("хеден шолдерс", "хэдэнд шолдерс"); "и" is a stop word the analyzer drops.
AND_WORDS = frozenset({"энд", "енд", "эн", "ен", "н", "анд", "end", "and", "n"})
AND_ENDINGS = ("энд", "енд", "эн", "ен", "н")
MAX_PHRASE_OPTIONS = 4  # Latin readings tried per typed word of a phrase


# Edits that keep a short name sounding the same: vowels, voiced/voiceless pairs,
# and neighbouring keys (a slip). A consonant added or lost makes another name
# ("мишлен" is not "милен"), so short keys only forgive these.
_VOWELS = frozenset("аеиоуыэюяaeiouyاوي")  # Arabic long vowels are written or left out
_SOUND_PAIRS = frozenset(
    frozenset(pair) for pair in ("бп", "вф", "гк", "дт", "жш", "зс", "кх", "сц", "чш", "ищ")
)
MIN_FREE_FUZZY = 9  # keys this long forgive any one or two edits
LOOKUP_CACHE_SIZE = 10_000  # fuzzy lookups remembered per serving process (~240 bytes each)


def _sounds_alike(typed: str, reading: str) -> bool:
    """Whether every edit from `typed` to `reading` is a vowel, a sound pair or a near key."""
    for edit in Levenshtein.editops(typed, reading):
        op, i, j = edit.tag, edit.src_pos, edit.dest_pos
        if op == "replace":
            a, b = typed[i], reading[j]
            if not (
                (a in _VOWELS and b in _VOWELS)
                or frozenset((a, b)) in _SOUND_PAIRS
                or b in NEAR_KEYS.get(a, ())
            ):
                return False
        else:
            letter = typed[i] if op == "delete" else reading[j]
            if letter not in _VOWELS:
                return False
    return True


def _fuzzy_limit(key: str) -> int:
    """Edits allowed between a typed key and a reading key of this length."""
    return 0 if len(key) < 5 else 1 if len(key) < 9 else 2


def build_readings(words: Mapping[str, int], brands: Mapping[str, int]) -> dict[str, Sequence[str]]:
    """Cyrillic reading key -> the Latin targets it stands for, most frequent first.

    `words` are the catalog's surface words with document frequencies, `brands` the
    normalized `brand` values.
    """
    found: dict[str, dict[str, int]] = {}

    def add(reading: str, target: str, df: int) -> None:
        targets = found.setdefault(reading, {})
        targets[target] = max(targets.get(target, 0), df)

    for word, df in words.items():
        if len(word) >= MIN_WORD and word.isascii() and word.isalpha():
            for reading in readings(word):
                add(cyrillic_key(reading), word, df)
    for brand, df in brands.items():
        if not brand.isascii():
            continue
        tokens = _WORD.findall(brand.replace("'", " ").replace("’", " ").replace("-", " "))
        # Arabic readings come from brands only: Arabic has no dictionary here to tell a
        # common word from a brand, and shoppers write brands, not English title words.
        for token in tokens:
            if len(token) >= MIN_WORD and token != "&":
                for reading in readings(token, "arabic"):
                    add(arabic_key(reading), token, df)
        for joined in _JOINED.findall(brand):
            parts = re.split(r"['’\-]", joined)
            for script in SCRIPTS:
                for reading in readings("".join(parts), script):
                    add(reading_key(reading), " ".join(parts), df)
        if len([t for t in tokens if t != "&"]) < 2:
            continue
        for size in range(2, min(PHRASE_WORDS, len(tokens)) + 1):
            target = " ".join(t for t in tokens[:size] if t != "&")
            for script in SCRIPTS:
                for phrase in _phrase_readings(tokens[:size], script):
                    add(phrase, target, df)
    return {
        key: [t for t, _ in sorted(targets.items(), key=lambda kv: -kv[1])[:MAX_TARGETS]]
        for key, targets in found.items()
    }


def _phrase_readings(tokens: list[str], script: str = "cyrillic") -> list[str]:
    options: list[tuple[str, ...]] = []
    for token in tokens:
        if token == "&":
            # keyed like the words around it: "энд" is looked up as "енд"
            options.append(tuple(reading_key(a) if a else a for a in AMPERSAND[script]))
        else:
            keys = (reading_key(r) for r in readings(token, script))
            options.append(tuple(dict.fromkeys(keys))[:PHRASE_READINGS])
    phrases = []
    for combination in itertools.product(*options):
        words = [w for w in combination if w]
        if len(words) >= 2:
            phrases.append(" ".join(words))
    return phrases


def brand_spellings(words: Mapping[str, int], brands: Mapping[str, int]) -> dict[str, str]:
    """Latin brand word -> its most agreed Cyrillic spelling (for autocomplete)."""
    spellings: dict[str, str] = {}
    for brand in brands:
        for word in _WORD.findall(brand):
            if word in spellings or len(word) < MIN_WORD or word == "&":
                continue
            candidates = readings(word)
            if candidates:
                votes: dict[str, int] = {}
                for reading in candidates:
                    votes[cyrillic_key(reading)] = votes.get(cyrillic_key(reading), 0) + 1
                spellings[word] = max(candidates, key=lambda r: votes[cyrillic_key(r)])
    return spellings


def brand_phrases(brands: Mapping[str, int]) -> dict[tuple[str, ...], str]:
    """The first two and three words of every multi-word Latin brand -> its target.

    Words are the brand's Latin letters split at spaces, apostrophes, hyphens, dots and
    "&" ("Dr.Oetker" -> dr oetker, "Head&Shoulders" -> head shoulders); one-letter words
    are kept in one version and dropped in another ("Blend-A-Med": blend med, "Oral-B":
    oral b, "Johnson's Baby": johnson baby).
    """
    phrases: dict[tuple[str, ...], str] = {}
    for brand in brands:
        if not brand.isascii():
            continue
        words = _LATIN_WORD.findall(brand)
        for version in (words, [w for w in words if len(w) > 1]):
            for size in range(2, min(PHRASE_WORDS, len(version)) + 1):
                phrases.setdefault(tuple(version[:size]), " ".join(version[:size]))
    return phrases


@dataclass
class BrandLexicon:
    """Looks Cyrillic words and phrases up in the readings built at index time."""

    readings: Mapping[str, Sequence[str]]
    brands: Mapping[str, int] = field(default_factory=dict)
    _buckets: dict[str, list[str]] = field(default_factory=dict)
    _cache: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    _exact: dict[str, Sequence[str]] = field(default_factory=dict)  # word -> its readings
    _phrases: dict[tuple[str, ...], str] | None = None
    _prefixes: set[tuple[str, ...]] = field(default_factory=set)

    def _bucket(self, first: str) -> list[str]:
        if not self._buckets:
            buckets: dict[str, list[str]] = {"": []}
            for key in self.readings:
                if " " not in key:
                    buckets.setdefault(key[:1], []).append(key)
            self._buckets = buckets
        return self._buckets.get(first, [])

    def lookup(self, word: str, *, fuzzy: bool = True) -> list[tuple[str, int]]:
        """Latin targets the Cyrillic or Arabic `word` may stand for, with the edits it took (0..2)."""
        if not fuzzy:
            # (a plan asks several times for the same words: their key's two regex
            # passes are made once, and the readings' own tuple is remembered)
            targets = self._exact.get(word)
            if targets is None:
                if len(self._exact) >= LOOKUP_CACHE_SIZE:
                    self._exact.clear()
                targets = self._exact[word] = self.readings.get(reading_key(word), ())
            return [(target, 0) for target in targets]
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        key = reading_key(word)
        found: dict[str, int] = {}
        for target in self.readings.get(key, ()):
            found[target] = 0
        limit = _fuzzy_limit(key)
        if not found and limit:
            matches = process.extract(
                key, self._bucket(key[0]), scorer=Levenshtein.distance, score_cutoff=limit, limit=8
            )
            for other, distance, _ in sorted(matches, key=lambda m: m[1]):
                if len(key) < MIN_FREE_FUZZY and not _sounds_alike(key, other):
                    continue
                for target in self.readings[other]:
                    found.setdefault(target, int(distance))
        result = sorted(found.items(), key=lambda item: item[1])
        if len(self._cache) >= LOOKUP_CACHE_SIZE:
            self._cache.clear()
        self._cache[word] = result
        return result

    def phrase(self, words: list[str]) -> list[str]:
        """Targets of a multi-word brand written as these Cyrillic words (exact keys)."""
        return list(self.readings.get(" ".join(reading_key(w) for w in words), ()))

    def phrase_match(self, words: list[str], known: Callable[[str], bool]) -> str | None:
        """The multi-word brand these Cyrillic words spell word by word, or None.

        Each word is read as the Latin words it may stand for: its exact readings, a
        brand abbreviation ("доктор" -> dr), a Latin letter's name ("би" -> b), "&"
        ("энд", or glued to the word before it: "хеден" -> head &), and, for a word
        `known` says the catalog lacks, readings one or two edits away ("шолдерз").
        The words must spell the beginning of a catalog brand ("хэд энд шолдерс",
        "мистер мускул", "бленд а мед"); whether the catalog has it with the rest of
        the query is decided by the caller.
        """
        if self._phrases is None:
            self._phrases = brand_phrases(self.brands)
            self._prefixes = {p[:k] for p in self._phrases for k in range(1, len(p))}
        if not self._phrases or len(words) < 2:
            return None
        # Word by word, keeping only the readings so far that begin some brand: most
        # Russian words end it at once, and no fuzzy lookup is made for them.
        partial: list[tuple[str, ...]] = [()]
        last = len(words) - 1
        for i, word in enumerate(words):
            found: list[tuple[str, ...]] = []
            if 0 < i < last and word in AND_WORDS:
                found.append(())
            for table in (ABBREVIATIONS, LETTER_NAMES):
                if word in table:
                    found.append((table[word],))
            # (a word after one that already reads as a brand's word may be misspelt
            # even if it is a catalog word: "мистер мускул")
            fuzzy = len(word) >= 5 and (i > 0 or not known(word))
            for target, _ in self.lookup(word, fuzzy=fuzzy)[:MAX_PHRASE_OPTIONS]:
                found.append(tuple(_LATIN_WORD.findall(target)))
            if i < last:
                for ending in AND_ENDINGS:
                    rest = word[: -len(ending)]
                    if word.endswith(ending) and len(rest) >= 2:
                        for target, _ in self.lookup(rest, fuzzy=False)[:MAX_PHRASE_OPTIONS]:
                            found.append(tuple(_LATIN_WORD.findall(target)))
            extended = dict.fromkeys(p + f for p in partial for f in found)
            if i == last:
                for latin in extended:
                    spelt = self._phrases.get(latin)
                    if spelt is not None:
                        return spelt
                return None
            partial = [p for p in extended if p in self._prefixes]
            if not partial:
                return None
        return None
