"""Autocomplete as the shopper types: completed queries, matching products, categories.

Works on the layout-corrected text ("cev" -> "сум…"), completes the last word from
the catalog vocabulary in the script the shopper is typing, ranked by how often the
completion occurs together with the words already typed (co-occurrence lists), or
offers frequent title beginnings ("сумка женская") for a first word. A Cyrillic
prefix of a Latin brand completes to the brand as Russians write it ("самс" ->
"самсунг", "сяо" -> "сяоми"). A suggestion never mixes scripts. Shows a few products
matching the completed query, and category names in the shopper's language.
Engine-independent: products come through the SearchEngine interface.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import quote

from .analysis.text import is_cyrillic, normalize
from .catalog import CATEGORIES, category_name
from .engines.base import EngineQuery, Filters, TextMatch
from .service import SearchService, localized
from .understanding.keyboard import fix_layout, switch_word
from .understanding.readings import Evidence

QUERY_SUGGESTIONS = 5
PRODUCT_SUGGESTIONS = 3
CATEGORY_SUGGESTIONS = 2
MIN_PREFIX = 1
CANDIDATES = 100  # completions of the last word considered before ranking in context


def _one_script(text: str) -> bool:
    """Cyrillic or Latin letters, not both (digits and punctuation go with either)."""
    letters = [c for c in text if c.isalpha()]
    return all(c.isascii() for c in letters) or not any(c.isascii() for c in letters)


@dataclass(frozen=True)
class Suggestion:
    text: str
    kind: str  # "query", "product" or "category"
    extra: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, str]:
        return {"text": self.text, "kind": self.kind, **dict(self.extra)}


@cache
def _category_words(locale: str) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(key, localized name, its normalized words) for every category."""
    found = []
    for key in CATEGORIES:
        name = category_name(key, locale)
        found.append((key, name, tuple(normalize(name).replace("&", " ").split())))
    return tuple(found)


class Suggester:
    def __init__(self, service: SearchService) -> None:
        self.service = service
        self.understanding = service.understanding
        self.lexicon = service.understanding.lexicon
        self._latin: dict[str, str] = {}  # shown Cyrillic brand spelling -> its Latin word

    def suggest(self, q: str, locale: str = "ru", country: str = "RU") -> list[dict[str, str]]:
        """Suggestions for what was typed so far (the `GET /api/v1/suggest` answer's list)."""
        typed = " ".join(q.lower().split())
        if len(typed) < MIN_PREFIX:
            return []
        head, _, last = typed.rpartition(" ")
        if head:
            head = fix_layout(head, self.lexicon.text_evidence).certain
        last, completions = self._complete(last)
        head_plan = self.understanding.plan(head, locale) if head.strip() else None
        head_text = head_plan.readings[0].text if head_plan and head_plan.readings else ""
        if head_plan and head_plan.readings:
            completions = self._in_context(completions, head_plan.readings[0].match.required)
        elif not head:
            completions = self._with_phrases(last, completions)
        suggestions: list[Suggestion] = []
        for word, _ in completions:
            text = f"{head_text} {word}".strip()
            if _one_script(text) and len(suggestions) < QUERY_SUGGESTIONS:
                suggestions.append(Suggestion(text, "query"))
        best = completions[0][0] if completions else last
        suggestions.extend(self._products(f"{head_text} {best}".strip(), locale, country))
        suggestions.extend(self._categories(last, locale))
        return [s.to_dict() for s in suggestions]

    def _complete(self, prefix: str) -> tuple[str, list[tuple[str, int]]]:
        """Completions of the last, unfinished word, on whichever layout has more."""
        normalized = normalize(prefix).strip()
        completions = self._words(normalized)
        switched = switch_word(prefix)
        if switched is not None:
            other = normalize(switched[0]).strip()
            alternatives = self._words(other)
            if sum(df for _, df in alternatives) > sum(df for _, df in completions):
                return other, alternatives
        return normalized, completions

    def _words(self, prefix: str) -> list[tuple[str, int]]:
        """Catalog words in the prefix's script, and Latin brands as Russians write them."""
        if not prefix:
            return []
        vocabulary = self.lexicon.vocabulary
        found = vocabulary.words_with_prefix(prefix, CANDIDATES)
        self._latin = {}
        if is_cyrillic(prefix):
            found = [(w, df) for w, df in found if is_cyrillic(w)]
            for latin, spelling in vocabulary.spellings_with_prefix(prefix):
                shown = (
                    spelling if spelling.startswith(prefix) else prefix + spelling[len(prefix) :]
                )
                found.append((shown, vocabulary.word_df(latin)))
                self._latin[shown] = latin
            for alias, latin in self.understanding.transliterator.aliases.items():
                if alias.startswith(prefix):
                    found.append((alias, vocabulary.word_df(latin)))
                    self._latin[alias] = latin
        else:
            found = [(w, df) for w, df in found if not is_cyrillic(w)]
        merged: dict[str, int] = {}
        for word, df in found:
            merged[word] = max(merged.get(word, 0), df)
        return sorted(merged.items(), key=lambda item: (-item[1], len(item[0])))[:CANDIDATES]

    def _in_context(
        self, completions: list[tuple[str, int]], head: tuple[tuple[str, ...], ...]
    ) -> list[tuple[str, int]]:
        """Completions that occur together with the words typed before, most often first."""
        evidence = Evidence(self.lexicon.vocabulary)
        lemmas = self.understanding.analyzer.words.lemmas
        scored = []
        for word, _ in completions:
            terms = tuple(lemmas(word)) + tuple(lemmas(self._latin.get(word, word)))
            together = evidence.count([*head, terms])
            if together > 0:
                scored.append((word, int(together)))
        scored.sort(key=lambda item: -item[1])
        return scored or completions

    def _with_phrases(
        self, prefix: str, completions: list[tuple[str, int]]
    ) -> list[tuple[str, int]]:
        """The best word completions, then frequent title beginnings that start with them."""
        vocabulary = self.lexicon.vocabulary
        found = list(completions[:3])
        for word, _ in completions[:2]:
            found.extend(vocabulary.phrases_with_prefix(word + " ", 2))
        return found + completions[3:]

    def _products(self, text: str, locale: str, country: str) -> list[Suggestion]:
        plan = self.understanding.plan(text, locale)
        if not plan.readings:
            return []
        match: TextMatch = plan.readings[0].match
        query = EngineQuery(
            text=match,
            filters=Filters(ships_to=country),
            limit=PRODUCT_SUGGESTIONS,
            with_facets=False,
        )
        chain = self.service.registry.locale_info(locale).chain
        return [
            Suggestion(
                localized(hit.product["title"], chain),
                "product",
                (("id", hit.id), ("url", f"/{locale}/product/{quote(hit.id, safe='')}")),
            )
            for hit in self.service.engine.search(query).hits
        ]

    def _categories(self, prefix: str, locale: str) -> list[Suggestion]:
        """Categories with a word starting with what the shopper is typing."""
        found = []
        for key, name, words in _category_words(locale):
            if prefix and any(w.startswith(prefix) for w in words):
                found.append(Suggestion(name, "category", (("value", key),)))
        return found[:CATEGORY_SUGGESTIONS]


def suggestions_answer(suggester: Suggester, q: str, locale: str, country: str) -> dict[str, Any]:
    return {"suggestions": suggester.suggest(q, locale, country)}
