"""What counts as a real word: the catalog's vocabulary first, the Russian dictionary second.

Every correction step asks the lexicon whether a reading is more plausible than
what was typed, so they all share one notion of "real".
"""

from __future__ import annotations

from typing import Any

from ..analysis.analyzer import Analyzer
from ..analysis.morphology import morph_analyzer
from ..analysis.stopwords import STOP_WORDS
from ..analysis.text import is_cyrillic, normalize, tokenize
from ..vocabulary import Vocabulary, VocabularyStore

IN_CATALOG = 2
IN_DICTIONARY = 1
UNKNOWN = 0
# pymorphy3 knows many two-letter abbreviations; too weak to switch a layout on.
MIN_DICTIONARY_WORD = 3


class Lexicon:
    def __init__(self, analyzer: Analyzer, vocabulary: VocabularyStore | None = None) -> None:
        self.analyzer = analyzer
        self.store = vocabulary or VocabularyStore(None)

    @property
    def vocabulary(self) -> Vocabulary:
        return self.store.get()

    def frequency(self, word: str, vocabulary: Vocabulary | None = None) -> int:
        """How many catalog products contain this normalized word (or one of its lemmas)."""
        v = vocabulary if vocabulary is not None else self.vocabulary
        best = v.word_df(word)
        for term in self.analyzer.words.lemmas(word):
            best = max(best, v.term_df(term))
        return best

    def evidence(self, word: str, vocabulary: Vocabulary | None = None) -> int:
        """IN_CATALOG, IN_DICTIONARY or UNKNOWN for one normalized word."""
        v = vocabulary if vocabulary is not None else self.vocabulary
        if (
            v
            and is_cyrillic(word)
            and not v.word_df(word)
            and not in_dictionary(word, morph_analyzer().dictionary.words)
        ):
            # Neither a catalog word nor any Russian word form: no need to guess its
            # lemma ("ыфьыгтп", the other layout of "samsung").
            return UNKNOWN
        if self.frequency(word, vocabulary) > 0:
            return IN_CATALOG
        if len(word) >= MIN_DICTIONARY_WORD and self.analyzer.words.is_known(word):
            return IN_DICTIONARY
        return UNKNOWN

    def text_evidence(self, text: str, vocabulary: Vocabulary | None = None) -> int | None:
        """The least real word of `text`; None when it has no words (numbers, stop words)."""
        vocabulary = vocabulary if vocabulary is not None else self.vocabulary
        scores = [
            self.evidence(raw.text, vocabulary)
            for raw in tokenize(normalize(text))
            if raw.kind == "word" and raw.text not in STOP_WORDS
        ]
        return min(scores) if scores else None


def in_dictionary(word: str, forms: Any) -> bool:
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
