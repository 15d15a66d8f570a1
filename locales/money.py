"""Prices in the shopper's currency, formatted by Babel for the page locale."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency
from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

from .registry import Registry


@with_config(ConfigDict(extra="forbid"))
class Price(TypedDict):
    """A price as the API shows it: converted, and formatted for the page locale."""

    amount: float
    currency: str
    formatted: str


@lru_cache(maxsize=256)
def babel_locale(locale: str, country: str) -> Locale:
    """The most specific CLDR locale for a page locale shown in a country (pt + BR -> pt_BR)."""
    for candidate in (f"{locale}_{country}", locale):
        try:
            return Locale.parse(candidate)
        except (ValueError, LookupError, UnknownLocaleError):
            continue
    return Locale.parse("en")


def convert(price_usd: float, currency: str, registry: Registry) -> float:
    return round(price_usd * registry.rate(currency), 2)


def to_usd(amount: float, currency: str, registry: Registry) -> float:
    return amount / registry.rate(currency)


@lru_cache(maxsize=65_536)
def format_price(amount: float, currency: str, locale: str, country: str) -> str:
    """'1 299,00 ₽' for ru/RU, 'R$ 1.299,00' for pt/BR, 'US$' where '$' is ambiguous."""
    return format_currency(amount, currency, locale=babel_locale(locale, country))


def price(price_usd: float, currency: str, locale: str, country: str, registry: Registry) -> Price:
    amount = convert(price_usd, currency, registry)
    return {
        "amount": amount,
        "currency": currency,
        "formatted": format_price(amount, currency, locale, country),
    }
