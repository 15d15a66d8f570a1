"""Russian spellings of catalog brands that the first round of issue 10 missed.

"роял канин" (Royal: English "oy" before a vowel is written "оя"), "фанта" (spelt as
the brand reads, but its lemma "фант" is a word the catalog has as an abbreviation),
"сьосс" (a soft sign before a vowel is a y sound, not nothing: "сос" is SOS), "лонда
колор" (a one-word brand, Londacolor, typed apart).
"""

from __future__ import annotations

import pytest

from search.understanding.pipeline import QueryUnderstanding
from search.understanding.transcription import cyrillic_key, readings
from search.vocabulary import VocabularyStore
from tests.brand_catalogs import analyzer, catalog, latin_terms

CATALOG = catalog(
    ("Корм Royal Canin для кошек 400 г", "Royal Canin"),
    ("Корм Royal Canin для собак 2 кг", "Royal Canin"),
    ("Напиток Fanta апельсин 0.5 л", "Fanta"),
    ("Напиток Fanta 1 л", "Fanta"),
    ("Шампунь SYOSS Volume 500 мл", "SYOSS"),
    ("Шампунь SYOSS Color 500 мл", "SYOSS"),
    ("Соус SOS острый", "SOS"),
    ("Губка SOS для посуды", "SOS"),
    ("Губка SOS стальная", "SOS"),
    ("Свеча фант. 7 см", None),
    ("Свеча фант. 6 см", None),
    ("Свеча фант. красная", None),
    ("Фигурка фант. белая", None),
    ("Краска для волос Londacolor 6/0", "Londacolor"),
    ("Краска для волос Londacolor 7/1", "Londacolor"),
    ("Шампунь колор для окрашенных волос", None),
    ("Кеды мужские белые", None),
    ("Кеды детские", None),
    ("Майка мужская", None),
)


@pytest.fixture(scope="module")
def understanding() -> QueryUnderstanding:
    return QueryUnderstanding(analyzer, VocabularyStore.fixed(CATALOG))


def test_english_oy_before_a_vowel_is_written_oya():
    assert "роял" in readings("royal")
    assert "хьюго" in readings("hugo")


def test_a_soft_sign_before_a_vowel_is_kept_in_the_key():
    assert cyrillic_key("сьосс") == cyrillic_key("сиосс") != cyrillic_key("сос")
    assert cyrillic_key("лореаль") == cyrillic_key("лореал")


@pytest.mark.parametrize(
    ("query", "brand_terms"),
    [
        ("роял канин", {"royal", "canin"}),
        ("роял канин для кошек", {"royal", "canin"}),
        ("фанта", {"fanta"}),
        ("фанта апельсин", {"fanta"}),
        ("сьосс шампунь", {"syoss"}),
        ("сьосс", {"syoss"}),
        ("лонда колор", {"londacolor"}),
    ],
)
def test_russian_spellings_reach_the_brand(understanding, query, brand_terms):
    reading = understanding.plan(query, "ru").readings[0]
    assert brand_terms <= latin_terms(reading), reading


@pytest.mark.parametrize("query", ["кеды", "майка мужская", "свеча фант"])
def test_words_the_catalog_uses_stay_words(understanding, query):
    reading = understanding.plan(query, "ru").readings[0]
    assert not latin_terms(reading), reading
