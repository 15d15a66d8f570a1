"""Queries as shoppers type them, and corrections the catalog does not back (declined)."""

import pytest

from search.analysis.analyzer import default_analyzer
from search.catalog import Product
from search.documents import index_document
from search.understanding.pipeline import QueryUnderstanding
from search.vocabulary import Vocabulary, VocabularyBuilder, VocabularyStore

analyzer = default_analyzer()


def catalog(*titles: dict[str, str] | str) -> Vocabulary:
    builder = VocabularyBuilder()
    for number, title in enumerate(titles):
        product = Product(
            id=str(number),
            title=title if isinstance(title, dict) else {"ru": title},
            category="goods",
            price_usd=1.0,
        )
        builder.add(index_document(product, analyzer), product)
    return builder.vocabulary()


def understanding(*titles: dict[str, str] | str) -> QueryUnderstanding:
    return QueryUnderstanding(analyzer, VocabularyStore.fixed(catalog(*titles)))


COMMON = (
    {"ru": "Колонка портативная JBL", "pt": "Caixa de som portátil JBL"},
    "Ремень ВУ приводной", "Рубашка Milan мужская", "Рубашка Milan белая",
    "Шины летние Cordiant", "Шины зимние Nokian", "Поднос Калифорния 42x30",
    "Поднос деревянный", "Противень SNB гладкий", "Доска разделочная CY-385",
    "Сверло по металлу шлифованное", "Масло эфирное сирени",
)  # fmt: skip


@pytest.fixture(scope="module")
def shop() -> QueryUnderstanding:
    return understanding(*COMMON)


def test_a_word_of_the_page_language_keeps_its_layout(shop):
    # "de" is Portuguese; its Russian-layout reading "ву" is a catalog word here.
    for locale in ("pt", "ru"):
        first = shop.plan("caixa de som", locale).first
        assert first.text == "caixa de som"
        assert first.corrections == ()


def test_a_query_wholly_on_the_wrong_layout_still_switches(shop):
    assert shop.plan("gjlyjc lthtdzyysq", "ru").first.text == "поднос деревянный"


def test_cyrillic_letters_never_become_latin_punctuation(shop):
    # "снб" on the Latin layout is "cy,": a catalog code plus a comma is not a word.
    first = shop.plan("снб гладкий").first
    assert first.text == "snb гладкий"
    assert "layout" not in [c.kind for c in first.corrections]


def test_michelin_is_found_where_the_catalog_has_it():
    found = understanding(*COMMON, "Шины летние Michelin Primacy")
    first = found.plan("мишлен").first
    assert "michelin" in first.match.terms


def test_a_lone_word_no_likely_slip_explains_is_offered_not_applied():
    # "мишлен" is one far-key letter from "милен"; with no other word to confirm it,
    # the fix is only offered, and "малако" (two vowels by ear) is applied.
    shop = understanding(*COMMON, *(["Торт Милена"] * 3), "Молоко пастеризованное")
    plan = shop.plan("мишлен")
    assert plan.first.text == "мишлен" and plan.first.corrections == ()
    assert plan.did_you_mean == "милен"
    assert shop.plan("малако").first.text == "молоко"


def test_michelin_is_not_read_as_another_brand(shop):
    # No Michelin in the catalog: "мишлен" is not Milan (a consonant more is another name).
    for reading in shop.plan("мишлен").readings:
        assert "milan" not in reading.match.terms
    # ...and with a product type the tyres are what is left.
    plan = shop.plan("мишлен шины")
    assert all("milan" not in r.match.terms for r in plan.readings)
    relaxed = [r for r in plan.readings if r.relaxed]
    assert relaxed and all(("шина",) in r.match.required for r in relaxed)


def test_a_typo_that_makes_another_real_word_is_fixed_by_the_rest_of_the_query(shop):
    # "поносов" is a real word, but only "подносов" goes with "калифорнию".
    first = shop.plan("поносов калифорнию").first
    assert first.text == "подносов калифорнию"
    assert [(c.kind, c.target) for c in first.corrections] == [("spelling", "подносов")]


def test_a_dropped_letter_that_leaves_a_real_word(shop):
    assert shop.plan("сверах шлифованное").first.text == "сверлах шлифованное"
    assert shop.plan("малах эфирных").first.text == "маслах эфирных"


def test_did_you_mean_offers_the_rewrite_the_catalog_backs():
    shop = understanding(*(["Маска для лица увлажняющая"] * 6), "Майка с принтом лица")
    plan = shop.plan("майка лица")
    assert plan.first.text == "майка лица"  # a real word that matches is never rewritten
    assert plan.did_you_mean_for(1) == "маска лица"
    assert plan.did_you_mean_for(2) is None  # 6 products is not five times more than 2


def test_two_misspelt_words_confirm_each_other():
    shop = understanding(
        *COMMON, "Сверло по бетону", *(["Лампа дневной свет"] * 5), "Шлифовальная машина"
    )
    # Alone, "сверах" might be "светах"; with "шлифованное" it is "сверлах".
    first = shop.plan("сверах шлифованое").first
    assert first.text == "сверлах шлифованное"


def test_two_typos_in_a_form_the_catalog_lacks():
    # "стабилизатору" with a letter lost and two swapped; the catalog says "стабилизатор".
    shop = understanding(*COMMON, "Стабилизатор напряжения переносной", "Стабильный клей")
    assert shop.plan("стабиизлатору переносная").first.text == "стабилизатор переносная"


def test_everyday_english_shop_words_find_russian_titles():
    shop = understanding(*COMMON, "Игрушка машинка инерционная", "Кружка керамическая")
    first = shop.plan("toy машинка").first
    assert "игрушка" in first.match.terms
    assert "кружка" in shop.plan("mug").first.match.terms


def test_a_three_letter_word_is_fixed_only_where_the_rest_agrees(shop):
    shop = understanding(*COMMON, "Пюре яблочное детское", "Пюре тыквенное")
    assert shop.plan("пре яблочное").first.text == "пюре яблочное"
    assert shop.plan("пре").first.text == "пре"  # alone, three letters say too little


def test_a_lone_latin_name_is_not_read_as_another():
    shop = understanding(*COMMON, *(["Контейнер Idea для хранения"] * 30), "Шлифмашина")
    plan = shop.plan("ikea")
    assert plan.first.text == "ikea"
    assert all("idea" not in r.match.terms for r in plan.readings)


def test_a_foreign_word_the_page_speaks_is_not_translated():
    shop = understanding(
        {"ru": "Зубная паста Colgate", "en": "Colgate toothpaste"}, "Зубная паста детская"
    )
    assert "паста" in shop.plan("toothpaste", "ru").first.match.terms
    assert "паста" not in shop.plan("toothpaste", "en").first.match.terms
