"""Words typed in two scripts at once fold to one ("iPhоne" with a Cyrillic "о")."""

from search.analysis.analyzer import default_analyzer
from search.analysis.text import fold_mixed_script, normalize, tokenize


def words(text: str) -> list[str]:
    return [t.text for t in tokenize(normalize(text))]


def test_latin_word_with_a_cyrillic_letter_becomes_latin():
    assert words("iPhоne") == ["iphone"]
    assert words("Samsung Galаxy") == ["samsung", "galaxy"]


def test_cyrillic_word_with_a_latin_letter_becomes_cyrillic():
    assert words("мaгнит") == ["магнит"]


def test_model_numbers_still_fold():
    assert words("15А") == ["15a"]


def test_mixed_word_finds_the_same_terms_as_the_clean_one():
    analyzer = default_analyzer()
    assert analyzer.term_set("iPhоne") == analyzer.term_set("iPhone")
    assert analyzer.term_set("сумкa") == analyzer.term_set("сумка")


def test_word_without_lookalikes_stays():
    assert fold_mixed_script("шzх") == "шzх"
