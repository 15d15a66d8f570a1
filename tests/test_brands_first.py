"""A brand typed in Cyrillic finds that brand's products first (issue 10, third round).

A word read as a brand ("ариэль" -> Ariel) also matches itself, and titles that only
mention it in Cyrillic ("Кукла русалочка ариэль", "Набор пантин рич") outranked the
brand's products: the rarer word scores higher. The brand the catalog confirms is now
an optional group of the reading, so its products come first, unless the word is a
Russian word or name the catalog has with the rest of the query about as often.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.indexing import index_feed
from search.params import SearchParams
from search.understanding.pipeline import QueryUnderstanding
from search.vocabulary import VocabularyStore
from tests.brand_catalogs import analyzer, catalog
from tests.conftest import make_product, write_feed
from vitrina.services import Services

PRODUCTS = [
    make_product("a1", "Стиральный порошок Ariel автомат 3 кг", brand="Ariel"),
    make_product("a2", "Стиральный порошок Ariel колор 4.5 кг", brand="Ariel"),
    make_product("a3", "Гель для стирки Ariel 1.3 л", brand="Ariel"),
    make_product("a4", "Капсулы для стирки Ariel 15 шт", brand="Ariel"),
    make_product("c1", "Кукла русалочка ариэль"),
    make_product("c2", "Пазл ариэль"),
    make_product("p1", "Шампунь Pantene Pro-V густые и крепкие 250 мл", brand="Pantene Pro-V"),
    make_product("p2", "Бальзам-ополаскиватель Pantene Pro-V 200 мл", brand="Pantene Pro-V"),
    make_product("p3", "Набор пантин рич"),
    make_product("h1", "Чай Ahmad Tea зеленый 90 г", brand="Ahmad"),
    make_product("h2", "Чай Ahmad Tea английский завтрак 100 г", brand="Ahmad"),
    make_product("h3", "Набор ахмад 25 пакетиков чай"),
]


@pytest.fixture
def indexed(services: Services, tmp_path: Path) -> Services:
    feed = write_feed(tmp_path / "feed.jsonl", PRODUCTS)
    index_feed(feed, services.indexing_engine, services.settings.ensure_data_dir())
    return services


@pytest.mark.parametrize(
    ("query", "brand"),
    [("ариэль", "Ariel"), ("пантин", "Pantene Pro-V"), ("ахмад чай", "Ahmad")],
)
def test_a_brand_typed_in_cyrillic_finds_its_products_first(indexed, query, brand):
    outcome = indexed.search.run(SearchParams(q=query, locale="ru", country="RU"))
    brands = {p["id"]: p.get("brand") for p in PRODUCTS}
    first = [brands[hit.id] for hit in outcome.result.hits][:2]
    assert first == [brand, brand], outcome.result.hits
    # products that only mention the word in Cyrillic are still found
    assert len(outcome.result.hits) > sum(b == brand for b in brands.values())


def test_a_russian_word_the_catalog_uses_as_often_as_the_brand_is_not_outranked():
    understanding = QueryUnderstanding(
        analyzer,
        VocabularyStore.fixed(
            catalog(
                ("Туфли марко женские черные", None),
                ("Туфли марко женские бежевые", None),
                ("Туфли марко детские", None),
                ("Туфли Marko мужские", "Marko"),
                ("Туфли Marko летние", "Marko"),
                ("Туфли Marko на каблуке", "Marko"),
                ("Туфли Marko кожаные", "Marko"),
                ("Сапоги Marko", "Marko"),
            )
        ),
    )
    reading = understanding.plan("туфли марко", "ru").readings[0]
    assert any("marko" in group for group in reading.match.required), reading  # still found
    assert not reading.match.optional, reading


def test_a_foreign_name_is_the_brand_first_even_where_the_word_is_common():
    understanding = QueryUnderstanding(
        analyzer,
        VocabularyStore.fixed(
            catalog(
                ("Духи версаче женские", None),
                ("Духи версаче мужские", None),
                ("Духи версаче 50 мл", None),
                ("Духи Versace Eros", "Versace"),
                ("Духи Versace Bright Crystal", "Versace"),
            )
        ),
    )
    reading = understanding.plan("версаче", "ru").readings[0]
    assert reading.match.optional == (("versac",),), reading
