"""The shapes of the search API's answers (SPEC.md, "HTTP API"), as TypedDicts.

The code that builds an answer is type-checked against them (mypy in CI), the
OpenAPI document at /openapi.json is generated from them (pydantic), and a test
validates real answers against that document, so the three cannot drift apart.
Being TypedDicts they cost nothing per request: answers stay plain dicts.
"""

from __future__ import annotations

from typing import Annotated, Literal, NotRequired

from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict

from locales.money import Price

from .catalog import CATEGORIES
from .understanding.base import CORRECTION_KINDS

# Answers carry exactly the documented keys: the schema forbids any other.
EXACT = ConfigDict(extra="forbid")
CategoryKey = Annotated[str, Field(json_schema_extra={"enum": list(CATEGORIES)})]

# "from" is a Python keyword, hence the functional form.
Correction = TypedDict(
    "Correction",
    {
        "kind": Annotated[str, Field(json_schema_extra={"enum": list(CORRECTION_KINDS)})],
        "from": str,
        "to": str,
    },
)
Correction.__pydantic_config__ = EXACT  # type: ignore[attr-defined]


@with_config(EXACT)
class QueryEcho(TypedDict):
    """How the query was read: `understood` differs from `text` when corrected."""

    text: str
    understood: str
    corrections: list[Correction]
    relaxed: Annotated[bool, Field(description="Some words were made optional to find anything")]
    did_you_mean: Annotated[
        str | None,
        Field(description="A corrected query, offered (not applied) when the query as typed "
              "found products"),
    ]  # fmt: skip


@with_config(EXACT)
class SellerInfo(TypedDict):
    """Who sells the product and how shoppers rate them."""

    id: str
    rating: Annotated[float | None, Field(description="Share of positive ratings, 0..100")]
    ratings: Annotated[int | None, Field(description="How many ratings `rating` is based on")]


@with_config(EXACT)
class Item(TypedDict):
    """A product as shoppers see it: localized, priced in their currency."""

    id: str
    title: str
    category: CategoryKey
    category_label: str
    brand: str | None
    price: Price
    rating: float | None
    orders: int
    ships_from: list[str]
    delivery_days: Annotated[list[int], Field(description="[fastest, slowest] days to arrive")]
    local_warehouse: Annotated[
        bool, Field(description="Ships from a warehouse in the shopper's country")
    ]
    seller: SellerInfo | None
    url: str
    image_url: str | None
    highlight: NotRequired[
        Annotated[str, Field(description="HTML-escaped title with <mark> around matches")]
    ]


@with_config(EXACT)
class LabeledBucket(TypedDict):
    value: str
    label: str
    count: int


@with_config(EXACT)
class Bucket(TypedDict):
    value: str
    count: int


@with_config(EXACT)
class PriceRange(TypedDict):
    min: float
    max: float
    currency: str


@with_config(EXACT)
class Facets(TypedDict):
    category: list[LabeledBucket]
    brand: list[LabeledBucket]
    ships_from: list[Bucket]
    price: NotRequired[PriceRange]


@with_config(EXACT)
class SearchAnswer(TypedDict):
    """`GET /api/v1/search`."""

    query: QueryEcho
    total: int
    page: int
    per_page: int
    items: list[Item]
    facets: Facets


@with_config(EXACT)
class Suggestion(TypedDict):
    """A completed query, a product (with `id`, `url`) or a category (its key as `value`)."""

    text: str
    kind: Literal["query", "product", "category"]
    id: NotRequired[str]
    url: NotRequired[str]
    value: NotRequired[str]


@with_config(EXACT)
class SuggestAnswer(TypedDict):
    """`GET /api/v1/suggest`: queries first, then products, then categories."""

    suggestions: list[Suggestion]
