"""Synonyms from an editable file, both directions and both languages."""

from pathlib import Path

import pytest

from search.analysis.analyzer import default_analyzer
from search.understanding.synonyms import Synonyms


def test_shipped_synonyms_expand_both_ways():
    analyzer = default_analyzer()
    synonyms = Synonyms(analyzer)
    smartphone = analyzer.analyze("смартфонов")[0].terms
    found = dict(synonyms.expand(smartphone))
    assert "телефон" in found and "smartphone" in found
    phone = analyzer.analyze("телефоны")[0].terms
    assert "смартфон" in dict(synonyms.expand(phone))


def test_words_without_synonyms_expand_to_nothing():
    analyzer = default_analyzer()
    assert Synonyms(analyzer).expand(analyzer.analyze("кастрюля")[0].terms) == []


def test_bad_group_is_reported(tmp_path: Path):
    path = tmp_path / "synonyms.txt"
    path.write_text("смартфон\n", encoding="utf-8")
    with pytest.raises(ValueError, match=":1:"):
        Synonyms(default_analyzer(), path)


def test_translations_keep_every_option_and_hand_kept_words_win(tmp_path):
    from search.understanding.expansions import Expansions

    translations = tmp_path / "translations.txt"
    translations.write_text("shampoo = шампунь | средство для волос\nmug = кружка\n", "utf-8")
    product_words = tmp_path / "product_words.txt"
    product_words.write_text("mug = кружка | чашка\n", "utf-8")
    empty = tmp_path / "empty.txt"
    expansions = Expansions(default_analyzer(), empty, empty, translations, product_words)
    assert expansions.translations("shampoo") == ["шампунь", "средство для волос"]
    assert expansions.translations("mug") == ["кружка", "чашка"]
    assert expansions.translations("cup") == []
    found = expansions.alternatives("shampoos", ("shampoo",))
    assert [a.surface for a in found] == ["шампунь", "средство для волос"]
