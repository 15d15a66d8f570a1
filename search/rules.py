"""Query rules at search time: promote products (in order) and hide products for a query.

A rule names a query, a locale, optionally a country and a span of dates. It matches
on the *understood* query, word by word: each word stands for its lemmas plus the
catalog spelling it was transliterated to, so "смартфоны", "cvfhnajy" (typed on the
wrong layout) and "смартфон" are the same query, and so are "самсунг" and "samsung".
Word order does not matter; synonyms do not make two queries the same (a rule for
"телефон" leaves "смартфон" alone).

The search service asks `RuleBook.matching` with the first reading of every query:
a dict lookup when no rule exists for the locale, a few set operations otherwise.
`RuledEngine` then runs that one search with the rules applied, for any engine:
hidden products never appear (an engine filter, so totals, pages and facets stay
exact), and promoted products that pass the shopper's filters come first, in the
rule's order, when results are sorted by relevance (an explicit sort is respected).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from .analysis.analyzer import Analyzer
from .documents import brand_key
from .engines.base import EngineQuery, EngineResult, FacetBucket, Filters, Hit, SearchEngine
from .understanding.base import Interpretation

# One query word: its lemmas and the catalog spellings it was read as.
Word = frozenset[str]
Key = tuple[Word, ...]


@dataclass(frozen=True)
class QueryRule:
    id: int
    query: str
    locale: str
    country: str | None
    promote: tuple[str, ...]
    hide: tuple[str, ...]
    starts: date | None = None
    ends: date | None = None

    def active_on(self, day: date) -> bool:
        return (self.starts is None or self.starts <= day) and (
            self.ends is None or day <= self.ends
        )


@dataclass(frozen=True)
class Adjustment:
    """What the matching rules do to one search."""

    promote: tuple[str, ...]
    hide: tuple[str, ...]
    rules: tuple[int, ...]


def reading_key(analyzer: Analyzer, reading: Interpretation, language: str | None = None) -> Key:
    """The understood query's words, each as the set of terms it matches on its own
    (lemmas, in the query's `language`) plus those of the catalog spelling it was
    transliterated to."""
    extra: dict[str, set[str]] = {}
    for correction in reading.corrections:
        if correction.kind == "translit":
            found = analyzer.analyze(correction.target, language)
            terms = {t for token in found for t in token.terms}
            for word in correction.source.split():
                extra.setdefault(word, set()).update(terms)
    return tuple(
        frozenset(token.terms).union(extra.get(token.surface, ()))
        for token in analyzer.analyze(reading.text, language)
    )


def same_query(rule: Key, query: Key) -> bool:
    """Each word of the rule shares a term with a different word of the query, and the
    query has no other words."""
    if len(rule) != len(query):
        return False
    return _pairs(list(rule), list(query))


def _pairs(rule: list[Word], query: list[Word]) -> bool:
    if not rule:
        return True
    first, rest = rule[0], rule[1:]
    for i, word in enumerate(query):
        if first & word and _pairs(rest, query[:i] + query[i + 1 :]):
            return True
    return False


@dataclass
class RuleBook:
    """The rules in force, compiled for matching: per locale, then per term."""

    rules: list[tuple[QueryRule, Key]] = field(default_factory=list)
    _by_term: dict[str, dict[str, list[tuple[QueryRule, Key]]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for rule, key in self.rules:
            if not key:
                continue
            index = self._by_term.setdefault(rule.locale, {})
            for term in key[0]:
                index.setdefault(term, []).append((rule, key))

    def __bool__(self) -> bool:
        return bool(self._by_term)

    def has_locale(self, locale: str) -> bool:
        return locale in self._by_term

    def matching(
        self, key: Key, locale: str, country: str, today: Callable[[str], date]
    ) -> Adjustment | None:
        """The combined effect of the rules for this query in (locale, country) today:
        country rules before general ones, newer before older; a product one rule hides
        is never promoted by another."""
        index = self._by_term.get(locale)
        if not index or not key:
            return None
        candidates: dict[int, QueryRule] = {}
        for word in key:
            for term in word:
                for rule, rule_key in index.get(term, ()):
                    if rule.id not in candidates and same_query(rule_key, key):
                        candidates[rule.id] = rule
        found = [
            rule
            for rule in candidates.values()
            if rule.country in (None, country) and rule.active_on(today(country))
        ]
        if not found:
            return None
        found.sort(key=lambda rule: (rule.country is None, -rule.id))
        hide = tuple(dict.fromkeys(pid for rule in found for pid in rule.hide))
        hidden = set(hide)
        promote = tuple(
            dict.fromkeys(pid for rule in found for pid in rule.promote if pid not in hidden)
        )
        return Adjustment(promote, hide, tuple(rule.id for rule in found))


def compile_rules(rules: Iterable[QueryRule], key_of: Callable[[str, str], Key]) -> RuleBook:
    """A RuleBook; `key_of(query, locale)` reads each rule's query as a search would."""
    return RuleBook([(rule, key_of(rule.query, rule.locale)) for rule in rules])


class RuledEngine:
    """One search's engine with an Adjustment applied (see the module docstring)."""

    def __init__(self, engine: SearchEngine, adjustment: Adjustment, sort: str) -> None:
        self.engine = engine
        self.hide = adjustment.hide
        self.promote = adjustment.promote if sort == "relevance" else ()
        self._qualified: dict[Filters, list[Hit]] = {}

    def promoted(self, filters: Filters) -> list[Hit]:
        """The promoted products that pass `filters`, in the rule's order."""
        if not self.promote:
            return []
        if filters not in self._qualified:
            found = self.engine.get_products(list(self.promote))
            self._qualified[filters] = [
                Hit(pid, 0.0, found[pid])
                for pid in self.promote
                if pid in found and admits(filters, found[pid]) and pid not in self.hide
            ]
        return self._qualified[filters]

    def _rest(self, query: EngineQuery, promoted: Sequence[Hit]) -> EngineQuery:
        """The query for everything but hidden and promoted products."""
        left_out = (*query.filters.exclude_ids, *self.hide, *(hit.id for hit in promoted))
        return replace(
            query, filters=replace(query.filters, exclude_ids=tuple(dict.fromkeys(left_out)))
        )

    def count(self, query: EngineQuery) -> int:
        promoted = self.promoted(query.filters)
        return self.engine.count(self._rest(query, promoted)) + len(promoted)

    def search(self, query: EngineQuery) -> EngineResult:
        promoted = self.promoted(query.filters)
        rest = self._rest(query, promoted)
        if not promoted:
            return self.engine.search(rest)
        head = promoted[query.offset : query.offset + query.limit]
        wanted = query.limit - len(head)
        # Engines want a page of at least one; the extra hit is dropped below.
        page = replace(rest, offset=max(0, query.offset - len(promoted)), limit=max(wanted, 1))
        result = self.engine.search(page)
        result.hits = head + result.hits[:wanted]
        result.total += len(promoted)
        if query.with_facets:
            _count_in(result, promoted)
        return result


def admits(filters: Filters, product: dict[str, Any]) -> bool:
    """Whether a product (as in the feed) passes `filters`, exactly as the engines filter
    (tests/test_engine_behaviour.py checks the two agree): cheaper than asking the engine
    about a few products already fetched by id."""
    if filters.exclude_ids and product["id"] in filters.exclude_ids:
        return False
    if filters.categories and product.get("category") not in filters.categories:
        return False
    brand = product.get("brand")
    if filters.brands and (not brand or brand_key(brand) not in filters.brands):
        return False
    origins = product.get("ships_from") or ["CN"]
    if filters.ships_from and not set(origins) & set(filters.ships_from):
        return False
    price = product.get("price_usd") or 0.0
    if filters.price_usd_min is not None and price < filters.price_usd_min:
        return False
    if filters.price_usd_max is not None and price > filters.price_usd_max:
        return False
    if filters.rating_min is not None and (product.get("rating") or 0.0) < filters.rating_min:
        return False
    ships_to = product.get("ships_to")
    return not filters.ships_to or ships_to is None or filters.ships_to in ships_to


def _count_in(result: EngineResult, promoted: Sequence[Hit]) -> None:
    """Add the promoted products to the facets and price range of the other results."""
    for hit in promoted:
        product = hit.product
        brand = product.get("brand")
        values: dict[str, list[tuple[str, str | None]]] = {
            "category": [(str(product.get("category") or ""), None)],
            "brand": [(brand_key(brand), brand)] if brand else [],
            "ships_from": [(str(origin), None) for origin in product.get("ships_from") or ["CN"]],
        }
        for facet, pairs in values.items():
            buckets = result.facets.get(facet)
            if buckets is None:
                continue
            for value, label in pairs:
                if not value:
                    continue
                for i, bucket in enumerate(buckets):
                    if bucket.value == value:
                        buckets[i] = replace(bucket, count=bucket.count + 1)
                        break
                else:
                    buckets.append(FacetBucket(str(value), 1, label))
            buckets.sort(key=lambda b: -b.count)
        price = product.get("price_usd")
        if isinstance(price, int | float):
            low, high = result.price_usd_range or (price, price)
            result.price_usd_range = (min(low, price), max(high, price))
