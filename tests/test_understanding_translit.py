"""Cyrillic-typed brands found through the catalog's Latin vocabulary."""

from pathlib import Path

import pytest

from search.understanding.translit import Transliterator, load_aliases, romanize, skeleton
from search.vocabulary import Vocabulary

CATALOG = Vocabulary(
    words={
        "samsung": 40,
        "galaxy": 30,
        "gloria": 5,
        "jeans": 9,
        "philips": 7,
        "nestle": 3,
        "smoke": 2,
    },
    terms={"samsung": 40, "galaxi": 30, "сумка": 50},
    products=100,
)


@pytest.fixture
def translit() -> Transliterator:
    return Transliterator(aliases={"сяоми": "xiaomi"})


def test_same_skeleton_in_both_scripts():
    assert skeleton("самсунг") == skeleton("samsung") == "smsng"
    assert skeleton("галакси") == skeleton("galaxy")
    assert skeleton("джинс") == skeleton("jeans")
    assert romanize("галакси") == "galaxi"


@pytest.mark.parametrize(
    "typed, latin",
    [("самсунг", "samsung"), ("галакси", "galaxy"), ("глория", "gloria"), ("джинс", "jeans"),
     ("филипс", "philips"), ("нестле", "nestle")],
)  # fmt: skip
def test_brands_typed_in_cyrillic_find_catalog_spelling(translit, typed, latin):
    assert translit.latin(typed, CATALOG)[0] == latin


def test_aliases_cover_what_phonetics_cannot(translit):
    assert translit.latin("сяоми", CATALOG) == ("xiaomi", 0)


def test_russian_words_do_not_turn_into_unrelated_latin_words(translit):
    assert translit.latin("сумка", CATALOG) is None  # skeleton "smk" ~ "smoke", but too far


def test_shipped_alias_file_parses():
    aliases = load_aliases()
    assert aliases["айфон"] == "iphone"
    assert aliases["найк"] == "nike"


def test_bad_alias_line_is_reported_with_its_number(tmp_path: Path):
    path = tmp_path / "aliases.txt"
    path.write_text("# ok\nнайк = nike\nброken line\n", encoding="utf-8")
    with pytest.raises(ValueError, match=":3:"):
        load_aliases(path)


def test_russian_typed_in_latin_letters_finds_the_cyrillic_word(translit):
    catalog = Vocabulary(words={"кожаная": 12, "сумка": 30, "samsung": 40}, terms={}, products=50)
    assert translit.latin("kozhanaya", catalog) == ("кожаная", 12)
    assert translit.latin("sumka", catalog) == ("сумка", 30)
    assert translit.latin("samsung", catalog) is None  # no Cyrillic spelling in this catalog
