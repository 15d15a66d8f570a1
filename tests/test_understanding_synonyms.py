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
