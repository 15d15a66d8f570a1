"""Prices are formatted exactly as Babel formats them, however fast the path taken."""

from __future__ import annotations

import random

import pytest
from babel.numbers import format_currency

from locales.money import babel_locale, format_price

MARKETS = [("RUB", "ru", "RU"), ("BRL", "pt", "BR"), ("USD", "en", "US"), ("EUR", "de", "DE"),
           ("JPY", "en", "JP"), ("INR", "en", "IN"), ("SAR", "ar", "SA"), ("EUR", "fr", "FR"),
           ("EUR", "es", "ES")]  # fmt: skip


@pytest.mark.parametrize(("currency", "locale", "country"), MARKETS)
def test_prices_read_as_babel_writes_them(currency, locale, country):
    rnd = random.Random(5)
    amounts = [0.0, 0.01, 5.0, 999.99, 1000.0, 1234.5, 1e6, 2.675, 1234.56, 0.125]
    amounts += [round(rnd.uniform(0, 10 ** rnd.randint(1, 8)), 2) for _ in range(300)]
    where = babel_locale(locale, country)
    for amount in amounts:
        expected = format_currency(amount, currency, locale=where)
        assert format_price.__wrapped__(amount, currency, locale, country) == expected
