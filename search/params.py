"""Parses and validates search parameters from a query string (pure, no I/O).

Every bad value raises BadParameter with a message a person can act on; the web
layer turns it into a 400.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from locales.registry import Registry
from search.catalog import CATEGORIES
from search.engines.base import SORTS

MAX_PER_PAGE = 100
MAX_PAGE = 500
MAX_QUERY_LENGTH = 200


class BadParameter(ValueError):
    def __init__(self, parameter: str, message: str, code: str = "invalid_parameter") -> None:
        super().__init__(message)
        self.parameter = parameter
        self.code = code
        self.message = message


@dataclass(frozen=True)
class SearchParams:
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


def _values(args: Mapping, name: str) -> list[str]:
    """All values of a parameter, repeated (?a=1&a=2) or comma-separated (?a=1,2)."""
    raw = args.getlist(name) if hasattr(args, "getlist") else [args.get(name)]
    return [v.strip() for value in raw if value for v in str(value).split(",") if v.strip()]


def _single(args: Mapping, name: str) -> str | None:
    value = args.get(name)
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _int(args: Mapping, name: str, default: int, low: int, high: int) -> int:
    value = _single(args, name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise BadParameter(name, f"{name} must be a whole number, got {value!r}") from None
    if not low <= number <= high:
        raise BadParameter(name, f"{name} must be between {low} and {high}, got {number}")
    return number


def _float(args: Mapping, name: str, low: float = 0.0, high: float = math.inf) -> float | None:
    value = _single(args, name)
    if value is None:
        return None
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        raise BadParameter(name, f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise BadParameter(name, f"{name} must be between {low:g} and {high:g}, got {value}")
    return number


def parse_search_params(args: Mapping, registry: Registry) -> SearchParams:
    q = (_single(args, "q") or "").replace("\x00", "")
    if len(q) > MAX_QUERY_LENGTH:
        raise BadParameter("q", f"q is longer than {MAX_QUERY_LENGTH} characters")
    locale = _single(args, "locale") or "ru"
    if locale not in registry.enabled_locales:
        raise BadParameter(
            "locale", f"locale must be one of {', '.join(registry.enabled_locales)}, got {locale!r}"
        )
    country = (_single(args, "country") or registry.default_country(locale)).upper()
    if country not in registry.countries:
        raise BadParameter(
            "country", f"country must be one of {', '.join(registry.countries)}, got {country!r}"
        )
    categories = tuple(dict.fromkeys(_values(args, "category")))
    unknown = [c for c in categories if c not in CATEGORIES]
    if unknown:
        raise BadParameter("category", f"unknown category: {', '.join(unknown)}")
    ships_from = tuple(dict.fromkeys(v.upper() for v in _values(args, "ships_from")))
    bad = [c for c in ships_from if len(c) != 2 or not c.isalpha()]
    if bad:
        raise BadParameter(
            "ships_from", f"ships_from takes ISO country codes, got {', '.join(bad)}"
        )
    sort = _single(args, "sort") or "relevance"
    if sort not in SORTS:
        raise BadParameter("sort", f"sort must be one of {', '.join(SORTS)}, got {sort!r}")
    price_min = _float(args, "price_min")
    price_max = _float(args, "price_max")
    if price_min is not None and price_max is not None and price_min > price_max:
        raise BadParameter("price_min", "price_min is greater than price_max")
    return SearchParams(
        q=q,
        locale=locale,
        country=country,
        categories=categories,
        brands=tuple(dict.fromkeys(_values(args, "brand"))),
        ships_from=ships_from,
        price_min=price_min,
        price_max=price_max,
        rating_min=_float(args, "rating_min", 0.0, 5.0),
        sort=sort,
        page=_int(args, "page", 1, 1, MAX_PAGE),
        per_page=_int(args, "per_page", 20, 1, MAX_PER_PAGE),
    )
