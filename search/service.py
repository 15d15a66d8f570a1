"""The search service: parameters in, the API's answer out, for any engine.

Query understanding picks a reading, the engine runs it, and this module turns
hits into what shoppers see: localized titles, converted prices, highlights,
delivery estimates and facets with localized labels.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from locales.money import price, to_usd
from locales.registry import Registry

from .analysis.analyzer import Analyzer
from .answers import Facets, Item, SearchAnswer
from .catalog import category_name
from .documents import brand_key
from .engines.base import EngineQuery, EngineResult, Filters, SearchEngine
from .highlight import TitleMarks, highlight, highlight_marked, marks_for
from .params import SearchParams
from .rules import Adjustment, RuledEngine
from .understanding.base import Interpretation
from .understanding.pipeline import QueryUnderstanding

if TYPE_CHECKING:
    from .tuning import SearchTuning

# A reading that finds fewer products than this makes the service try the next one.
ENOUGH_RESULTS = 1
# Below this many products, the service asks whether a rewrite would find much more.
FEW_RESULTS = 5
# What a server runs before its first shopper: a query, browsing, filters, a typo.
WARM_UP_SEARCHES = (
    SearchParams(q="сумка"),
    SearchParams(categories=("food",)),
    SearchParams(q="чайник", price_max=1500.0, sort="price_asc"),
    SearchParams(q="xfqybr"),
)


# What urllib.parse.quote leaves as it is: most product ids are only these.
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*")


def url_segment(text: str) -> str:
    """`text` quoted as one URL path segment (quote(text, safe=""), without its cost
    when there is nothing to quote)."""
    return text if _UNRESERVED.fullmatch(text) else quote(text, safe="")


def localized(texts: dict[str, str], chain: tuple[str, ...]) -> str:
    """The text in the first locale of the chain that has it, else any."""
    return texts.get(localized_key(texts, chain), "")


def localized_key(texts: dict[str, str], chain: tuple[str, ...]) -> str:
    """The language of the text `localized` picks."""
    for code in chain:
        if code in texts:
            return code
        base = code.split("_")[0]
        if base in texts:
            return base
    if texts.get("ru"):
        return "ru"
    return next(iter(texts), "")


@dataclass
class SearchOutcome:
    params: SearchParams
    reading: Interpretation | None
    result: EngineResult
    did_you_mean: str | None = None


class SearchService:
    def __init__(
        self,
        engine: SearchEngine,
        registry: Registry,
        analyzer: Analyzer,
        understanding: QueryUnderstanding | None = None,
        *,
        tuning: SearchTuning | None = None,
        observer: Callable[[SearchParams, SearchOutcome], None] | None = None,
    ) -> None:
        """`tuning` brings merchandisers' query rules, synonyms and aliases (none: the
        seed files, no rules); `observer` sees every search a shopper ran (the log)."""
        self.engine = engine
        self.registry = registry
        self.analyzer = analyzer
        self.understanding = understanding or QueryUnderstanding(analyzer)
        self.tuning = tuning
        self.observer = observer

    # -- running a search -----------------------------------------------------

    def filters(self, params: SearchParams) -> Filters:
        currency = self.registry.country(params.country).currency
        return Filters(
            categories=params.categories,
            brands=tuple(brand_key(b) for b in params.brands),
            ships_from=params.ships_from,
            price_usd_min=to_usd(params.price_min, currency, self.registry)
            if params.price_min is not None
            else None,
            price_usd_max=to_usd(params.price_max, currency, self.registry)
            if params.price_max is not None
            else None,
            rating_min=params.rating_min,
            ships_to=params.country,
        )

    def run(
        self, params: SearchParams, *, observed: bool = True, adjustment: Adjustment | None = None
    ) -> SearchOutcome:
        """Run a search; a shopper's (`observed`) search of a query goes to the observer.
        `adjustment` replaces what the query rules would do (an admin's preview)."""
        if self.tuning is not None:
            self.tuning.refresh()
        outcome = self._run(params, adjustment)
        if observed and self.observer is not None and params.q and params.page == 1:
            self.observer(params, outcome)
        return outcome

    def _engine(
        self, params: SearchParams, reading: Interpretation | None, adjustment: Adjustment | None
    ) -> SearchEngine | RuledEngine:
        """The engine with the query rules that match this reading applied (see search/rules.py)."""
        if adjustment is None and self.tuning is not None and reading is not None:
            adjustment = self.tuning.adjustment(params, reading)
        return (
            self.engine if adjustment is None else RuledEngine(self.engine, adjustment, params.sort)
        )

    def _run(self, params: SearchParams, adjustment: Adjustment | None) -> SearchOutcome:
        filters = self.filters(params)
        offset = (params.page - 1) * params.per_page
        tiers = (
            self.registry.country(params.country).delivery_tiers
            if params.sort == "delivery"
            else ()
        )

        def query(reading: Interpretation | None, facets: bool = True) -> EngineQuery:
            return EngineQuery(
                text=reading.match if reading else None,
                filters=filters,
                sort=params.sort,
                offset=offset,
                limit=params.per_page,
                with_facets=facets,
                delivery_tiers=tiers,
            )

        plan = self.understanding.plan(params.q, params.locale)
        first = plan.first
        engine = self._engine(params, first, adjustment)
        if first is None:
            return SearchOutcome(params, None, engine.search(query(None)))
        result = engine.search(query(first))
        if result.total >= ENOUGH_RESULTS:
            # A rewrite of real words is only offered, never imposed, and only asked
            # for when the query found few products.
            hint = plan.did_you_mean_for(result.total) if result.total < FEW_RESULTS else None
            return SearchOutcome(params, first, result, hint)
        for reading in plan.fallbacks:
            if engine.count(query(reading, facets=False)) >= ENOUGH_RESULTS:
                hint = plan.did_you_mean_for(0)
                return SearchOutcome(params, reading, engine.search(query(reading)), hint)
        return SearchOutcome(params, first, result, plan.did_you_mean_for(0))

    def search(self, params: SearchParams) -> SearchAnswer:
        """The `GET /api/v1/search` answer of SPEC.md."""
        return self.render(self.run(params))

    def warm_up(self) -> None:
        """Open the index and run what a search runs (readings, facets, highlighting,
        prices, category names), so the first shopper does not wait; nothing is logged."""
        self.understanding.warm_up()
        for params in WARM_UP_SEARCHES:
            self.render(self.run(params, observed=False))

    # -- presenting -----------------------------------------------------------

    def render(self, outcome: SearchOutcome) -> SearchAnswer:
        params, reading, result = outcome.params, outcome.reading, outcome.result
        terms = reading.match.terms if reading else set()
        return {
            "query": {
                "text": params.q,
                "understood": reading.text if reading else "",
                "corrections": [
                    {"kind": c.kind, "from": c.source, "to": c.target} for c in reading.corrections
                ]
                if reading
                else [],
                "relaxed": bool(reading and reading.relaxed),
                "did_you_mean": outcome.did_you_mean,
            },
            "total": result.total,
            "page": params.page,
            "per_page": params.per_page,
            "items": self.items(
                [(hit.product, hit.title_marks) for hit in result.hits],
                params.locale,
                params.country,
                terms,
            ),
            "facets": self.facets(result, params),
        }

    def item(
        self,
        product: dict[str, Any],
        locale: str,
        country: str,
        terms: set[str] | None = None,
        marks: TitleMarks | None = None,
    ) -> Item:
        """A product as a search item; `terms` (the query's) are highlighted in its title,
        from the `marks` the engine kept for it when there are any."""
        return self.items([(product, marks)], locale, country, terms)[0]

    def items(
        self,
        products: list[tuple[dict[str, Any], TitleMarks | None]],
        locale: str,
        country: str,
        terms: set[str] | None = None,
    ) -> list[Item]:
        """Products (with their title marks) as search items, like `item`; what is the
        same for every product of a page (the market, the locale chain, category
        names, delivery estimates) is looked up once."""
        chain = self.registry.locale_info(locale).chain
        market = self.registry.country(country)
        currency, registry, analyzer = market.currency, self.registry, self.analyzer
        labels: dict[str, str] = {}
        estimates: dict[str, list[int]] = {}
        items: list[Item] = []
        for product, marks in products:
            titles = product["title"]
            language = localized_key(titles, chain)
            title = titles.get(language, "")
            category = product["category"]
            label = labels.get(category)
            if label is None:
                label = labels[category] = category_name(category, locale)
            origins = product.get("ships_from") or ["CN"]
            origin = origins[0] if len(origins) == 1 else market.fastest_origin(origins)
            days = estimates.get(origin)
            if days is None:
                days = estimates[origin] = list(market.delivery_estimate(origin))
            seller = product.get("seller")
            item: Item = {
                "id": product["id"],
                "title": title,
                "category": category,
                "category_label": label,
                "brand": product.get("brand"),
                "price": price(product["price_usd"], currency, locale, country, registry),
                "rating": product.get("rating"),
                "orders": product.get("orders", 0),
                "ships_from": product.get("ships_from", ["CN"]),
                "delivery_days": list(days),
                "local_warehouse": country in origins,
                "seller": {
                    "id": seller["id"],
                    "rating": seller.get("rating"),
                    "ratings": seller.get("ratings"),
                }
                if seller
                else None,
                "url": f"/{locale}/product/{url_segment(product['id'])}",
                "image_url": product.get("image_url"),
            }
            if terms is not None:
                spans = marks_for(marks, language, locale)
                item["highlight"] = (
                    highlight(title, terms, analyzer, locale)
                    if spans is None
                    else highlight_marked(title, terms, spans)
                )
            items.append(item)
        return items

    def facets(self, result: EngineResult, params: SearchParams) -> Facets:
        facets: Facets = {
            "category": [
                {"value": b.value, "label": category_name(b.value, params.locale), "count": b.count}
                for b in result.facets.get("category", [])
            ],
            "brand": [
                {"value": b.value, "label": b.label or b.value, "count": b.count}
                for b in result.facets.get("brand", [])
            ],
            "ships_from": [
                {"value": b.value, "count": b.count} for b in result.facets.get("ships_from", [])
            ],
        }
        if result.price_usd_range:
            currency = self.registry.country(params.country).currency
            low, high = result.price_usd_range
            rate = self.registry.rate(currency)
            facets["price"] = {
                "min": round(low * rate, 2),
                "max": round(high * rate, 2),
                "currency": currency,
            }
        return facets

    def products(self, ids: list[str], locale: str, country: str) -> list[Item]:
        """Products by id, in the given order, presented like search items."""
        found = self.engine.get_products(ids)
        return self.items([(found[i], None) for i in ids if i in found], locale, country)
