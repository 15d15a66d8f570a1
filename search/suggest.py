"""Autocomplete as the shopper types: completed queries, matching products, categories.

Works on the layout-corrected text ("cev" -> "сум…"), completes the last word from
the catalog vocabulary (most frequent first), shows a few products matching the
completed query, and category names in the shopper's language. Engine-independent:
products come through the SearchEngine interface.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import quote

from .analysis.text import normalize
from .catalog import CATEGORIES, category_name
from .engines.base import EngineQuery, Filters, TextMatch
from .service import SearchService, localized
from .understanding.keyboard import fix_layout, switch_word

QUERY_SUGGESTIONS = 5
PRODUCT_SUGGESTIONS = 3
CATEGORY_SUGGESTIONS = 2
MIN_PREFIX = 1


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

    def suggest(self, q: str, locale: str = "ru", country: str = "RU") -> list[dict[str, str]]:
        """Suggestions for what was typed so far (the `GET /api/v1/suggest` answer's list)."""
        typed = " ".join(q.lower().split())
        if len(typed) < MIN_PREFIX:
            return []
        head, _, last = typed.rpartition(" ")
        if head:
            head = fix_layout(head, self.lexicon.text_evidence).certain
        last, completions = self._complete(last)
        head_text = self.understanding.plan(head, locale).readings[0].text if head.strip() else ""
        suggestions: list[Suggestion] = []
        for word, _ in completions[:QUERY_SUGGESTIONS]:
            suggestions.append(Suggestion(f"{head_text} {word}".strip(), "query"))
        best = completions[0][0] if completions else last
        suggestions.extend(self._products(f"{head_text} {best}".strip(), locale, country))
        suggestions.extend(self._categories(last, locale))
        return [s.to_dict() for s in suggestions]

    def _complete(self, prefix: str) -> tuple[str, list[tuple[str, int]]]:
        """Completions of the last, unfinished word, on whichever layout has more."""
        vocabulary = self.lexicon.vocabulary
        normalized = normalize(prefix).strip()
        completions = (
            vocabulary.words_with_prefix(normalized, QUERY_SUGGESTIONS) if normalized else []
        )
        switched = switch_word(prefix)
        if switched is not None:
            other = normalize(switched[0]).strip()
            alternatives = vocabulary.words_with_prefix(other, QUERY_SUGGESTIONS) if other else []
            if sum(df for _, df in alternatives) > sum(df for _, df in completions):
                return other, alternatives
        return normalized, completions

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
