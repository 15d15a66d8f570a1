"""Engine-independent query understanding: from typed text to ordered readings.

The first reading is what the shopper most plausibly meant: a wrong keyboard
layout that plausibility proves is switched already, and each word also matches
its catalog transliteration ("самсунг" -> samsung) and synonyms. The fallbacks
follow in the order the search service tries them when a reading finds too
little: a hopeful layout switch, spelling corrections, then relaxed matching.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator

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
        self._plans: OrderedDict[tuple[str, str, int], QueryPlan] = OrderedDict()

    def interpretations(self, query: str, locale: str = "ru") -> Iterator[Interpretation]:
        """Readings of `query`, most plausible first; empty when nothing is searchable."""
        yield from self.plan(query, locale).readings

    def plan(self, query: str, locale: str = "ru") -> QueryPlan:
        """The readings and did-you-mean of `query`, cached per query and vocabulary."""
        vocabulary = self.lexicon.vocabulary
        key = (query, locale, id(vocabulary))
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plan(query.strip(), vocabulary)
            self._plans[key] = plan
            if len(self._plans) > _PLAN_CACHE_SIZE:
                self._plans.popitem(last=False)
        return plan

    def _plan(self, query: str, vocabulary: Vocabulary) -> QueryPlan:
        if not query:
            return QueryPlan()
        layout = fix_layout(query, self.lexicon.text_evidence)
        primary = self._reading(query, layout.certain, vocabulary, spell=False)
        if primary is None:
            return QueryPlan()
        readings = [primary]
        last = primary
        did_you_mean = None
        spelled = self._reading(query, layout.certain, vocabulary, spell=True)
        if layout.hopeful != layout.certain:
            hopeful = self._reading(query, layout.hopeful, vocabulary, spell=False)
            if hopeful is not None:
                readings.append(hopeful)
                hopeful_spelled = self._reading(query, layout.hopeful, vocabulary, spell=True)
                if hopeful_spelled is not None and hopeful_spelled.text != hopeful.text:
                    readings.append(hopeful_spelled)
        if spelled is not None and spelled.text != primary.text:
            readings.insert(1, spelled)
            did_you_mean = spelled.text
            last = spelled
        readings.extend(relaxed_readings(last))
        return QueryPlan(tuple(readings), did_you_mean)

    def _reading(
        self, typed: str, text: str, vocabulary: Vocabulary, *, spell: bool
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
        spell: bool,
        corrections: list[Correction],
    ) -> tuple[str, list[str]]:
        """One word's surface and terms after transliteration, spelling and synonyms."""
        lemmas = self.analyzer.words.lemmas
        latin = self.transliterator.latin(surface, vocabulary)
        if latin is not None:
            word, frequency = latin
            aliased = surface in self.transliterator.aliases
            if aliased or frequency > self.lexicon.frequency(surface, vocabulary):
                terms.extend(lemmas(word))
                corrections.append(Correction("translit", surface, word))
        elif spell and self.lexicon.evidence(surface, vocabulary) == UNKNOWN:
            fixed = self.speller.correct(surface, vocabulary)
            if fixed is not None:
                corrections.append(Correction("spelling", surface, fixed))
                surface, terms = fixed, list(lemmas(fixed))
        for synonym, synonym_terms in self.synonyms.expand(tuple(terms)):
            terms.extend(synonym_terms)
            if any(vocabulary.term_df(t) for t in synonym_terms):
                corrections.append(Correction("synonym", surface, synonym))
        return surface, terms
