"""The one text analyzer used at index time and at query time.

`analyze` turns text into tokens, each carrying every term it may be indexed
under; index time joins all terms, query time ORs the terms of each token.
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

from .morphology import WordNormalizer
from .stopwords import STOP_WORDS
from .text import normalize, tokenize


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
        self._word_terms: dict[str, frozenset[str]] = {}

    def analyze(self, text: str) -> list[Token]:
        normalized = normalize(text)
        tokens = []
        for raw in tokenize(normalized):
            if raw.kind == "word":
                if raw.text in STOP_WORDS:
                    continue
                terms = self.words.lemmas(raw.text)
            else:
                terms = (raw.text,)
            tokens.append(Token(raw.text, terms, raw.kind, raw.start, raw.end))
        return tokens

    def index_terms(self, text: str, surface_words: list[str] | None = None) -> str:
        """Space-joined terms of `text`, for a whitespace-tokenized index field.

        The hot path of indexing: the same steps as `analyze`, without Token objects.
        Normalized words (stop words included) are appended to `surface_words` if given,
        so the indexer's vocabulary needs no second pass over the text.
        """
        lemmas = self.words.lemmas
        terms: list[str] = []
        for raw in tokenize(normalize(text)):
            if raw.kind != "word":
                terms.append(raw.text)
                continue
            if surface_words is not None:
                surface_words.append(raw.text)
            if raw.text not in STOP_WORDS:
                terms.extend(lemmas(raw.text))
        return " ".join(terms)

    def index_terms_repeated(self, text: str) -> str:
        """`index_terms` for short texts that repeat across products (brands, subcategories)."""
        cached = self._short_texts.get(text)
        if cached is None:
            if len(self._short_texts) > 100_000:
                self._short_texts.clear()
            cached = self._short_texts[text] = self.index_terms(text)
        return cached

    def word_terms(self, word: str) -> frozenset[str]:
        """Terms of one displayed word, cached: highlighting meets the same words again and again."""
        cached = self._word_terms.get(word)
        if cached is None:
            if len(self._word_terms) > 200_000:
                self._word_terms.clear()
            cached = self._word_terms[word] = frozenset(self.term_set(word))
        return cached

    def term_set(self, text: str) -> set[str]:
        return {term for token in self.analyze(text) for term in token.terms}


@cache
def default_analyzer() -> Analyzer:
    """The process-wide analyzer, shared by indexing, search and highlighting."""
    return Analyzer()
