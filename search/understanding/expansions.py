"""Other ways to say a word: retail abbreviations, compound words, foreign product words.

Small editable data files under data/, each refused at load with its line
number when malformed:

- `abbreviations.txt`: "с/к = сырокопченый | с ключом". A query word that is the
  abbreviation also matches what it stands for, and a one-word expansion also
  matches the abbreviation ("сырокопченая колбаса" finds "колбаса с/к").
- `compounds.txt`: "электро = электрический". "электрочайник" also finds "чайник
  электрический" (when the catalog knows "чайник"); the reverse is added by the
  pipeline for a query that has both words.
- `translations.txt`: English, German, Spanish and Portuguese product words with
  their Russian equivalents ("shampoo = шампунь"), extracted from FreeDict
  dictionaries by `python -m search.understanding.build_translations`.
- `product_words.txt`: the same for everyday shop words FreeDict lacks ("milk",
  "toy", "mug"), kept by hand; a word there wins over translations.txt.

Every expansion is an alternative joined with OR (readings.Alternative), reported
as a synonym when it is what makes the word match.
"""

from __future__ import annotations

from collections.abc import Container
from pathlib import Path

import dawg

from ..analysis.analyzer import Analyzer
from ..analysis.text import normalize
from .readings import Alternative, Group

DATA = Path(__file__).with_name("data")
ABBREVIATIONS_FILE = DATA / "abbreviations.txt"
COMPOUNDS_FILE = DATA / "compounds.txt"
TRANSLATIONS_FILE = DATA / "translations.txt"
PRODUCT_WORDS_FILE = DATA / "product_words.txt"
MIN_COMPOUND_REST = 4


def _entries(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line number, left side, right-side options) of a "left = a | b" file."""
    entries: list[tuple[int, str, list[str]]] = []
    if not path.exists():
        return entries
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        left, sep, right = line.partition("=")
        left = normalize(left).strip()
        options = [" ".join(normalize(o).split()) for o in right.split("|")]
        if not sep or not left or " " in left or not all(options):
            raise ValueError(f"{path}:{number}: expected 'word = words | words', got {line!r}")
        entries.append((number, left, options))
    return entries


class Expansions:
    """Abbreviations, compounds and translations as alternatives of one query word."""

    def __init__(
        self,
        analyzer: Analyzer,
        abbreviations: Path = ABBREVIATIONS_FILE,
        compounds: Path = COMPOUNDS_FILE,
        translations: Path = TRANSLATIONS_FILE,
        product_words: Path = PRODUCT_WORDS_FILE,
    ) -> None:
        self.analyzer = analyzer
        self.by_word: dict[str, list[Alternative]] = {}
        self.by_term: dict[str, list[Alternative]] = {}  # one-word expansion -> abbreviation
        self.prefixes: dict[str, str] = {}  # compound prefix -> modifier word
        self.modifiers: dict[str, str] = {}  # modifier lemma -> compound prefix
        # multi-word expansions, as each word's terms -> the abbreviation
        self.phrases: list[tuple[tuple[frozenset[str], ...], str]] = []
        for _, left, options in _entries(abbreviations):
            for option in options:
                self.by_word.setdefault(left, []).append(self._alternative(option))
                groups = self.by_word[left][-1].groups
                if len(groups) == 1:
                    for term in groups[0]:
                        self.by_term.setdefault(term, []).append(
                            Alternative(left, ((left,),), "synonym")
                        )
                elif groups:
                    self.phrases.append((tuple(frozenset(g) for g in groups), left))
        for number, left, options in _entries(compounds):
            if len(options) != 1 or " " in options[0]:
                raise ValueError(f"{compounds}:{number}: a compound prefix takes one modifier word")
            self.prefixes[left] = options[0]
            self.modifiers[analyzer.words.best_lemma(options[0])] = left
        # Translations are many: analyzed on first use, not at start-up, and kept as a
        # DAWG of "option|option" (~1 MB where a dict of lists of strings took ~6).
        found: dict[str, list[str]] = {}
        for _, left, options in _entries(product_words):
            found[left] = list(options)
        hand_kept = set(found)
        for _, left, options in _entries(translations):
            if left not in hand_kept:
                found.setdefault(left, []).extend(options)
        self._translated = dawg.BytesDAWG(
            (word, "|".join(options).encode()) for word, options in found.items()
        )

    def translations(self, word: str) -> list[str]:
        """The Russian options of a foreign word as the data files give them."""
        found = self._translated.get(word)
        return found[0].decode().split("|") if found else []

    def _alternative(self, words: str) -> Alternative:
        groups = tuple(
            tuple(token.terms) for token in self.analyzer.analyze(words) if token.kind == "word"
        )
        return Alternative(words, groups, "synonym")

    def alternatives(
        self,
        word: str,
        terms: Group,
        known: Container[str] | None = None,
        *,
        translate: bool = True,
    ) -> list[Alternative]:
        """Alternatives of one query word (`terms` are its own index terms).

        `known`, when given, is the set of terms the catalog has: compounds split
        only into words it knows. `translate=False` leaves foreign words untranslated.
        """
        if word.isascii():
            found = self._translations(word) if translate else []
        else:
            found = list(self.by_word.get(word, ()))
        for term in terms:
            found.extend(self.by_term.get(term, ()))
        for prefix, modifier in self.prefixes.items():
            rest = word[len(prefix) :]
            if word.startswith(prefix) and len(rest) >= MIN_COMPOUND_REST:
                rest_terms = self.analyzer.words.lemmas(rest)
                if known is None or any(t in known for t in rest_terms):
                    modifier_terms = self.analyzer.words.lemmas(modifier)
                    found.append(
                        Alternative(
                            f"{rest} {modifier}",
                            (tuple(rest_terms), tuple(modifier_terms)),
                            "synonym",
                        )
                    )
        return found

    def _translations(self, word: str) -> list[Alternative]:
        """Russian alternatives of a foreign word, plurals included ("shampoos")."""
        for form in (word, word[:-1] if word.endswith("s") else "", word[:-2]):
            options = self.translations(form) if form else None
            if options:
                if form not in self.by_word:
                    self.by_word[form] = [self._alternative(o) for o in options]
                return list(self.by_word[form])
        return []

    def phrase_matches(self, words: list[Group]) -> list[tuple[int, int, str]]:
        """(start, length, abbreviation) for runs of query words spelling one out."""
        found = []
        for phrase, abbreviation in self.phrases:
            size = len(phrase)
            for start in range(len(words) - size + 1):
                if all(phrase[j].intersection(words[start + j]) for j in range(size)):
                    found.append((start, size, abbreviation))
        return found

    def compound(self, noun_terms: Group, modifier_terms: Group) -> list[str]:
        """Compound words for a noun and a modifier ("чайник", "электрический" -> электрочайник)."""
        found: list[str] = []
        for term in modifier_terms:
            prefix = self.modifiers.get(term)
            if prefix is not None:
                found.extend(prefix + noun for noun in noun_terms)
        return found
