"""Search parameters: validated from a query string by pydantic models (pure, no I/O).

`SearchQuery` (and `SuggestQuery`, its first three fields) is the one definition of
the parameters: it validates what arrives, and the OpenAPI document's parameters are
generated from it. What depends on the locale registry (enabled locales, countries)
is checked after. Every bad value raises BadParameter with a message a person can
act on; the web turns it into a 400, the command line into exit status 2.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, TypeVar

from annotated_types import Ge, Le
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from locales.registry import Registry
from search.catalog import CATEGORIES
from search.engines.base import SORTS

MAX_PER_PAGE = 100
MAX_RESULTS = 10_000  # the deepest result a page may reach (page * per_page): SPEC.md
# Sizes Elasticsearch's result window (MAX_PAGE * MAX_PER_PAGE >= MAX_RESULTS); the page
# parameter itself goes down to MAX_RESULTS at per_page=1, and page * per_page is checked.
MAX_PAGE = 500
MAX_QUERY_LENGTH = 256

M = TypeVar("M", bound=BaseModel)


class BadParameter(ValueError):
    def __init__(self, parameter: str, message: str, code: str = "invalid_parameter") -> None:
        super().__init__(message)
        self.parameter = parameter
        self.code = code
        self.message = message


@dataclass(frozen=True)
class SearchParams:
    """What the search service runs: validated, with the locale's defaults filled in."""

    q: str = ""
    locale: str = "ru"
    country: str = "RU"
    categories: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()
    ships_from: tuple[str, ...] = ()
    price_min: float | None = None  # in the shopper's currency
    price_max: float | None = None
    rating_min: float | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20


# -- how query-string values are read ------------------------------------------------


def _text(value: Any) -> Any:
    """A single value, trimmed; blank means absent."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _query_text(value: Any) -> Any:
    return "" if value is None else str(value).strip().replace("\x00", "")


def _number(value: Any) -> Any:
    """A decimal number as typed, with a comma or a point."""
    value = _text(value)
    return value.replace(",", ".") if isinstance(value, str) else value


def _listed(value: Any) -> tuple[str, ...]:
    """Repeated (?a=1&a=2) or comma-separated (?a=1,2) values, trimmed, each once, in order."""
    values = value if isinstance(value, list | tuple) else [value]
    return tuple(
        dict.fromkeys(v.strip() for raw in values if raw for v in str(raw).split(",") if v.strip())
    )


def _known_categories(values: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [c for c in values if c not in CATEGORIES]
    if unknown:
        raise ValueError(f"unknown category: {', '.join(unknown)}")
    return values


def _known_sort(value: str) -> str:
    if value not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}, got {value!r}")
    return value


def _country_codes(values: tuple[str, ...]) -> tuple[str, ...]:
    codes = tuple(dict.fromkeys(v.upper() for v in values))
    bad = [c for c in codes if len(c) != 2 or not c.isalpha()]
    if bad:
        raise ValueError(f"ships_from takes ISO country codes, got {', '.join(bad)}")
    return codes


OptionalText = Annotated[str | None, BeforeValidator(_text)]
Listed = Annotated[tuple[str, ...], BeforeValidator(_listed)]
# Constraints come before the BeforeValidator so that the JSON schema carries them.
Amount = Annotated[float | None, Field(ge=0, allow_inf_nan=False), BeforeValidator(_number)]


class SuggestQuery(BaseModel):
    """`q`, `locale` and `country`: what every search-like request names."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    q: Annotated[
        str,
        Field(max_length=MAX_QUERY_LENGTH, description="What the shopper typed; empty browses"),
        BeforeValidator(_query_text),
    ] = ""
    locale: Annotated[
        OptionalText, Field(description="Page locale (en ru es pt de ar); default ru")
    ] = None
    country: Annotated[
        OptionalText,
        Field(description="Shopper country, ISO 3166 alpha-2; sets the currency "
              "(default: the locale's first country)"),
    ] = None  # fmt: skip


class SearchQuery(SuggestQuery):
    """Every parameter of `GET /api/v1/search` (SPEC.md, "HTTP API")."""

    category: Annotated[
        Listed,
        AfterValidator(_known_categories),
        Field(description="Category keys (repeat or comma-separate)",
              json_schema_extra={"items": {"type": "string", "enum": list(CATEGORIES)}}),
    ] = ()  # fmt: skip
    brand: Annotated[Listed, Field(description="Brands (repeat or comma-separate)")] = ()
    ships_from: Annotated[
        Listed, AfterValidator(_country_codes), Field(description="Origin country codes")
    ] = ()
    price_min: Annotated[Amount, Field(description="Lowest price, in the shopper's currency")] = (
        None
    )
    price_max: Annotated[Amount, Field(description="Highest price, in the shopper's currency")] = (
        None
    )
    rating_min: Annotated[
        float | None,
        Field(ge=0, le=5, allow_inf_nan=False, description="Lowest rating"),
        BeforeValidator(_number),
    ] = None
    sort: Annotated[
        str,
        BeforeValidator(lambda v: _text(v) or "relevance"),
        AfterValidator(_known_sort),
        Field(description="Order of results", json_schema_extra={"enum": list(SORTS)}),
    ] = "relevance"
    page: Annotated[
        int,
        Field(ge=1, le=MAX_RESULTS, description="From 1; page * per_page at most 10,000"),
        BeforeValidator(_text),
    ] = 1
    per_page: Annotated[
        int, Field(ge=1, le=MAX_PER_PAGE, description="Results per page"), BeforeValidator(_text)
    ] = 20


# -- turning input into SearchParams ---------------------------------------------------


def validated(model: type[M], args: Mapping[str, Any]) -> M:
    """`args` (a query string's MultiDict, or a plain dict) validated by `model`."""
    getlist = getattr(args, "getlist", None)
    listed = _listed_fields(model)
    raw = {
        name: getlist(name) if getlist is not None and name in listed else args.get(name)
        for name in model.model_fields
        if name in args
    }
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise _bad_parameter(model, exc) from None


@cache
def _listed_fields(model: type[BaseModel]) -> frozenset[str]:
    """The fields that take repeated values (?a=1&a=2)."""
    return frozenset(
        name for name, field in model.model_fields.items() if field.annotation == tuple[str, ...]
    )


def parse_search_params(
    args: Mapping[str, Any], registry: Registry, model: type[SuggestQuery] = SearchQuery
) -> SearchParams:
    """SearchParams from query-string arguments, or BadParameter naming the first bad one."""
    query = validated(model, args)
    locale = query.locale or "ru"
    if locale not in registry.enabled_locales:
        raise BadParameter(
            "locale", f"locale must be one of {', '.join(registry.enabled_locales)}, got {locale!r}"
        )
    country = (query.country or registry.default_country(locale)).upper()
    if country not in registry.countries:
        raise BadParameter(
            "country", f"country must be one of {', '.join(registry.countries)}, got {country!r}"
        )
    if not isinstance(query, SearchQuery):
        return SearchParams(q=query.q, locale=locale, country=country)
    low, high = query.price_min, query.price_max
    if low is not None and high is not None and low > high:
        raise BadParameter("price_min", "price_min is greater than price_max")
    if query.page * query.per_page > MAX_RESULTS:
        raise BadParameter(
            "page", f"results are reachable down to the {MAX_RESULTS:,}th: page * per_page is more"
        )
    return SearchParams(
        q=query.q,
        locale=locale,
        country=country,
        categories=query.category,
        brands=query.brand,
        ships_from=query.ships_from,
        price_min=query.price_min,
        price_max=query.price_max,
        rating_min=query.rating_min,
        sort=query.sort,
        page=query.page,
        per_page=query.per_page,
    )


def _bad_parameter(model: type[BaseModel], exc: ValidationError) -> BadParameter:
    """The first error as a person reads it: "per_page must be between 1 and 100, got 0"."""
    error = exc.errors(include_url=False)[0]
    name = str(error["loc"][0]) if error["loc"] else "parameters"
    kind, given, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    if kind in ("string_too_long", "too_long"):
        return BadParameter(name, f"{name} is longer than {ctx.get('max_length')} characters")
    if kind in ("int_parsing", "int_from_float", "int_type"):
        return BadParameter(name, f"{name} must be a whole number, got {given!r}")
    if kind in ("float_parsing", "float_type"):
        return BadParameter(name, f"{name} must be a number, got {given!r}")
    if kind == "finite_number" or (isinstance(given, float) and not math.isfinite(given)):
        return BadParameter(name, f"{name} must be a finite number, got {given!r}")
    if kind in ("greater_than_equal", "less_than_equal"):
        low, high = _bounds(model, name)
        if math.isinf(high):
            return BadParameter(name, f"{name} must be at least {low:g}, got {given}")
        return BadParameter(name, f"{name} must be between {low:g} and {high:g}, got {given}")
    if kind == "value_error":
        return BadParameter(name, str(ctx.get("error")))
    return BadParameter(name, f"{name}: {error['msg']}")


def _bounds(model: type[BaseModel], name: str) -> tuple[float, float]:
    low, high = -math.inf, math.inf
    for constraint in model.model_fields[name].metadata:
        if isinstance(constraint, Ge):
            low = float(constraint.ge)  # type: ignore[arg-type]
        elif isinstance(constraint, Le):
            high = float(constraint.le)  # type: ignore[arg-type]
    return low, high
