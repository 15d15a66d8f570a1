"""Brands Russian shoppers decline or misspell into a dictionary word (issue 10, third round).

A foreign name written in Cyrillic takes Russian case endings ("игрушки симбы",
"фигурки шляйха", "в найках"), which no dictionary knows the lemma of; and a brand
heard by ear may be spelt as a dictionary word the catalog lacks ("кохинор" for
Koh-I-Noor: the diamond is in the dictionary, the pencils in the catalog). And a
brand the catalog lacks is not reported as understood.
"""

from __future__ import annotations

import pytest

from search.understanding.pipeline import QueryUnderstanding, declined_stems
from search.vocabulary import VocabularyStore
from tests.brand_catalogs import analyzer, catalog, latin_terms

CATALOG = catalog(
    ("Игрушка Simba пожарная машина", "Simba"),
    ("Игрушка Simba кукла Стеффи", "Simba"),
    ("Игрушка фигурка Schleich лошадь", "Schleich"),
    ("Фигурка Schleich ягненок", "Schleich"),
    ("Кроссовки Nike Air беговые", "Nike"),
    ("Футболка Nike тренировочная", "Nike"),
    ("Карандаш графит Koh-I-Noor HB", "Koh-I-Noor"),
    ("Карандаши цветные Koh-I-Noor 24 цв", "Koh-I-Noor"),
    ("Книга герои симбы", None),  # the declined form is a catalog word too
    *[(f"Майка мужская {size}", None) for size in ("S", "M", "L", "XL", "XXL")],
    *[(f"Майка женская {size}", None) for size in ("S", "M", "L", "XL", "XXL")],
    ("Карандаш простой", None),
    ("Фигурка кошка декоративная", None),
    ("Игрушка мяч", None),
)


@pytest.fixture(scope="module")
def understanding() -> QueryUnderstanding:
    return QueryUnderstanding(analyzer, VocabularyStore.fixed(CATALOG))


def test_declined_stems_take_a_case_ending_off():
    assert {"симб", "симба"} <= set(declined_stems("симбы"))
    assert "найк" in declined_stems("найках")
    assert "шляйх" in declined_stems("шляйха")
    assert declined_stems("най") == []


@pytest.mark.parametrize(
    ("query", "brand_terms"),
    [
        ("игрушки симбы", {"simba"}),
        ("фигурки шляйха", {"schleich"}),
        ("в найках", {"nike"}),
        ("кохинор карандаши", {"koh", "noor"}),
    ],
)
def test_a_declined_or_dictionary_spelt_brand_reaches_the_brand(understanding, query, brand_terms):
    reading = understanding.plan(query, "ru").readings[0]
    assert brand_terms <= latin_terms(reading), reading


@pytest.mark.parametrize("query", ["в майках", "майка мужская", "фигурка кошка"])
def test_russian_words_with_endings_stay_words(understanding, query):
    reading = understanding.plan(query, "ru").readings[0]
    assert not latin_terms(reading), reading


def test_a_brand_the_catalog_lacks_is_not_shown_as_understood():
    """Without Head & Shoulders, "хэд энд шолдерс" is not "head and шолдерс": "энд" read
    as the stop word "and" means nothing, so it confirmed whatever the other words found."""
    understanding = QueryUnderstanding(
        analyzer,
        VocabularyStore.fixed(
            catalog(
                ("Фонарь налобный Head Light", None),
                ("Фонарь налобный Head Torch", "Head"),
                ("Набор Salt and Pepper", None),
                ("Игра Dungeons and Dragons", None),
                ("Шампунь Clear против перхоти", "Clear"),
            )
        ),
    )
    for query in ("хэд энд шолдерс", "хед энд шолдерс шампунь"):
        plan = understanding.plan(query, "ru")
        for reading in (plan.readings[0], *plan.fallbacks):
            assert not reading.corrections, reading
            assert "and" not in reading.text.split(), reading


def test_words_that_match_nothing_confirm_no_far_fix_of_another():
    """ "хэд энд шолдерс" on a catalog with a tote bag but no Head & Shoulders: "хэд" and
    "энд" match nothing, so nothing backs reading "шолдерс" two edits away as "шопер"
    (relaxation would then drop the two and show the bag); a lone word keeps its fix."""
    understanding = QueryUnderstanding(
        analyzer,
        VocabularyStore.fixed(
            catalog(
                ("Сумка-шопер холщовая с принтом", None),
                ("Сумка шопер женская", None),
                ("Кроссовки беговые", None),
            )
        ),
    )
    plan = understanding.plan("хэд энд шолдерс", "ru")
    for reading in (plan.readings[0], *plan.fallbacks):
        assert not reading.corrections, reading
    fixed = understanding.plan("кросовки", "ru").readings[0]
    assert [(c.source, c.target) for c in fixed.corrections] == [("кросовки", "кроссовки")]
