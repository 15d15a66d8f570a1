"""Brands typed the way Russian shoppers write them (issue 10 follow-up).

A small catalog with the brand shapes that failed on the 100k catalog: an apostrophe
(L'Oreal), "&" in a multi-word brand (Head&Shoulders), a dotted abbreviation
(Dr.Oetker, Mr.Muscle), hyphenated letters (Blend-A-Med, Oral-B), and brands one
letter away from Russian words (Duracell ~ дракон, Lancome ~ банком). The judged
list on the real catalog is bench/brand_queries.py (bench/eval_brands.py).
"""

from __future__ import annotations

import pytest

from search.understanding.brands import BrandLexicon, brand_phrases, build_readings
from search.understanding.pipeline import QueryUnderstanding
from search.understanding.transcription import readings
from search.vocabulary import VocabularyStore
from tests.brand_catalogs import analyzer, catalog, latin_terms

CATALOG = catalog(
    ("Шампунь L'Oreal Elseve для сухих волос 250 мл", "L'Oreal Elseve"),
    ("Краска для волос L'Oreal Preference", "L'Oreal"),
    ("Шампунь Head & Shoulders против перхоти", "Head&Shoulders"),
    ("Шампунь Head & Shoulders ментол", "Head&Shoulders"),
    ("Разрыхлитель Dr.Oetker 10 г", "Dr.Oetker"),
    ("Средство для стекол Mr.Muscle 500 мл", "Mr.Muscle"),
    ("Зубная паста Blend-A-Med 100 мл", "Blend-A-Med"),
    ("Зубная щетка Oral-B средней жесткости", "Oral-B"),
    ("Батарейки Duracell АА 4 шт", "Duracell"),
    ("Тушь для ресниц Lancome", "LANCOME"),
    ("Дезодорант Old Spice 50 мл", "Old Spice"),
    ("Прокладки Always ультра", "Always"),
    ("Подгузники Pampers Active Baby 4", "Pampers"),
    ("Мягкая игрушка дракон на батарейках", None),
    ("Игрушка дракон с хедером", None),
    ("Сумка банком подарок", None),
    ("Шампунь для волос детский", None),
)


@pytest.fixture(scope="module")
def understanding() -> QueryUnderstanding:
    return QueryUnderstanding(analyzer, VocabularyStore.fixed(CATALOG))


@pytest.mark.parametrize(
    ("query", "brand_terms"),
    [
        ("лореаль", {"oreal"}),
        ("лореал эльсев", {"oreal", "elsev"}),
        ("хэд энд шолдерс", {"head", "shoulder"}),
        ("хед энд шолдерс", {"head", "shoulder"}),
        ("хеден шолдерс", {"head", "shoulder"}),
        ("хэдэнд шолдерс шампунь", {"head", "shoulder"}),
        ("хед и шолдерс", {"head", "shoulder"}),
        ("доктор эткер", {"oetker"}),
        ("мистер мускул", {"muscl"}),
        ("бленд а мед", {"blend", "med"}),
        ("орал би", {"oral"}),
        ("олд спайс", {"old", "spice"}),
        ("олвейс", {"alway"}),
        ("ланком", {"lancom"}),
        ("дуракел батарейки", {"duracel"}),
        ("памперсы", {"pamper"}),
        ("памперсов", {"pamper"}),
    ],
)
def test_brands_as_russians_write_them_reach_the_catalog_brand(understanding, query, brand_terms):
    reading = understanding.plan(query, "ru").readings[0]
    assert brand_terms <= latin_terms(reading), reading


def test_a_spelling_fix_into_an_unrelated_word_loses_to_a_brand_that_fits(understanding):
    reading = understanding.plan("дуракел батарейки", "ru").readings[0]
    assert "дракон" not in reading.text
    assert [c.kind for c in reading.corrections] == ["translit"]


def test_russian_words_still_mean_themselves(understanding):
    reading = understanding.plan("шампунь для волос", "ru").readings[0]
    assert reading.corrections == ()
    assert not latin_terms(reading)


def test_an_alias_the_catalog_lacks_gives_way_to_the_lexicon(understanding):
    understanding.use(aliases={"лореаль": "loreal"})  # the catalog writes L'Oreal
    try:
        reading = understanding.plan("лореаль", "ru").readings[0]
        assert "oreal" in latin_terms(reading)
    finally:
        understanding.use(aliases={})


def test_phrases_keep_and_drop_one_letter_words():
    phrases = brand_phrases({"blend-a-med": 1, "oral-b": 1, "head&shoulders": 1, "dr.oetker": 1})
    assert phrases[("blend", "med")] == "blend med"
    assert phrases[("blend", "a", "med")] == "blend a med"
    assert phrases[("oral", "b")] == "oral b"
    assert phrases[("head", "shoulders")] == "head shoulders"
    assert phrases[("dr", "oetker")] == "dr oetker"
    assert ("oral",) not in phrases


def test_phrase_match_needs_every_word_to_read_as_the_brand():
    brands = {"head&shoulders": 2, "mr.muscle": 1}
    words = {"head": 2, "shoulders": 2, "muscle": 1}
    lexicon = BrandLexicon(build_readings(words, brands), brands)
    known = {"мистер"}.__contains__
    assert lexicon.phrase_match(["хеден", "шолдерс"], known) == "head shoulders"
    assert lexicon.phrase_match(["хэд", "н", "шолдерс"], known) == "head shoulders"
    assert lexicon.phrase_match(["мистер", "мускул"], known) == "mr muscle"
    assert lexicon.phrase_match(["мистер", "шолдерс"], known) is None
    assert lexicon.phrase_match(["сумка", "шолдерс"], known) is None


@pytest.mark.parametrize(
    ("word", "spelling"),
    [("always", "олвейс"), ("pantene", "пантин"), ("spice", "спайс"), ("duracell", "дуракелл")],
)
def test_transcription_reads_english_the_way_ads_do(word, spelling):
    assert spelling in readings(word)
