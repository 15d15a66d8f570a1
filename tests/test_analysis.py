"""Text analysis: the same terms for every way a shopper writes a word."""

from __future__ import annotations

import pytest

from search.analysis.analyzer import Analyzer, default_analyzer
from search.analysis.text import normalize, tokenize, umlaut_spellings
from tests.conftest import shared_data


@pytest.fixture(scope="module")
def analyzer():
    return default_analyzer()


def terms(analyzer, text: str) -> list[tuple[str, ...]]:
    return [t.terms for t in analyzer.analyze(text)]


@pytest.mark.parametrize(
    "written",
    ["64гб", "64 ГБ", "64 GB", "64Gb", "64 гб"],
)
def test_numbers_with_units_are_one_term(analyzer, written):
    assert terms(analyzer, written) == [("64gb",)]


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("0,5 л", "0.5л"),
        ("200г", "200 гр"),
        ("Вода 0,50 л", "вода 0.5 л"),
        ("Ёлка", "елка"),
        ("Crème brûlée", "creme brulee"),
        ("iPhone 15А", "iphone 15a"),  # Cyrillic А in a model number
        ("кожаные сумки", "Сумка кожаная"),
        ("КРОССОВКИ!!!", "кроссовок"),
    ],
)
def test_equivalent_spellings_share_terms(analyzer, left, right):
    left_terms = {t for group in terms(analyzer, left) for t in group}
    right_terms = {t for group in terms(analyzer, right) for t in group}
    assert left_terms & right_terms
    assert len(terms(analyzer, left)) == len(terms(analyzer, right))


def test_ambiguous_forms_keep_every_dictionary_lemma(analyzer):
    assert {"цвет", "цветок"} <= set(terms(analyzer, "цветам")[0])
    assert "бычок" in terms(analyzer, "бычков")[0]
    assert "пластик" in terms(analyzer, "пластики")[0]


def test_dropped_vowels_still_reach_the_lemma(analyzer):
    # Snowball leaves these as they are; pymorphy3 knows the lemma.
    assert terms(analyzer, "сумок") == [("сумка",)]
    assert terms(analyzer, "колец") == [("кольцо",)]


def test_english_words_are_stemmed(analyzer):
    assert terms(analyzer, "sneakers phones") == [("sneaker",), ("phone",)]


def test_stop_words_are_dropped_but_bez_is_kept(analyzer):
    assert [t.surface for t in analyzer.analyze("чехол для телефона")] == ["чехол", "телефона"]
    assert [t.surface for t in analyzer.analyze("чай без сахара")] == ["чай", "без", "сахара"]


def test_punctuation_and_case_fold():
    assert [t.text for t in tokenize(normalize("Сумка-ШОППЕР, (кожа)"))] == [
        "сумка",
        "шоппер",
        "кожа",
    ]


INDEXED_TEXTS = [
    "Смартфон Samsung Galaxy A54 5G 8/256 ГБ, чёрный",
    "Сок яблочный 0,5 л и 2 л, 64 gb 64 gb gb, 5 в 1, 12 v 2х64 гб 1 2 мм 64 -гб 3 %",
    "Крем д/рук 75 мл с/к пл/бут абвг/д 1/2 шт 10 шт. 7 MAH 220 в 60 W 1.5 kg",
    "iPhоne 12 мaгнит Müller Straße Größe Ärger naïve café 15А ﬁne Ｆｕｌｌ x_y",
    "Bürostuhl für Mädchen 28 Größe, Schlüsselanhänger grün",
    "ساعة يد رجالية من الجلد والساعة ٣٠ ساعة",
    "auriculares mujeres botões 2.5.1 007 0,50 1e5 gb 5",
    "не без и в на с для 5",
    "",
]


@pytest.mark.parametrize("language", ["ru", "de", "es", "pt_BR", "en", "ar", None])
@pytest.mark.parametrize("text", INDEXED_TEXTS)
def test_index_terms_match_analyze(text, language):
    # index_terms remembers what each match of the tokenizer becomes (spaced units are
    # joined where tokenize joins them): the same terms, the first time and the next.
    analyzer = Analyzer()
    tokens = analyzer.analyze(text, language)
    expected = " ".join(t for token in tokens for t in token.terms)
    raw_tokens = tokenize(normalize(text, keep_umlauts=True))
    words = [umlaut_spellings(raw.text)[0] for raw in raw_tokens if raw.kind == "word"]
    for _ in range(2):
        surface: list[str] = []
        assert analyzer.index_terms(text, surface, language) == expected
        assert surface == words


@pytest.mark.parametrize("language", ["ru", "de", "es", "pt", "en", "ar", None])
def test_a_displayed_word_has_the_terms_its_analysis_gives(language):
    # word_terms (highlighting, the indexer's title marks) reads most words without
    # tokenizing them: the same terms as the full analysis of the word.
    analyzer = Analyzer()
    words = ["Сумки", "iPhоne", "мaгнит", "Müller", "Straße", "ÆON", "İstanbul", "и", "В",
             "café", "naïve", "ёлка", "64гб", "с/к", "x_y", "ﬁne", "Ⅻ", "ß", "mañana", "Ärger",
             "mujeres", "botões", "ОДНА", "الساعة", "Ｆｕｌｌ", "12,5", "Galaxy", "не", "без"]  # fmt: skip
    for word in words:
        expected = frozenset(analyzer.term_set(word, language))
        assert analyzer.word_terms(word, language) == expected, word


def test_lemma_accuracy_on_universal_dependencies(analyzer):
    """The best lemma matches the gold lemma of UD Russian GSD for >= 90% of words."""
    path = shared_data("ud/ru_gsd-ud-test.conllu")
    total = right = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if len(cols) != 10 or not cols[0].isdigit() or cols[3] in ("PUNCT", "NUM", "SYM", "X"):
            continue
        word, gold = cols[1].lower().replace("ё", "е"), cols[2].lower().replace("ё", "е")
        if not word.isalpha() or not any("а" <= c <= "я" for c in word):
            continue
        total += 1
        right += analyzer.words.best_lemma(word) == gold
    accuracy = right / total
    print(f"UD ru_gsd lemma accuracy: {accuracy:.3f} over {total} words")
    assert total > 5_000
    assert accuracy >= 0.90
