"""Per-language normalization: every way a shopper outside Russia writes a word finds it."""

from __future__ import annotations

import pytest

from search.analysis.analyzer import default_analyzer
from search.analysis.morphology import latin_stemmer_name
from search.analysis.text import normalize, umlaut_spellings
from search.catalog import Product
from search.documents import index_document


@pytest.fixture(scope="module")
def analyzer():
    return default_analyzer()


def terms(analyzer, text: str, language: str | None = None) -> list[set[str]]:
    return [set(t.terms) for t in analyzer.analyze(text, language)]


def matches(analyzer, query: str, title: str, language: str) -> bool:
    """Whether every query word shares a term with the title indexed in `language`."""
    indexed = set(analyzer.index_terms(title, language=language).split())
    return all(group & indexed for group in terms(analyzer, query, language))


@pytest.mark.parametrize(
    ("written", "plain"),
    [
        ("أحذية", "احذيه"),  # hamza on alef, teh marbuta
        ("إطار", "اطار"),
        ("آيفون", "ايفون"),
        ("مستشفى", "مستشفي"),  # alef maksura
        ("ساعـــة", "ساعه"),  # tatweel
        ("حَقِيبَةٌ", "حقيبه"),  # harakat and tanween
        ("ٱلساعة", "الساعه"),  # alef wasla
        ("کیف", "كيف"),  # Persian keheh and yeh
        ("ڤيليبس", "فيليبس"),  # veh for a Latin v
        ("پوما", "بوما"),  # peh for a Latin p
    ],
)
def test_arabic_letter_variants_fold(written, plain):
    assert normalize(written) == plain


def test_arabic_indic_digits_are_numbers(analyzer):
    assert terms(analyzer, "ذاكرة ٢٥٦ جيجابايت", "ar")[1] == {"256"}
    assert terms(analyzer, "۱۲۸GB")[0] == {"128gb"}
    assert normalize("٦٫٥") == "6.5"


@pytest.mark.parametrize(
    ("query", "title", "language"),
    [
        ("strasse", "Straße", "de"),
        ("straße", "Strasse", "de"),
        ("mueller", "Müller Milchreis", "de"),
        ("muller", "Müller Milchreis", "de"),
        ("müller", "Mueller", "de"),
        ("kopfhoerer", "Kopfhörer kabellos", "de"),
        ("mueller", "Молочный рис Müller", "ru"),  # a German brand in a Russian title
        ("cafe", "Café molido", "es"),
        ("camion", "Camión de juguete", "es"),
        ("sandalia", "Sandália feminina", "pt"),
        ("coracao", "Colar coração", "pt"),
        ("creme brulee", "Crème brûlée", "en"),
        ("pinguino", "Pingüino de peluche", "es"),
    ],
)
def test_accents_umlauts_and_sharp_s_fold(analyzer, query, title, language):
    assert matches(analyzer, query, title, language)


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("ساعة ذكية", "ساعة هواوي الذكية"),  # the article changes Snowball's stem
        ("سماعات لاسلكية", "سماعات شاومي اللاسلكية"),
        ("عطر للرجال", "عطر عود رجالي"),
        ("حقيبة جلد", "حقيبة يد بالجلد الطبيعي"),
    ],
)
def test_arabic_words_match_with_or_without_the_article(analyzer, query, title):
    assert matches(analyzer, query, title, "ar")


def test_umlauts_have_both_plain_spellings():
    assert umlaut_spellings("müller") == ("muller", "mueller")
    assert umlaut_spellings("bag") == ("bag",)


@pytest.mark.parametrize(
    ("query", "title", "language"),
    [
        # Spanish plural and gender (Snowball, with the singular of -es/-ces plurals)
        ("zapato rojo", "Zapatos rojos de cuero", "es"),
        ("zapatillas blancas", "Zapatilla blanca", "es"),
        ("bolso negro", "Bolsos negros", "es"),
        ("mujeres", "Reloj de mujer", "es"),
        ("mujer", "Ropa para mujeres", "es"),
        ("auricular", "Auriculares inalámbricos", "es"),
        ("luz", "Luces LED", "es"),
        ("relojes", "Reloj inteligente", "es"),
        # Portuguese plural and gender, nasal plurals too
        ("bolsa de couro", "Bolsas de couro legítimo", "pt"),
        ("vestido vermelho", "Vestidos vermelhas", "pt"),
        ("botao", "Botões de camisa", "pt"),
        ("coracoes", "Colar coração", "pt"),
        ("anel", "Anéis de prata", "pt"),
        ("bagagem", "Bagagens de mão", "pt"),
        ("infantil", "Tênis infantis", "pt"),
        ("tenis", "Tênis", "pt"),
        # German plurals
        ("schuh", "Schuhe für Damen", "de"),
        ("taschen", "Tasche aus Leder", "de"),
    ],
)
def test_plural_and_gender_through_snowball(analyzer, query, title, language):
    assert matches(analyzer, query, title, language)


def test_each_title_is_stemmed_in_its_own_language(analyzer):
    product = Product(
        id="1",
        title={"es": "Zapatos de mujer", "pt": "Sapatos femininos", "ru": "Туфли Samsung"},
        category="shoes",
        price_usd=1.0,
    )
    indexed = set(index_document(product, analyzer)["title"].split())
    assert {"zapat", "muj", "sapat", "feminin", "туфля", "samsung"} <= indexed
    # English stems too, so a brand or loanword matches from any page
    assert "zapato" in indexed


def test_a_spanish_word_does_not_match_an_english_one_by_accident(analyzer):
    # "casa" (house) typed on /es/ and "case" (phone case) in an English title stay
    # apart: each side is stemmed in its own language (Spanish Snowball has both "cas").
    english_title = set(analyzer.index_terms("Phone case", language="en").split())
    assert not terms(analyzer, "casa", "es")[0] & english_title
    assert matches(analyzer, "casas", "Casa de muñecas", "es")


def test_stemmer_per_locale():
    assert latin_stemmer_name("pt_BR") == "portuguese"
    assert latin_stemmer_name("es-MX") == "spanish"
    assert latin_stemmer_name("de") == "german"
    assert latin_stemmer_name("fr") == "french"
    for code in ("en", "ru", "ar", "xx", None):
        assert latin_stemmer_name(code) is None
