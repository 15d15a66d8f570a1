"""The whole pipeline: readings in order, corrections reported, correct queries untouched."""

import pytest

from search.analysis.analyzer import default_analyzer
from search.catalog import Product
from search.documents import index_document
from search.understanding.pipeline import QueryUnderstanding
from search.vocabulary import Vocabulary, VocabularyBuilder, VocabularyStore

analyzer = default_analyzer()


def catalog(*titles: str | tuple[str, str]) -> Vocabulary:
    """A vocabulary built the way the indexer builds it: (title, brand) or a title."""
    builder = VocabularyBuilder()
    for number, entry in enumerate(titles):
        title, brand = entry if isinstance(entry, tuple) else (entry, None)
        product = Product(
            id=str(number), title={"ru": title}, category="food", price_usd=1.0, brand=brand
        )
        builder.add(index_document(product, analyzer), product)
    return builder.vocabulary()


CATALOG = catalog(
    "Сумка женская кожаная", "Кошелек кожаный", "Смартфон Samsung Galaxy A14",
    "Кроссовки Nike Air Max", "Apple iPhone 13 128 ГБ", "Футболка Gloria Jeans",
    ("Кофе молотый Tchibo Exclusive", "Tchibo"), ("Пиво светлое Heineken", "Heineken"),
    ("Сыр плавленый Hochland", "Hochland"), ("Горошек зеленый Bonduelle", "Bonduelle"),
    ("Розетка Schneider Electric Sedna", "Schneider Electric"), "Пиво светлое жигулевское",
    ("Дрель ударная Bosch", "Bosch"), ("Миксер Bosch MFQ", "Bosch"), "Дрель Makita",
    "Колбаса с/к салями", "Чайник электрический Scarlett", "Молоко пастеризованное 3.2%",
    "Шампунь для волос", "Носки х/б мужские", "Футболка хлопок",
)  # fmt: skip


@pytest.fixture(scope="module")
def understanding() -> QueryUnderstanding:
    return QueryUnderstanding(analyzer, VocabularyStore.fixed(CATALOG))


def kinds(reading) -> list[str]:
    return [c.kind for c in reading.corrections]


def test_certain_layout_fix_comes_first(understanding):
    first = understanding.plan("cevrf rj;fyfz").readings[0]
    assert first.text == "сумка кожаная"
    assert kinds(first)[0] == "layout"
    assert first.corrections[0].to_dict() == {
        "kind": "layout",
        "from": "cevrf rj;fyfz",
        "to": "сумка кожаная",
    }


def test_correct_latin_query_is_left_as_typed(understanding):
    first = understanding.plan("iphone 13").readings[0]
    assert first.text == "iphone 13"
    assert first.corrections == ()


def test_cyrillic_brand_matches_its_latin_spelling(understanding):
    first = understanding.plan("самсунг галакси").readings[0]
    assert first.match.required[0][-1] == "samsung"
    assert "galaxi" in first.match.required[1]  # English stem of "galaxy"
    assert kinds(first) == ["translit", "translit"]


def test_multi_word_brand(understanding):
    first = understanding.plan("глория джинс").readings[0]
    assert [c.target for c in first.corrections if c.kind == "translit"] == ["gloria", "jeans"]


def test_a_word_matching_nothing_is_spelled_into_what_the_catalog_has(understanding):
    first = understanding.plan("кожаная сумкв").first
    assert first.text == "кожаная сумка"
    assert kinds(first) == ["spelling"]
    # the reading as typed stays a fallback
    assert "кожаная сумкв" in [r.text for r in understanding.plan("кожаная сумкв").fallbacks]


def test_two_typos_in_one_word(understanding):
    assert understanding.plan("пастеризаванне молоко").first.text == "пастеризованное молоко"


def test_relaxed_readings_keep_the_head_noun(understanding):
    readings = understanding.plan("кожаная сумка красная").readings
    assert not readings[0].relaxed
    assert all(r.relaxed for r in readings[1:])
    head = readings[0].match.required[1]  # "сумка" (with its synonym "bag")
    assert all(head in r.match.required for r in readings[1:])
    # brand + product type: the product type stays required, the brand goes optional
    relaxed = understanding.plan("дрель бош беспроводная").fallbacks
    assert relaxed and all(("дрель",) in r.match.required for r in relaxed)


@pytest.mark.parametrize(
    "typed, latin",
    [("чибо кофе", "tchibo"), ("хайнекен пиво", "heineken"), ("хохланд сыр", "hochland"),
     ("бондюэль горошек", "bonduelle"), ("шнайдер электрик розетка", "schneider electric")],
)  # fmt: skip
def test_brands_as_russians_write_them(understanding, typed, latin):
    first = understanding.plan(typed).first
    assert ("translit", latin) in [(c.kind, c.target) for c in first.corrections]


def test_russian_spelling_comes_before_transliteration(understanding):
    first = understanding.plan("малоко").first
    assert first.text == "молоко" and kinds(first) == ["spelling"]


def test_abbreviations_both_ways(understanding):
    assert "с/к" in understanding.plan("колбаса сырокопченая").first.match.terms
    assert "хлопок" in understanding.plan("носки х/б").first.match.terms


def test_compound_word_finds_the_two_word_name(understanding):
    required = understanding.plan("электрочайник").first.match.required
    assert required == (("электрочайник", "чайник"), ("электрочайник", "электрический"))


def test_english_product_word_finds_the_russian_title(understanding):
    first = understanding.plan("shampoo").first
    assert "шампунь" in first.match.terms
    assert ("synonym", "шампунь") in [(c.kind, c.target) for c in first.corrections]


def test_did_you_mean_when_a_real_word_finds_much_less(understanding):
    # "пиво светлое" is everywhere; "пиво светлоу" is a typo; "пиво светлов" is real-ish
    plan = understanding.plan("кошелек кожаный")
    assert plan.did_you_mean_for(1) is None  # nothing better exists


def test_synonym_is_reported_when_the_catalog_has_it(understanding):
    first = understanding.plan("телефон").readings[0]
    assert ("synonym", "смартфон") in [(c.kind, c.target) for c in first.corrections]
    assert "смартфон" in first.match.required[0]


def test_plans_are_cached_per_query(understanding):
    assert understanding.plan("сумка") is understanding.plan("сумка")


def test_nothing_searchable_gives_no_reading(understanding):
    assert understanding.plan("  и  ").readings == ()


def test_one_letter_words_are_never_switched(understanding):
    assert understanding.plan("ыфьыгтп в").first.text.endswith(" в")


def test_curated_alias_is_never_spelled_into_another_word(understanding):
    # "найк" is one edit from "майк" (a form of "майка"), but the alias list knows it.
    for reading in understanding.plan("кроссовки найк зеленые").readings:
        assert "spelling" not in kinds(reading)
        assert "nike" in reading.match.terms
