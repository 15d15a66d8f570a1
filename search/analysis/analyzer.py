"""The one text analyzer used at index time and at query time.

`analyze` turns text into tokens, each carrying every term it may be indexed
under; index time joins all terms, query time ORs the terms of each token.
Both take the text's language: Latin words are stemmed by that language's
Snowball (and the English one), so a title is indexed the way its language is
searched.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache
from typing import NamedTuple

from .morphology import WordNormalizer, latin_stemmer_name
from .stopwords import STOP_WORDS
from .text import (
    UMLAUTS,
    UNITS,
    classify,
    joins_number,
    normalize,
    token_pattern,
    tokenize,
    umlaut_spellings,
)

Lemmatizer = Callable[[str], tuple[str, ...]]
# What indexing makes of one match of the tokenizer's pattern (`text.classify`):
# (kind, text, surface, terms). A word's surface is its first plain spelling, its terms
# are () for a stop word; anything else is its own one term, and surface is its text.
IndexEntry = tuple[str, str, str, tuple[str, ...]]
_UMLAUT = re.compile(f"[{UMLAUTS}]")


class Token(NamedTuple):
    """One word of the input: its normalized surface form and its index terms."""

    surface: str
    terms: tuple[str, ...]
    kind: str
    start: int
    end: int


class Analyzer:
    def __init__(self, normalizer: WordNormalizer | None = None) -> None:
        self.words = normalizer or WordNormalizer()
        self._short_texts: dict[str, str] = {}
        self._word_terms: dict[tuple[str, str | None], frozenset[str]] = {}
        self.word_terms_limit = 200_000
        # Index time only: what each match of the tokenizer's pattern (`index_terms`)
        # and each title word (`title_word_terms`) becomes, per Latin stemmer: catalog
        # words repeat, so most are a dict lookup.
        self._index_entries: dict[str | None, dict[str, IndexEntry]] = {}
        self._title_words: dict[str | None, dict[str, tuple[str, ...]]] = {}

    def bound_caches(self, words: int, word_terms: int) -> None:
        """Lower the bounds of the per-word caches (a serving process: shoppers' words
        are endless, and each worker holds its own copy)."""
        self.words.cache_limit = words
        self.word_terms_limit = word_terms

    def analyze(self, text: str, language: str | None = None) -> list[Token]:
        """The words, numbers and measures of `text`, in `language` (a locale code)."""
        tokens = []
        lemmas = self.words.lemmatizer(language)
        for raw in tokenize(normalize(text, keep_umlauts=True)):
            if raw.kind == "word":
                surface, terms = self._word(raw.text, lemmas)
                if surface in STOP_WORDS:
                    continue
            else:
                surface, terms = raw.text, (raw.text,)
            tokens.append(Token(surface, terms, raw.kind, raw.start, raw.end))
        return tokens

    @staticmethod
    def _word(word: str, lemmas: Lemmatizer) -> tuple[str, tuple[str, ...]]:
        """A word's surface (umlauts folded) and its terms under every plain spelling."""
        if word.isascii() or not _UMLAUT.search(word):
            return word, lemmas(word)
        spellings = umlaut_spellings(word)
        terms = [t for spelling in spellings for t in lemmas(spelling)]
        return spellings[0], tuple(dict.fromkeys(terms))

    def index_terms(
        self, text: str, surface_words: list[str] | None = None, language: str | None = None
    ) -> str:
        """Space-joined terms of `text`, for a whitespace-tokenized index field.

        The hot path of indexing: the terms `analyze` gives (stop words left out),
        without Token objects, each match of the tokenizer remembered. Normalized words
        (stop words included) are appended to `surface_words` if given, so the indexer's
        vocabulary needs no second pass over the text.
        """
        stemmer = latin_stemmer_name(language)
        entries = self._index_entries.get(stemmer)
        if entries is None or len(entries) > self.word_terms_limit:
            entries = self._index_entries[stemmer] = {}
        normalized = normalize(text, keep_umlauts=True)
        terms: list[str] = []
        number_end = -1  # where the last token ended, when it was a number
        for match in token_pattern(normalized).finditer(normalized):
            raw = match.group()
            entry = entries.get(raw)
            if entry is None:
                entry = entries[raw] = self._index_entry(raw, language)
            kind, token, surface, found = entry
            if kind != "word":
                terms.append(surface)
                number_end = match.end() if kind == "number" else -1
                continue
            if (
                number_end >= 0
                and joins_number(token)
                and not normalized[number_end : match.start()].strip()
            ):
                terms[-1] += UNITS[token]  # "64 gb": one measure, as `tokenize` joins it
                number_end = -1
                continue
            number_end = -1
            if surface_words is not None:
                surface_words.append(surface)
            if found:
                terms.extend(found)
        return " ".join(terms)

    def _index_entry(self, raw: str, language: str | None) -> IndexEntry:
        token, kind = classify(raw)
        if kind != "word":
            return kind, token, token, (token,)
        surface, terms = self._word(token, self.words.lemmatizer(language))
        return kind, token, surface, () if surface in STOP_WORDS else terms

    def index_texts(self, texts: dict[str, str], surface_words: list[str] | None = None) -> str:
        """`index_terms` of texts by language (a product's titles or descriptions)."""
        if len(texts) == 1:  # most feeds: one language
            ((language, text),) = texts.items()
            return self.index_terms(text, surface_words, language)
        return " ".join(
            self.index_terms(text, surface_words, language) for language, text in texts.items()
        )

    def index_terms_repeated(self, text: str) -> str:
        """`index_terms` for short texts that repeat across products (brands, subcategories)."""
        cached = self._short_texts.get(text)
        if cached is None:
            if len(self._short_texts) > 100_000:
                self._short_texts.clear()
            cached = self._short_texts[text] = self.index_terms(text)
        return cached

    def word_terms(self, word: str, language: str | None = None) -> frozenset[str]:
        """Terms of one displayed word, cached: highlighting meets the same words again and again."""
        return self.word_terms_in(language)(word)

    def word_terms_in(self, language: str | None) -> Callable[[str], frozenset[str]]:
        """`word_terms` with the language fixed: what marking a whole title calls per word."""
        lang = language if latin_stemmer_name(language) else None
        cache = self._word_terms
        limit = self.word_terms_limit

        def terms(word: str) -> frozenset[str]:
            cached = cache.get((word, lang))
            if cached is None:
                if len(cache) > limit:
                    cache.clear()
                cached = cache[(word, lang)] = frozenset(self._one_word_terms(word, language))
            return cached

        return terms

    def title_word_terms(
        self, language: str | None
    ) -> tuple[dict[str, tuple[str, ...]], Callable[[str], tuple[str, ...]]]:
        """Index time: the terms of displayed title words known so far (word -> terms,
        for `word_terms(word, language)`, in a fixed order), and what adds a word to them."""
        stemmer = latin_stemmer_name(language)
        lang = language if stemmer else None
        known = self._title_words.get(lang)
        if known is None or len(known) > self.word_terms_limit:
            known = self._title_words[lang] = {}

        def add(word: str) -> tuple[str, ...]:
            normalized = normalize(word, keep_umlauts=True)
            found: Iterable[str]
            if normalized.isalpha():
                # Mostly a word index_terms met in the title already: the terms of its
                # one match (what `_one_word_terms` makes of an all-letters word).
                entry = self._index_entries.get(stemmer, {}).get(normalized)
                found = entry[3] if entry else self._one_word_terms(word, language)
            else:  # ("200г", "6.5см": `term_set`, from what index_terms remembers)
                found = self.index_terms(word, None, language).split()
            terms = known[word] = tuple(dict.fromkeys(found))
            return terms

        return known, add

    def _one_word_terms(self, word: str, language: str | None) -> set[str] | tuple[str, ...]:
        """`term_set(word, language)`; for the common displayed word, letters only once
        normalized, without tokenizing it (it is one "word" token, as `tokenize` reads it)."""
        normalized = normalize(word, keep_umlauts=True)
        if not normalized.isalpha():
            return self.term_set(word, language)
        word, _ = classify(normalized)  # (typed in two scripts: folded into one)
        surface, terms = self._word(word, self.words.lemmatizer(language))
        return () if surface in STOP_WORDS else terms

    def term_set(self, text: str, language: str | None = None) -> set[str]:
        return {term for token in self.analyze(text, language) for term in token.terms}


@cache
def default_analyzer() -> Analyzer:
    """The process-wide analyzer, shared by indexing, search and highlighting."""
    return Analyzer()
