"""The small interface every search engine implements, and its query model.

Query understanding produces an EngineQuery; each engine only translates it into
its own request. Nothing engine-specific leaks above this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

SORTS: tuple[str, ...] = ("relevance", "price_asc", "price_desc", "orders", "rating", "delivery")
TERM_FACETS: tuple[str, ...] = ("category", "brand", "ships_from")


class EngineUnavailable(RuntimeError):
    """The engine cannot answer now (down, timed out, no index yet)."""


@dataclass(frozen=True)
class RejectedDocument:
    id: str
    reason: str


class DocumentsRejected(Exception):
    """The engine refused some documents; every other change was applied and is live.

    Raised by rebuild/apply_changes after they finish, so the indexer can report the
    refused products (as rejects) instead of dropping them silently.
    """

    def __init__(self, rejected: Sequence[RejectedDocument], applied: int) -> None:
        first = rejected[0] if rejected else None
        detail = f"; first: {first.id}: {first.reason}" if first else ""
        super().__init__(f"{len(rejected)} documents rejected by the search engine{detail}")
        self.rejected = list(rejected)
        self.applied = applied


@dataclass(frozen=True)
class TextMatch:
    """Analyzed query words. Each group is one word: any of its terms may match.

    Every `required` group must match; `optional` groups only add to the score
    (relaxed matching moves words there).
    """

    required: tuple[tuple[str, ...], ...]
    optional: tuple[tuple[str, ...], ...] = ()

    @property
    def terms(self) -> set[str]:
        return {t for group in self.required + self.optional for t in group}


@dataclass(frozen=True)
class Filters:
    categories: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()  # brand keys, see search.documents.brand_key
    ships_from: tuple[str, ...] = ()
    price_usd_min: float | None = None
    price_usd_max: float | None = None
    rating_min: float | None = None
    ships_to: str | None = None  # the shopper's country: only products that ship there
    exclude_ids: tuple[str, ...] = ()  # never these products (query rules: hidden ones)

    def without(self, facet: str) -> Filters:
        """These filters less the one a facet is about (so its other values stay visible)."""
        if facet == "category":
            return Filters(**{**self.__dict__, "categories": ()})
        if facet == "brand":
            return Filters(**{**self.__dict__, "brands": ()})
        if facet == "ships_from":
            return Filters(**{**self.__dict__, "ships_from": ()})
        if facet == "price":
            return Filters(**{**self.__dict__, "price_usd_min": None, "price_usd_max": None})
        raise ValueError(f"unknown facet {facet!r}")


@dataclass(frozen=True)
class EngineQuery:
    text: TextMatch | None = None  # None browses
    filters: Filters = field(default_factory=Filters)
    sort: str = "relevance"
    offset: int = 0
    limit: int = 20
    with_facets: bool = True
    facet_size: int = 30
    # sort="delivery": origin countries grouped by delivery time to the shopper, fastest
    # first (locales.registry.Country.delivery_tiers); a product ranks with the first
    # group it ships from, then by popularity.
    delivery_tiers: tuple[tuple[str, ...], ...] = ()


def delivery_weights(tiers: tuple[tuple[str, ...], ...]) -> list[tuple[tuple[str, ...], float]]:
    """A score per delivery group, each more than the popularity prior (at most x1.35)
    can lift the group after it: 2^n for the fastest of n groups, down to 2."""
    return [(origins, 2.0 ** (len(tiers) - i)) for i, origins in enumerate(tiers)]


@dataclass(frozen=True)
class Removal:
    """A product to take out of the index (a feed line with `deleted: true`)."""

    id: str


# What the indexer hands an engine: an index document (see search.documents) to add
# or replace, or a Removal. Applied in order: a later change to the same id wins.
Change = dict[str, Any] | Removal


@dataclass(frozen=True)
class FacetBucket:
    value: str
    count: int
    label: str | None = None


@dataclass(frozen=True)
class Hit:
    id: str
    score: float
    product: dict[str, Any]  # the product as in the feed (search.catalog.Product.to_dict)
    # search.highlight.TitleMarks of the product's titles, where the engine keeps them
    title_marks: dict[str, dict[str, list[int]]] | None = None


@dataclass
class EngineResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetBucket]] = field(default_factory=dict)
    price_usd_range: tuple[float, float] | None = None


class SearchEngine(Protocol):
    """Read and write access to one product index."""

    name: str

    def search(self, query: EngineQuery) -> EngineResult: ...

    def count(self, query: EngineQuery) -> int: ...

    def get_products(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]: ...

    def product_count(self) -> int: ...

    def health(self) -> dict[str, Any]: ...

    def rebuild(self, changes: Iterable[Change], check: Callable[[int], None] | None = None) -> int:
        """Build a new index from `changes` and swap it in only when complete.

        `check`, if given, gets the number of products of the complete new index just
        before the swap; an exception from it cancels the swap and drops the new index
        (indexer/safeguards.py refuses an empty or shrinking catalog this way).
        Returns the number of products in the new index.
        """
        ...

    def apply_changes(self, changes: Iterable[Change]) -> int:
        """Apply `changes` to the live index; returns how many were applied."""
        ...


def accepts_changes_during_rebuild(engine: SearchEngine) -> bool:
    """Whether `apply_changes` may run while `rebuild` runs (in any process) and lose nothing.

    Elasticsearch journals such changes and replays them before its swap, so the
    indexer need not hold changes back for a rebuild's hours; an engine without the
    `changes_during_rebuild = True` attribute (the embedded one) needs its writes
    serialized by the indexing lock.
    """
    return bool(getattr(engine, "changes_during_rebuild", False))
