"""Engine-independent query understanding: from typed text to readings the catalog confirms.

1. Wrong keyboard layout is switched where plausibility proves it (keyboard.py).
2. Every word gets its alternatives: the catalog's Latin spelling of a Cyrillic
   brand (brand lexicon built at index time), synonyms, translations of foreign
   product words, retail abbreviations and compounds. They join the word with OR
   when the catalog confirms them together with the query's other words.
3. Words that match nothing are replaced by the best candidate (spelling up to two
   edits, brand readings, Russian typed in Latin letters), each scored by its cost
   and by how many products have it *together with the rest of the query*
   (co-occurrence lists of the vocabulary). A word that already matches with the
   rest is never rewritten; one-letter words are never touched.
4. Fallbacks when a reading finds too little: a hopeful layout switch, the reading
   as typed, then relaxed readings that keep the head noun (relax.py).

did_you_mean offers a better-supported rewrite of real words when the query as
typed finds nothing or much less.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from ..analysis.analyzer import Analyzer, Token
from ..analysis.stopwords import STOP_WORDS
from ..analysis.text import is_arabic, is_cyrillic, normalize
from ..engines.base import TextMatch
from ..vocabulary import Vocabulary, VocabularyStore
from .base import Correction, Interpretation, QueryPlan
from .brands import BrandLexicon
from .expansions import Expansions
from .keyboard import fix_layout
from .lexicon import IN_CATALOG, UNKNOWN, Lexicon
from .readings import Alternative, Evidence, Group, Unit, support
from .relax import relaxations
from .spelling import SpellingCorrector
from .synonyms import Synonyms
from .translit import Transliterator

_PLAN_CACHE_SIZE = 2_000
# A Latin catalog word joins a known Cyrillic word's alternatives unless the word
# itself is this many times more frequent in the catalog ("комфорт" vs "comfort").
TRANSLIT_MARGIN = 4
BRAND_EXACT_COST = 0.1
BRAND_FUZZY_COST = 0.45  # per edit between the typed word and the reading
# A dictionary word read as a brand puts the brand's products first when the catalog has
# the brand with the rest of the query this many times more often than the word.
BRAND_PREFERENCE_MARGIN = 1.5
RUSSIAN_LOOKING_COST = 0.6  # brand readings of words that look Russian come after spelling
LATIN_TRANSLIT_COST = 0.35
REAL_WORD_COST = 0.4  # replacing a word the dictionary knows costs this much more
MAX_PHRASE = 3
SHORT_WORD = 4  # shorter words are fixed only when the rest of the query confirms it
PAIR_CANDIDATES = 6  # per word, when two misspelt words are fixed together
ALONE_MAX_COST = 0.9  # a fix the other words do not confirm must be a likely slip
SINGLE_MAX_COST = 0.8  # ...and for a lone word that does not look Russian, a likelier one
LATIN_SINGLE_MAX_COST = 0.7  # ...and likelier still for a lone Latin word (a near-key slip)
# did_you_mean: a rewrite must find this many times more than the query as typed
DID_YOU_MEAN_FACTOR = 5
DID_YOU_MEAN_MIN = 3
DID_YOU_MEAN_MIN_LENGTH = 5
_BRAND_WORD = re.compile(r"[a-z]+")
# Case endings of nouns, by which a brand written in Cyrillic is declined.
_CASE_ENDINGS = ("ами", "ах", "ам", "ом", "ой", "ою", "ов", "у", "а", "е", "ы", "и")
MIN_DECLINED_STEM = 3
_ARABIC_ENDINGS = ("ه", "ات", "ين", "ون", "يه")  # normalized: ة is ه
_RUSSIAN_ENDINGS = (
    "ый", "ий", "ой", "ая", "яя", "ое", "ее", "ые", "ие", "ого", "его", "ому", "ему", "ую",
    "юю", "ых", "их", "ами", "ями", "ах", "ях", "ов", "ость", "ние", "ция", "ка", "ки",
)  # fmt: skip


def text_match(tokens: list[Token]) -> TextMatch | None:
    groups = tuple(dict.fromkeys(t.terms for t in tokens))
    return TextMatch(required=groups) if groups else None


def declined_stems(word: str) -> list[str]:
    """What a word may be before a Russian case ending: "симбы" -> симб, симба;
    "найках" -> найк, найка; "шляйха" -> шляйх."""
    stems: list[str] = []
    for ending in _CASE_ENDINGS:
        stem = word[: -len(ending)]
        if word.endswith(ending) and len(stem) >= MIN_DECLINED_STEM:
            stems.extend((stem, stem + "а"))
    return [s for s in dict.fromkeys(stems) if s != word]


def looks_russian(word: str) -> bool:
    """A Cyrillic word shaped like Russian (letters or endings foreign names rarely have)."""
    return any(c in word for c in "ыщъ") or word.endswith(_RUSSIAN_ENDINGS)


def looks_arabic(word: str) -> bool:
    """An Arabic word shaped like Arabic (the article, feminine and plural endings)."""
    return is_arabic(word) and (word.startswith("ال") or word.endswith(_ARABIC_ENDINGS))


def read_as_brand(word: str) -> bool:
    """A word in a script the brand lexicon reads Latin brands into (Cyrillic, Arabic)."""
    return is_cyrillic(word) or is_arabic(word)


@dataclass
class _Query:
    """One layout reading of a query being understood."""

    typed: str
    text: str
    normalized: str
    units: list[Unit]
    vocabulary: Vocabulary
    evidence: Evidence
    corrected: list[int] = field(default_factory=list)  # units given a replacement
    locale: str = "ru"


class QueryUnderstanding:
    """Turns a typed query into readings any engine can run (see QueryPlan)."""

    def __init__(
        self,
        analyzer: Analyzer,
        vocabulary: VocabularyStore | None = None,
        *,
        synonyms: Synonyms | None = None,
        transliterator: Transliterator | None = None,
        expansions: Expansions | None = None,
    ) -> None:
        self.analyzer = analyzer
        self.lexicon = Lexicon(analyzer, vocabulary)
        self.synonyms = synonyms if synonyms is not None else Synonyms(analyzer)
        self.transliterator = transliterator if transliterator is not None else Transliterator()
        self.expansions = expansions if expansions is not None else Expansions(analyzer)
        self.speller = SpellingCorrector(self.lexicon)
        self._brands: BrandLexicon | None = None
        self._brands_of: Vocabulary | None = None
        self._brand_word_set: frozenset[str] = frozenset()
        self._brand_words_of: Vocabulary | None = None
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
            started, cpu = time.perf_counter(), time.thread_time()
            plan = self._plan(query.strip(), vocabulary, locale)
            plan.seconds += time.perf_counter() - started
            plan.cpu_seconds += time.thread_time() - cpu
            if len(self._plans) >= _PLAN_CACHE_SIZE:
                self._plans.clear()
            self._plans[key] = plan
        return plan

    def use(
        self, *, synonyms: Synonyms | None = None, aliases: dict[str, str] | None = None
    ) -> None:
        """Read queries with these synonyms or brand aliases from now on (merchandisers
        edited them, see search/tuning.py); readings made with the old ones are dropped."""
        if synonyms is not None:
            self.synonyms = synonyms
        if aliases is not None:
            self.transliterator.aliases = aliases
        self._plans = {}

    def warm_up(self) -> None:
        """Load the vocabulary and build what lookups need, before the first shopper comes."""
        vocabulary = self.lexicon.vocabulary
        self.speller.warm_up(vocabulary)
        self.speller.near_catalog_words("прогрев", vocabulary, min_df=DID_YOU_MEAN_MIN)
        brands = self.brands(vocabulary)
        brands.lookup("прогрев")
        brands.phrase_match(["прогрев", "прогрев"], lambda word: False)  # its phrase tables
        self.transliterator.candidates("warm", vocabulary)  # its skeleton index
        _ = vocabulary.term_ids
        self.plan("сумка")

    def brands(self, vocabulary: Vocabulary) -> BrandLexicon:
        """The brand lexicon of this vocabulary (its fuzzy-lookup buckets built lazily)."""
        if self._brands is None or self._brands_of is not vocabulary:
            self._brands = BrandLexicon(vocabulary.readings, vocabulary.brands)
            self._brands_of = vocabulary
        return self._brands

    # -- the plan ---------------------------------------------------------------

    def _plan(self, query: str, vocabulary: Vocabulary, locale: str) -> QueryPlan:
        if not query:
            return QueryPlan()
        evidence = Evidence(vocabulary)
        text_evidence = self.lexicon.text_evidence
        layout = fix_layout(
            query, lambda text: text_evidence(text, vocabulary), self._page_word(locale, vocabulary)
        )
        main = self._understand(query, layout.certain, vocabulary, evidence, locale)
        if main is None:
            return QueryPlan()
        primary = self._interpretation(main)

        def fallbacks() -> tuple[Interpretation, ...]:
            readings: list[Interpretation] = []
            if layout.hopeful != layout.certain:
                hopeful = self._understand(query, layout.hopeful, vocabulary, evidence, locale)
                if hopeful is not None:
                    readings.append(self._interpretation(hopeful))
            if main.corrected:
                readings.append(self._interpretation(main, typed=True))
            readings.extend(self._relaxed(main))
            return tuple(r for i, r in enumerate(readings) if r not in readings[:i])

        def did_you_mean(found: int) -> str | None:
            return self._did_you_mean(main, primary, found)

        return QueryPlan(primary, fallbacks, did_you_mean)

    @staticmethod
    def _page_word(locale: str, vocabulary: Vocabulary) -> Callable[[str], bool]:
        """Whether a typed chunk is a word of the page's language: a stop word or a
        catalog word in the page's script (Portuguese "de" on a Portuguese page)."""
        if locale == "ru":
            script: Callable[[str], bool] = is_cyrillic
        elif locale == "ar":
            script = is_arabic
        else:
            script = str.isascii

        def page_word(chunk: str) -> bool:
            return (
                chunk.isalpha()
                and script(chunk)
                and (chunk in STOP_WORDS or vocabulary.word_df(chunk) > 0)
            )

        return page_word

    def _understand(
        self, typed: str, text: str, vocabulary: Vocabulary, evidence: Evidence, locale: str
    ) -> _Query | None:
        normalized = normalize(text)
        units = self._units(text, vocabulary, locale, evidence)
        if not units:
            return None
        query = _Query(typed, text, normalized, units, vocabulary, evidence, locale=locale)
        self._add_alternatives(query)
        self._correct(query)
        return query

    def _units(
        self, text: str, vocabulary: Vocabulary, locale: str, evidence: Evidence | None = None
    ) -> list[Unit]:
        # Latin words are stemmed in the page's language (titles are, in theirs).
        tokens = self.analyzer.analyze(text, locale)
        units: list[Unit] = []
        brands = self.brands(vocabulary)
        i = 0
        while i < len(tokens):
            token = tokens[i]
            phrase = self._brand_phrase(tokens, i, brands, vocabulary, evidence)
            if phrase is not None:
                units.append(phrase)
                i += len(phrase.surface.split())
                continue
            typed = Alternative(token.surface, (tuple(token.terms),))
            known = self.lexicon.evidence(token.surface, vocabulary) if token.kind == "word" else 2
            units.append(Unit(token.start, token.end, token.surface, token.kind, typed, known))
            i += 1
        return units

    def _brand_phrase(
        self,
        tokens: list[Token],
        i: int,
        brands: BrandLexicon,
        vocabulary: Vocabulary,
        evidence: Evidence | None,
    ) -> Unit | None:
        """A multi-word brand typed in Cyrillic or Arabic ("шнайдер электрик") at token i:
        a phrase reading of the lexicon, or word by word a brand the catalog has
        ("хеден шолдерс", "мистер мускул")."""
        for size in range(MAX_PHRASE, 1, -1):
            window = tokens[i : i + size]
            if len(window) < size or not all(
                t.kind == "word" and read_as_brand(t.surface) for t in window
            ):
                continue
            words = [t.surface for t in window]
            targets = brands.phrase(words)
            if targets:
                target = self._target(targets[0], "translit", BRAND_EXACT_COST)
            elif evidence is not None and all(is_cyrillic(w) for w in words):
                spelt = brands.phrase_match(words, lambda w: vocabulary.word_df(w) > 0)
                if spelt is None:
                    # a one-word brand typed apart: "лонда колор" is Londacolor
                    joined = brands.lookup("".join(words), fuzzy=False)
                    spelt = joined[0][0] if joined and " " not in joined[0][0] else None
                if spelt is None:
                    continue
                target = self._target(spelt, "translit", BRAND_EXACT_COST)
                if not target.groups or not evidence.exists(target.groups):
                    continue
            else:
                continue
            surface = " ".join(words)
            typed = Alternative(surface, tuple(tuple(t.terms) for t in window))
            unit = Unit(window[0].start, window[-1].end, surface, "phrase", typed, UNKNOWN)
            unit.extras.append(target)
            unit.preferred = target
            return unit
        return None

    def _target(self, target: str, kind: str, cost: float) -> Alternative:
        """An alternative for catalog words (space-joined), one group per meaningful word."""
        words = [w for w in target.split() if w not in STOP_WORDS]
        kept = [w for w in words if len(w) > 1] or words
        groups = tuple(tuple(self.analyzer.words.lemmas(w)) for w in kept)
        return Alternative(target, groups, kind, cost)

    def _brand_lookup(
        self, word: str, vocabulary: Vocabulary, *, fuzzy: bool = True, lemmas: bool = True
    ) -> list[tuple[str, int]]:
        """The brand lexicon's targets for a word, or else for its lemma read exactly:
        a brand in a Russian case or plural ("памперсы", "лореалем") is the brand."""
        brands = self.brands(vocabulary)
        found = brands.lookup(word, fuzzy=fuzzy)
        if (found and found[0][1] == 0) or not is_cyrillic(word):
            return found
        if lemmas:
            forms = [t for t in self.analyzer.words.lemmas(word) if t != word]
            exact = [(t, 0) for form in forms for t, _ in brands.lookup(form, fuzzy=False)]
            if exact:
                return list(dict(exact + found).items())
        if self.analyzer.words.is_known(word):
            return found
        # A foreign name declined like a Russian noun, which no dictionary knows the
        # lemma of: "симбы" is Simba, "шляйха" Schleich, "адидаса" Adidas.
        stems = declined_stems(word)
        declined = [(t, 0) for stem in stems for t, _ in brands.lookup(stem, fuzzy=False)]
        if not declined and fuzzy and stems:
            # (near readings of the stem before the longest ending only: "шляйх")
            declined = brands.lookup(stems[0])
        if not declined:
            return found
        return sorted(dict(declined[::-1] + found[::-1]).items(), key=lambda item: item[1])

    def _declined_brands(self, word: str, vocabulary: Vocabulary) -> set[str]:
        """Brands a word no dictionary knows reads as exactly once a Russian case ending
        is taken off, where what is left does not look Russian ("найках" -> nike)."""
        if not is_cyrillic(word) or self.analyzer.words.is_known(word):
            return set()
        brands = self.brands(vocabulary)
        return {
            target
            for stem in declined_stems(word)
            if not looks_russian(stem)
            for target, _ in brands.lookup(stem, fuzzy=False)
        }

    # -- alternatives joined with OR ----------------------------------------------

    def _add_alternatives(self, query: _Query) -> None:
        vocabulary = query.vocabulary
        catalog = vocabulary.terms

        def in_catalog(alternative: Alternative) -> bool:
            return all(any(t in catalog for t in g) for g in alternative.groups)

        for unit in query.units:
            if unit.kind != "word":
                continue
            terms = unit.typed.groups[0]
            for synonym, synonym_terms in self.synonyms.expand(terms):
                unit.extras.append(Alternative(synonym, (synonym_terms,), "synonym"))
            # A foreign product word is translated into Russian for a Russian page, or
            # where the catalog lacks it; an English page's "toothpaste" is what it says.
            translate = query.locale == "ru" or not vocabulary.word_df(unit.surface)
            for alternative in self.expansions.alternatives(
                unit.surface, terms, catalog, translate=translate
            ):
                if in_catalog(alternative) or not vocabulary:
                    unit.extras.append(alternative)
        self._add_compounds(query)
        words = [u for u in query.units if u.kind == "word"]
        for start, size, abbreviation in self.expansions.phrase_matches(
            [u.typed.groups[0] for u in words]
        ):
            if vocabulary.term_df(abbreviation) or not vocabulary:
                for unit in words[start : start + size]:
                    unit.extras.append(Alternative(abbreviation, ((abbreviation,),), "synonym"))
        for i, unit in enumerate(query.units):
            if unit.kind == "word" and read_as_brand(unit.surface) and len(unit.surface) > 1:
                brand = self._confirmed_brand(query, i)
                if brand is not None:
                    unit.extras.append(brand[0])
                    if brand[1]:
                        unit.preferred = brand[0]

    def _add_compounds(self, query: _Query) -> None:
        """ "чайник электрический" also finds "электрочайник" (both words, so it still must)."""
        words = [u for u in query.units if u.kind == "word"]
        for noun in words:
            for modifier in words:
                if noun is modifier:
                    continue
                compounds = self.expansions.compound(noun.typed.groups[0], modifier.typed.groups[0])
                for compound in compounds:
                    if query.vocabulary.term_df(compound):
                        alternative = Alternative(compound, ((compound,),), "synonym")
                        noun.extras.append(alternative)
                        modifier.extras.append(alternative)

    def _context(self, query: _Query, skip: int, *, with_unknown: bool = False) -> list[Group]:
        """Groups of every unit but `skip`, leaving out words that match nothing yet."""
        groups: list[Group] = []
        for j, unit in enumerate(query.units):
            if j == skip:
                continue
            unmatched = unit.evidence == UNKNOWN and unit.choice is None and not unit.extras
            if unmatched and not with_unknown:
                continue
            groups.extend(unit.groups())
        return groups

    def _confirmed_brand(self, query: _Query, i: int) -> tuple[Alternative, bool] | None:
        """The catalog's Latin spelling of a Cyrillic word, when the catalog agrees, and
        whether its products come first: always for a word no dictionary knows (a
        foreign name as Russians write it: "пантин", "версаче"), for a Russian word
        or name ("лего", "ариэль", "марко") when the catalog has the brand with the
        rest of the query clearly more often than the word (BRAND_PREFERENCE_MARGIN)."""
        unit, vocabulary = query.units[i], query.vocabulary
        alias = self.transliterator.aliases.get(unit.surface)
        if alias is not None:
            aliased = self._target(alias, "translit", 0.0)
            # An alias the catalog does not have ("loreal" for L'Oreal) would find
            # nothing: the lexicon's reading decides instead.
            if aliased.groups and query.evidence.exists(aliased.groups):
                return aliased, True
        if unit.evidence == UNKNOWN:
            return None  # decided with the other replacements (_correct)
        # (by its lemma only when the catalog lacks the word: "памперсы", not "амурам")
        # (a dictionary word the catalog lacks may be a brand misheard: "кохинор")
        in_catalog = unit.evidence == IN_CATALOG
        exact = [
            t
            for t, _ in self._brand_lookup(
                unit.surface, vocabulary, fuzzy=not in_catalog, lemmas=not in_catalog
            )
        ]
        if not exact:
            return None
        context = self._context(query, i)
        own = query.evidence.count([*unit.typed.groups, *context])
        best, best_count = None, 0.0
        for target in exact:
            alternative = self._target(target, "translit", BRAND_EXACT_COST)
            if not alternative.groups:
                continue  # a stop word ("энд" -> and) means nothing
            found = query.evidence.count([*alternative.groups, *context])
            if found > best_count:
                best, best_count = alternative, found
        if best is None:
            return None
        # A dictionary word the catalog uses ("кеды", "майка") is what it says; only a
        # more common other-script word ("канон" -> canon) may join it.
        known = self.analyzer.words.is_known(unit.surface)
        margin = 1 if known else TRANSLIT_MARGIN
        if (
            own
            and best_count * margin <= own
            and not self._spelt_as_brand(query, i, best, best_count)
        ):
            return None
        return best, not known or best_count >= BRAND_PREFERENCE_MARGIN * own

    def _spelt_as_brand(
        self, query: _Query, i: int, brand: Alternative, brand_count: float
    ) -> bool:
        """Whether a word spelt exactly as a feed brand reads ("фанта" -> Fanta) joins
        as the brand although its lemma finds more: the catalog has the word itself in
        fewer products than the brand with the rest of the query, so the lemma's
        documents were another word's ("фант." for фантазийный). Words the catalog uses
        as they are ("кеды", "майка", "мастер") still mean themselves."""
        unit, vocabulary = query.units[i], query.vocabulary
        exact = self.brands(vocabulary).lookup(unit.surface, fuzzy=False)
        if not any(target == brand.surface for target, _ in exact):
            return False
        if not self._names_a_brand(brand.surface, vocabulary):
            return False
        return vocabulary.word_df(unit.surface) < brand_count

    # -- replacements --------------------------------------------------------------

    def _correct(self, query: _Query) -> None:
        """Replace words that match nothing; if real words don't go together, the worst one."""
        units = query.units
        suspects = [
            i
            for i, u in enumerate(units)
            if u.kind == "word" and u.evidence == UNKNOWN and not u.extras and len(u.surface) > 1
        ]
        if len(suspects) >= 2:
            # Two misspelt words confirm each other: "сверах шилфовавшем" is "сверлах
            # шлифовавшем", which neither fix alone would find.
            self._replace_pair(query, suspects[0], suspects[1])
        for i in suspects:
            if units[i].choice is None:
                self._replace(query, i, real=False)
        # A second look with what the first pass fixed (two misspelt words in a row).
        for i in suspects:
            if units[i].choice is None:
                self._replace(query, i, real=False)
        for i in suspects:
            if units[i].choice is None:
                # Nothing fits the rest of the query: the word alone decides, and
                # relaxation will make the least informative word optional.
                self._replace(query, i, real=False, alone=True)
        # Words still matching nothing are left to relaxation, not blamed on the others.
        matched = [u for u in units if u.evidence != UNKNOWN or u.choice is not None or u.extras]
        everything = [g for u in matched for g in u.groups()]
        if len(matched) < 2 or query.evidence.count(everything) > 0:
            return
        best: tuple[float, int, Alternative] | None = None
        for i, unit in enumerate(units):
            if unit.kind != "word" or unit.choice is not None or unit.evidence == UNKNOWN:
                continue
            if unit not in matched or any(e.kind == "translit" for e in unit.extras):
                continue
            found = self._best_replacement(query, i, real=True)
            if found is not None and (best is None or found[0] > best[0]):
                best = (found[0], i, found[1])
        if best is not None:
            units[best[1]].choice = best[2]
            query.corrected.append(best[1])

    def _replace_pair(self, query: _Query, first: int, second: int) -> None:
        """Replace two words matching nothing by the pair of fixes the catalog backs best."""
        units, vocabulary = query.units, query.vocabulary
        options = []
        for i in (first, second):
            found = self._candidates(units[i], vocabulary, real=False, two_edits=False)
            if not found:
                found = self._candidates(units[i], vocabulary, real=False, two_edits=True)
            options.append(sorted(found, key=lambda a: a.cost)[:PAIR_CANDIDATES])
        context = self._context(query, first)  # leaves out `second`: it matches nothing yet
        best: tuple[float, Alternative, Alternative] | None = None
        for one in options[0]:
            for other in options[1]:
                together = query.evidence.count([*one.groups, *other.groups, *context])
                if together <= 0:
                    continue
                score = support(together) - one.cost - other.cost
                if best is None or score > best[0]:
                    best = (score, one, other)
        if best is not None:
            units[first].choice, units[second].choice = best[1], best[2]
            query.corrected.extend((first, second))

    def _replace(self, query: _Query, i: int, *, real: bool, alone: bool = False) -> None:
        found = self._best_replacement(query, i, real=real, alone=alone)
        if found is not None:
            query.units[i].choice = found[1]
            query.corrected.append(i)

    def _best_replacement(
        self, query: _Query, i: int, *, real: bool, alone: bool = False
    ) -> tuple[float, Alternative] | None:
        """The replacement of unit i the catalog supports best with the rest, and its score."""
        best = self._scored(query, i, real=real, alone=alone, two_edits=False)
        if best is None and not real:
            best = self._scored(query, i, real=real, alone=alone, two_edits=True)
        return best

    def _scored(
        self,
        query: _Query,
        i: int,
        *,
        real: bool,
        alone: bool,
        two_edits: bool,
        offer: bool = False,
    ) -> tuple[float, Alternative] | None:
        unit = query.units[i]
        context = [] if alone else self._context(query, i)
        other_words = any(u.is_word for j, u in enumerate(query.units) if j != i)
        # A lone word shaped like a foreign name may be one the catalog lacks ("мишлен").
        single = not other_words and not looks_russian(unit.surface)
        # A fix no other word confirms must be a likely slip, and likelier still for a
        # lone foreign-looking word (a Latin one, a name, likelier still: "ikea" is not
        # "idea"); a less likely one is only offered (did-you-mean), never applied:
        # "мишлен" alone is not "милен". Other words that all match nothing confirm
        # nothing either ("хэд энд шолдерс" is not "шопер", the two words relaxed away).
        if offer:
            cap: float | None = None
        elif single:
            cap = LATIN_SINGLE_MAX_COST if unit.surface.isascii() else SINGLE_MAX_COST
        elif alone or (other_words and not context):
            cap = ALONE_MAX_COST
        else:
            cap = None
        best: tuple[float, Alternative] | None = None
        brand: tuple[float, Alternative] | None = None
        if len(unit.surface) < SHORT_WORD and not context and not offer:
            return None  # three letters are too few to fix without another word agreeing
        for alternative in self._candidates(unit, query.vocabulary, real=real, two_edits=two_edits):
            if cap is not None and alternative.cost >= cap:
                continue
            found = query.evidence.count([*alternative.groups, *context])
            if found <= 0:
                continue
            score = support(found) - alternative.cost
            if best is None or score > best[0]:
                best = (score, alternative)
            if (
                alternative.kind == "translit"
                and alternative.cost <= BRAND_EXACT_COST
                and brand is None
                and self._names_a_brand(alternative.surface, query.vocabulary)
            ):
                brand = (score, alternative)
        # A word that is exactly how Russians write one of the catalog's brands, and
        # whose brand fits the rest of the query, is that brand, not a spelling fix
        # into an unrelated Russian word ("ланком" is Lancome, not "банком").
        if brand is not None and best is not None and best[1].kind == "spelling":
            return brand
        return best

    def _names_a_brand(self, text: str, vocabulary: Vocabulary) -> bool:
        """Whether every word of `text` is a word of the catalog's `brand` values."""
        brand_words = self._brand_words(vocabulary)
        return all(w in brand_words for w in text.split())

    def _brand_words(self, vocabulary: Vocabulary) -> frozenset[str]:
        """The Latin words of the catalog's `brand` values (cached per vocabulary)."""
        if self._brand_words_of is not vocabulary:
            words: set[str] = set()
            for brand in vocabulary.brands:
                words.update(_BRAND_WORD.findall(brand))
            self._brand_word_set = frozenset(words)
            self._brand_words_of = vocabulary
        return self._brand_word_set

    def _candidates(
        self, unit: Unit, vocabulary: Vocabulary, *, real: bool, two_edits: bool = True
    ) -> list[Alternative]:
        word = unit.surface
        extra = REAL_WORD_COST if real else 0.0
        found: list[Alternative] = []
        lemmas = self.analyzer.words.lemmas
        fixes = self.speller.candidates(word, vocabulary, two_edits=two_edits and not real)
        if real:
            # A real word mistyped into another real word: any form one edit away
            # ("поносов" -> "подносов"), and catalog words one edit away.
            fixes = [*fixes, *self.speller.near_catalog_words(word, vocabulary)]
        for fixed, cost in fixes:
            found.append(Alternative(fixed, (tuple(lemmas(fixed)),), "spelling", cost + extra))
        if read_as_brand(word):
            penalty = RUSSIAN_LOOKING_COST if looks_russian(word) or looks_arabic(word) else 0.0
            # (a Russian ending on a brand's exact reading is the brand declined: "найках")
            declined = self._declined_brands(word, vocabulary) if penalty else set()
            for target, distance in self._brand_lookup(word, vocabulary)[:4]:
                if real and distance:
                    continue
                cost = BRAND_EXACT_COST + BRAND_FUZZY_COST * distance + extra
                if target not in declined:
                    cost += penalty
                alternative = self._target(target, "translit", cost)
                if alternative.groups:  # a stop word ("энд" -> and) means nothing
                    found.append(alternative)
        elif not real:
            for cyrillic, _ in self.transliterator.candidates(word, vocabulary):
                found.append(
                    Alternative(
                        cyrillic, (tuple(lemmas(cyrillic)),), "translit", LATIN_TRANSLIT_COST
                    )
                )
        return found

    # -- readings out ---------------------------------------------------------------

    def _interpretation(self, query: _Query, *, typed: bool = False) -> Interpretation:
        """The reading of the understood units (`typed`: without replacements)."""
        units = query.units
        bases = [u.typed if typed else u.base for u in units]
        groups = [g for u, base in zip(units, bases, strict=True) for g in u.groups(base)]
        match = TextMatch(
            required=tuple(dict.fromkeys(groups)), optional=self._preferred(units, bases)
        )
        return Interpretation(
            self._text(query, bases), match, tuple(self._corrections(query, bases))
        )

    @staticmethod
    def _preferred(units: list[Unit], bases: list[Alternative]) -> tuple[Group, ...]:
        """The brands typed in Cyrillic or Arabic that should come first, as optional
        groups: a word read as a brand ("ариэль" -> ariel) matches its own script too,
        and a title that only mentions the word ("русалочка ариэль", "набор ахмад")
        would outrank the brand's products (the rarer word scores higher)."""
        preferred: list[Group] = []
        for unit, base in zip(units, bases, strict=True):
            if unit.preferred is not None and base.kind != "translit":
                preferred.extend(unit.preferred.groups)
        return tuple(dict.fromkeys(preferred))

    def _text(self, query: _Query, bases: list[Alternative]) -> str:
        parts, cursor = [], 0
        for unit, base in zip(query.units, bases, strict=True):
            parts.append(query.normalized[cursor : unit.start] + base.surface)
            cursor = unit.end
        parts.append(query.normalized[cursor:])
        return " ".join("".join(parts).split())

    def _corrections(self, query: _Query, bases: list[Alternative]) -> Iterator[Correction]:
        if query.text != " ".join(query.typed.lower().split()):
            yield Correction("layout", query.typed, query.text)
        vocabulary = query.vocabulary
        for unit, base in zip(query.units, bases, strict=True):
            if base.kind is not None:
                yield Correction(base.kind, unit.surface, base.surface)
            own_in_catalog = any(vocabulary.term_df(t) for g in base.groups for t in g)
            reported_translit = base.kind == "translit"
            for extra in unit.extras:
                if extra.kind == "translit" and not reported_translit:
                    reported_translit = True
                    yield Correction("translit", unit.surface, extra.surface)
                elif (
                    extra.kind == "synonym"
                    and not own_in_catalog
                    and any(vocabulary.term_df(t) for g in extra.groups for t in g)
                ):
                    yield Correction("synonym", base.surface, extra.surface)

    def _relaxed(self, query: _Query) -> Iterator[Interpretation]:
        units = query.units
        groups = [u.groups() for u in units]
        vocabulary = query.vocabulary

        def frequency(i: int) -> int:
            return max((vocabulary.term_df(t) for g in groups[i] for t in g), default=0)

        reading = self._interpretation(query)
        preferred = reading.match.optional
        for required, optional in relaxations(
            units, groups, frequency, vocabulary.products, query.evidence.exists
        ):
            optional = [*optional, *preferred]
            yield replace(
                reading,
                match=TextMatch(tuple(dict.fromkeys(required)), tuple(dict.fromkeys(optional))),
                relaxed=True,
            )

    def _did_you_mean(self, query: _Query, primary: Interpretation, found: int) -> str | None:
        """A rewrite of real words the catalog supports much better than `found` products."""
        if query.corrected:
            return None  # already applied and reported
        units = query.units
        best: tuple[float, int, Alternative] | None = None
        needed = max(DID_YOU_MEAN_MIN, DID_YOU_MEAN_FACTOR * found)
        if not found:
            # Words left as typed because no fix was likely enough: offer the best one.
            for i, unit in enumerate(units):
                if unit.kind != "word" or unit.evidence != UNKNOWN or unit.extras:
                    continue
                if len(unit.surface) < DID_YOU_MEAN_MIN_LENGTH:
                    continue
                for two_edits in (False, True):
                    offered = self._scored(
                        query, i, real=False, alone=False, two_edits=two_edits, offer=True
                    )
                    if offered is not None:
                        break
                if offered is None:
                    continue
                context = self._context(query, i, with_unknown=True)
                count = query.evidence.count([*offered[1].groups, *context])
                if count >= needed and (best is None or count > best[0]):
                    best = (count, i, offered[1])
        lemmas = self.analyzer.words.lemmas
        for i, unit in enumerate(units):
            if unit.kind != "word" or len(unit.surface) < DID_YOU_MEAN_MIN_LENGTH:
                continue
            context = self._context(query, i, with_unknown=True)
            if context and query.evidence.count(context) < needed:
                continue  # the other words alone find too little: no rewrite of this one helps
            # Catalog words one edit away that are common enough to find `needed` products
            # (the most frequent come first: those under DID_YOU_MEAN_MIN never count).
            near = self.speller.near_catalog_words(
                unit.surface, query.vocabulary, min_df=DID_YOU_MEAN_MIN
            )
            for word, _ in near:
                if query.vocabulary.word_df(word) < needed:
                    continue
                alternative = Alternative(word, (tuple(lemmas(word)),), "spelling")
                count = query.evidence.count([*alternative.groups, *context])
                if count >= needed and (best is None or count > best[0]):
                    best = (count, i, alternative)
        if best is None:
            return None
        bases = [u.base for u in units]
        bases[best[1]] = best[2]
        text = self._text(query, bases)
        return text if text != primary.text else None
