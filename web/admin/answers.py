"""The admin JSON API's request bodies (pydantic models that validate them) and answers
(TypedDicts the code is type-checked against); /openapi.json is generated from both."""

from __future__ import annotations

from datetime import date as Day
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, with_config
from typing_extensions import TypedDict

from merchandising.curation import MAX_BADGE_LENGTH, MAX_POSITION, MAX_PRODUCT_ID
from merchandising.reports import KINDS, MAX_DAYS, MAX_LIMIT
from merchandising.rules import MAX_HIDDEN, MAX_PROMOTED, MAX_QUERY
from merchandising.service import RecommendedItem
from search.answers import Item

from ..limits import parse_sane_day

EXACT = ConfigDict(extra="forbid")


def _day(value: Any) -> Any:
    """A `YYYY-MM-DD` string, nothing else (no timestamps, no other formats)."""
    if isinstance(value, str):
        return parse_sane_day(value.strip())
    if value is None:
        return None
    raise ValueError("a date is a YYYY-MM-DD string")


LocalDate = Annotated[
    Day,
    BeforeValidator(_day),
    Field(description="The country's local date, YYYY-MM-DD, inclusive"),
]
DateText = Annotated[str, Field(json_schema_extra={"format": "date"})]
ProductId = Annotated[str, Field(min_length=1, max_length=MAX_PRODUCT_ID)]
Country = Annotated[str, Field(min_length=2, max_length=2, description="ISO 3166 alpha-2")]


# -- bodies -----------------------------------------------------------------------


class PinBody(BaseModel):
    """`POST /admin/api/v1/pins`: the same product and span again updates position and badge."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    country: Country
    product_id: ProductId
    starts: LocalDate
    ends: LocalDate
    position: Annotated[
        int | None, Field(ge=1, le=MAX_POSITION, description="1 = first; none: after the others")
    ] = None
    badge: Annotated[
        str | None, Field(max_length=MAX_BADGE_LENGTH, description='Shown on the card: "−30%"')
    ] = None


class ExclusionBody(BaseModel):
    """`POST /admin/api/v1/exclusions`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    country: Country
    product_id: ProductId
    starts: LocalDate
    ends: LocalDate


class RuleBody(BaseModel):
    """`POST /admin/api/v1/rules`: matched on the understood query (word forms, keyboard
    layout and transliteration of the same words match too)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    query: Annotated[str, Field(min_length=1, max_length=MAX_QUERY)]
    locale: Annotated[str, Field(min_length=2, max_length=16)]
    country: Annotated[
        str | None, Field(min_length=2, max_length=2, description="Only this country (none: all)")
    ] = None
    promote: Annotated[
        list[ProductId], Field(max_length=MAX_PROMOTED, description="First, in this order")
    ] = []
    hide: Annotated[list[ProductId], Field(max_length=MAX_HIDDEN, description="Never shown")] = []
    starts: Annotated[Day | None, BeforeValidator(_day), Field(description="From (inclusive)")] = (
        None
    )
    ends: Annotated[Day | None, BeforeValidator(_day), Field(description="To (inclusive)")] = None


class SynonymsBody(BaseModel):
    """`PUT /admin/api/v1/synonyms`: every group, replacing the stored ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    groups: Annotated[
        list[list[str]],
        Field(description="Groups of two or more interchangeable words, one word each"),
    ]


class AliasesBody(BaseModel):
    """`PUT /admin/api/v1/brand-aliases`: every alias, replacing the stored ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    aliases: Annotated[
        dict[str, str],
        Field(
            description='A word as shoppers type it -> as the catalog spells it: {"сяоми": "xiaomi"}'
        ),
    ]


# -- query parameters -------------------------------------------------------------


class ListQuery(BaseModel):
    """Filters of the pin, exclusion and rule lists."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    country: Annotated[str | None, Field(description="Only this country")] = None
    date: Annotated[
        Day | None,
        BeforeValidator(lambda v: _day(v) if v else None),
        Field(description="Only those in force on this local date"),
    ] = None
    locale: Annotated[str | None, Field(description="Rules: only this locale")] = None


class PreviewQuery(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    date: Annotated[
        Day | None,
        BeforeValidator(lambda v: _day(v) if v else None),
        Field(description="The country's local date (default: today there)"),
    ] = None
    locale: Annotated[str | None, Field(description="Page locale (default: the country's)")] = None


class ReportQuery(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    kind: Annotated[
        str,
        Field(
            json_schema_extra={"enum": list(KINDS)},
            description="top: most searched; zero: found nothing",
        ),
    ] = "top"
    locale: Annotated[str | None, Field(description="Only searches in this locale")] = None
    country: Annotated[str | None, Field(description="Only searches from this country")] = None
    days: Annotated[int, Field(ge=1, le=MAX_DAYS, description="The last this many days")] = 7
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 100


class AuditQuery(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    limit: Annotated[int, Field(ge=1, le=1000, description="Newest first")] = 100


class ProductsQuery(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    q: Annotated[
        str,
        Field(
            min_length=1, max_length=MAX_QUERY, description="A product id, or words of its title"
        ),
    ]
    locale: Annotated[str | None, Field(description="Titles in this locale (default ru)")] = None
    country: Annotated[str | None, Field(description="Prices for this country (default RU)")] = None


# -- answers ----------------------------------------------------------------------


@with_config(EXACT)
class PinAnswer(TypedDict):
    id: int
    country: str
    product_id: str
    starts: DateText
    ends: DateText
    position: int | None
    badge: str | None
    created_by: str


@with_config(EXACT)
class PinList(TypedDict):
    items: list[PinAnswer]


@with_config(EXACT)
class ExclusionAnswer(TypedDict):
    id: int
    country: str
    product_id: str
    starts: DateText
    ends: DateText
    created_by: str


@with_config(EXACT)
class ExclusionList(TypedDict):
    items: list[ExclusionAnswer]


@with_config(EXACT)
class RuleAnswer(TypedDict):
    id: int
    query: str
    locale: str
    country: str | None
    promote: list[str]
    hide: list[str]
    starts: DateText | None
    ends: DateText | None
    created_by: str


@with_config(EXACT)
class RuleList(TypedDict):
    items: list[RuleAnswer]


@with_config(EXACT)
class SynonymsAnswer(TypedDict):
    groups: list[list[str]]


@with_config(EXACT)
class AliasesAnswer(TypedDict):
    aliases: dict[str, str]


@with_config(EXACT)
class QueryReportRow(TypedDict):
    query: Annotated[str, Field(description="As typed (lowercase, single spaces)")]
    understood: Annotated[str, Field(description="As search understood it")]
    searches: int
    results: Annotated[int, Field(description="The most products one of these searches found")]


@with_config(EXACT)
class SearchReport(TypedDict):
    items: list[QueryReportRow]


@with_config(EXACT)
class Preview(TypedDict):
    """The list a country gets on a date: the stored one, or as it would be built now."""

    country: str
    date: DateText
    stored: Annotated[bool, Field(description="False: not built yet, computed for this preview")]
    items: list[RecommendedItem]


@with_config(EXACT)
class AuditItem(TypedDict):
    at: Annotated[str, Field(json_schema_extra={"format": "date-time"})]
    user: str
    action: Annotated[str, Field(description="pin.add, rule.remove, synonyms.save, user.disable…")]
    details: Annotated[dict[str, Any], Field(description="before and after the change")]


@with_config(EXACT)
class AuditAnswer(TypedDict):
    items: list[AuditItem]


@with_config(EXACT)
class ProductsAnswer(TypedDict):
    items: list[Item]
