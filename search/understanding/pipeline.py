"""Engine-independent query understanding: from typed text to ordered readings.

The first reading is what the shopper most plausibly meant: a wrong keyboard
layout that plausibility proves is switched already, and each word also matches
its catalog transliteration ("самсунг" -> samsung) and synonyms. The fallbacks
follow in the order the search service tries them when a reading finds too
little: a hopeful layout switch, spelling corrections, then relaxed matching.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from functools import cache

from ..analysis.analyzer import Analyzer, Token
from ..analysis.text import normalize
from ..engines.base import TextMatch
from ..vocabulary import Vocabulary, VocabularyStore
from .base import Correction, Interpretation, QueryPlan
from .keyboard import fix_layout
from .lexicon import UNKNOWN, Lexicon
from .spelling import SpellingCorrector
from .synonyms import Synonyms
from .translit import Transliterator

_PLAN_CACHE_SIZE = 10_000
# A Latin catalog word joins a Cyrillic query word's alternatives unless the word
# itself is this many times more frequent in the catalog ("комфорт" vs "comfort").
TRANSLIT_MARGIN = 4
# Which unknown words a reading corrects: none, those no transliteration matched, all.
NO_SPELLING, SPELL_UNMATCHED, SPELL_ALL = 0, 1, 2


def text_match(tokens: list[Token]) -> TextMatch | None:
    groups = tuple(dict.fromkeys(t.terms for t in tokens))
    return TextMatch(required=groups) if groups else None


def relaxed_readings(reading: Interpretation) -> Iterator[Interpretation]:
    """Drop required words from the end, one at a time, keeping at least one.

    Dropped words stay optional, so products matching them still rank first.
    """
    required = list(reading.match.required)
    optional = list(reading.match.optional)
    while len(required) > 1:
        optional.insert(0, required.pop())
        yield Interpretation(
            text=reading.text,
            match=TextMatch(tuple(required), tuple(optional)),
            corrections=reading.corrections,
            relaxed=True,
        )


class QueryUnderstanding:
    """Turns a typed query into readings any engine can run (see QueryPlan)."""

    def __init__(
        self,
        analyzer: Analyzer,
        vocabulary: VocabularyStore | None = None,
        *,
        synonyms: Synonyms | None = None,
        transliterator: Transliterator | None = None,
    ) -> None:
        self.analyzer = analyzer
        self.lexicon = Lexicon(analyzer, vocabulary)
        self.synonyms = synonyms if synonyms is not None else Synonyms(analyzer)
        self.transliterator = transliterator if transliterator is not None else Transliterator()
        self.speller = SpellingCorrector(self.lexicon)
        # Cleared when full rather than LRU: thread-safe without a lock.
        self._plans: dict[tuple[str, str, int], QueryPlan] = {}

    def interpretations(self, query: str, locale: str = "ru") -> Iterator[Interpretation]:
        """Readings of `query`, most plausible first; empty when nothing is searchable."""
        yield from self.plan(query, locale).readings

    def plan(self, query: str, locale: str = "ru") -> QueryPlan:
        """The readings and did-you-mean of `query`, cached per query and vocabulary."""
        vocabulary = self.lexicon.vocabulary
        key = (query, locale, id(vocabulary))
        plan = self._plans.get(key)
        if plan is None:
            started = time.perf_counter()
            plan = self._plan(query.strip(), vocabulary)
            plan.seconds += time.perf_counter() - started
            if len(self._plans) >= _PLAN_CACHE_SIZE:
                self._plans.clear()
            self._plans[key] = plan
        return plan

    def _plan(self, query: str, vocabulary: Vocabulary) -> QueryPlan:
        if not query:
            return QueryPlan()
        layout = fix_layout(query, self.lexicon.text_evidence)
        primary = self._reading(query, layout.certain, vocabulary, spell=NO_SPELLING)
        if primary is None:
            return QueryPlan()

        @cache
        def spelled() -> Interpretation | None:
            reading = self._reading(query, layout.certain, vocabulary, spell=SPELL_ALL)
            return reading if reading is not None and reading.text != primary.text else None

        def did_you_mean() -> str | None:
            # Words that matched a catalog transliteration ("самсунг") are not typos.
            reading = self._reading(query, layout.certain, vocabulary, spell=SPELL_UNMATCHED)
            return reading.text if reading is not None and reading.text != primary.text else None

        def fallbacks() -> tuple[Interpretation, ...]:
            readings: list[Interpretation] = []
            spelled_reading = spelled()
            if spelled_reading is not None:
                readings.append(spelled_reading)
            if layout.hopeful != layout.certain:
                hopeful = self._reading(query, layout.hopeful, vocabulary, spell=NO_SPELLING)
                if hopeful is not None:
                    readings.append(hopeful)
                    fixed = self._reading(query, layout.hopeful, vocabulary, spell=SPELL_ALL)
                    if fixed is not None and fixed.text != hopeful.text:
                        readings.append(fixed)
            readings.extend(relaxed_readings(spelled() or primary))
            return tuple(readings)

        return QueryPlan(primary, fallbacks, did_you_mean)

    def _reading(
        self, typed: str, text: str, vocabulary: Vocabulary, *, spell: int
    ) -> Interpretation | None:
        """One reading of `text` (the typed query after layout switching)."""
        tokens = self.analyzer.analyze(text)
        if not tokens:
            return None
        corrections: list[Correction] = []
        if text != " ".join(typed.lower().split()):
            corrections.append(Correction("layout", typed, text))
        normalized = normalize(text)
        understood: list[str] = []
        cursor = 0
        groups: list[tuple[str, ...]] = []
        for token in tokens:
            surface, terms = token.surface, list(token.terms)
            if token.kind == "word":
                surface, terms = self._word(surface, terms, vocabulary, spell, corrections)
            understood.append(normalized[cursor : token.start] + surface)
            cursor = token.end
            groups.append(tuple(dict.fromkeys(terms)))
        understood.append(normalized[cursor:])
        match = TextMatch(required=tuple(dict.fromkeys(groups)))
        return Interpretation(" ".join("".join(understood).split()), match, tuple(corrections))

    def _word(
        self,
        surface: str,
        terms: list[str],
        vocabulary: Vocabulary,
        spell: int,
        corrections: list[Correction],
    ) -> tuple[str, list[str]]:
        """One word's surface and terms after transliteration, spelling and synonyms."""
        token_terms = tuple(terms)
        lemmas = self.analyzer.words.lemmas
        own = None
        transliterated = in_catalog = False
        for word, frequency in self.transliterator.candidates(surface, vocabulary):
            if own is None:
                own = self.lexicon.frequency(surface, vocabulary)
                # A dictionary word the catalog uses ("кеды", "майка") is what it says;
                # only a more common other-script word ("канон" -> canon) may join it.
                margin = 1 if own and self.analyzer.words.is_known(surface) else TRANSLIT_MARGIN
            aliased = surface in self.transliterator.aliases
            new_terms = [t for t in lemmas(word) if t not in terms]
            if new_terms and (aliased or frequency * margin > own):
                terms.extend(new_terms)
                if not transliterated:  # report the best spelling only
                    corrections.append(Correction("translit", surface, word))
                transliterated = True
                in_catalog = in_catalog or vocabulary.word_df(word) > 0
        # Curated aliases are real words by definition; never "correct" them.
        wanted = surface not in self.transliterator.aliases and (
            spell == SPELL_ALL or (spell == SPELL_UNMATCHED and not in_catalog)
        )
        if wanted and self.lexicon.evidence(surface, vocabulary) == UNKNOWN:
            fixed = self.speller.correct(surface, vocabulary)
            if fixed is not None:
                corrections.append(Correction("spelling", surface, fixed))
                surface = fixed
                terms = list(lemmas(fixed)) + [t for t in terms if t not in token_terms]
        # A synonym is reported only where it is what makes the word match: the word's
        # own terms are absent from the catalog and the synonym's are there.
        own_in_catalog = any(vocabulary.term_df(t) for t in terms)
        for synonym, synonym_terms in self.synonyms.expand(tuple(terms)):
            terms.extend(synonym_terms)
            if not own_in_catalog and any(vocabulary.term_df(t) for t in synonym_terms):
                corrections.append(Correction("synonym", surface, synonym))
        return surface, terms
