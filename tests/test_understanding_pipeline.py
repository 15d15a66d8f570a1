"""The whole pipeline: readings in order, corrections reported, correct queries untouched."""

import pytest

from search.analysis.analyzer import default_analyzer
from search.understanding.pipeline import QueryUnderstanding
from search.vocabulary import Vocabulary, VocabularyStore

analyzer = default_analyzer()


def catalog(*titles: str) -> Vocabulary:
    words: dict[str, int] = {}
    terms: dict[str, int] = {}
    for title in titles:
        for token in analyzer.analyze(title):
            words[token.surface] = words.get(token.surface, 0) + 1
            for term in token.terms:
                terms[term] = terms.get(term, 0) + 1
    return Vocabulary(words, terms, len(titles))


CATALOG = catalog(
    "Сумка женская кожаная", "Кошелек кожаный", "Смартфон Samsung Galaxy A14",
    "Кроссовки Nike Air Max", "Apple iPhone 13 128 ГБ", "Футболка Gloria Jeans",
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


def test_spelling_is_a_fallback_and_a_hint(understanding):
    plan = understanding.plan("кожаная сумкв")
    assert plan.readings[0].text == "кожаная сумкв"
    spelled = plan.readings[1]
    assert spelled.text == "кожаная сумка"
    assert kinds(spelled) == ["spelling"]
    assert plan.did_you_mean == "кожаная сумка"


def test_relaxed_readings_come_last(understanding):
    readings = understanding.plan("кожаная сумка красная").readings
    assert not readings[0].relaxed
    assert all(r.relaxed for r in readings[1:])
    assert readings[-1].match.required == (readings[0].match.required[0],)


def test_synonym_is_reported_when_the_catalog_has_it(understanding):
    first = understanding.plan("телефон").readings[0]
    assert ("synonym", "смартфон") in [(c.kind, c.target) for c in first.corrections]
    assert "смартфон" in first.match.required[0]


def test_plans_are_cached_per_query(understanding):
    assert understanding.plan("сумка") is understanding.plan("сумка")


def test_nothing_searchable_gives_no_reading(understanding):
    assert understanding.plan("  и  ").readings == ()


def test_curated_alias_is_never_spelled_into_another_word(understanding):
    # "найк" is one edit from "майк" (a form of "майка"), but the alias list knows it.
    for reading in understanding.plan("кроссовки найк зеленые").readings:
        assert "spelling" not in kinds(reading)
        assert "nike" in reading.match.terms
