"""A multi-word brand whose later words are written by ear, not by any transcription rule
the lexicon keeps (issue 10, third round): "ле пти марсель" is Le Petit Marseillais
("марсель" is how Russians hear Marseillais; "le" is too short for the lexicon's
word readings). Each word after the first is matched against the words that continue
the brands read so far, vowels and sound pairs forgiven.
"""

from __future__ import annotations

import pytest

from search.understanding.brands import BrandLexicon, build_readings
from search.understanding.pipeline import QueryUnderstanding
from search.vocabulary import VocabularyStore
from tests.brand_catalogs import analyzer, catalog, latin_terms

CATALOG = catalog(
    ("Гель для душа Le Petit Marseillais мимоза 250 мл", "Le Petit Marseillais"),
    ("Маска для волос Le Petit Marseillais 300 мл", "Le Petit Marseillais"),
    ("Гель для душа Le Petit Olivier", "Le Petit Olivier"),
    ("Коньяк марсель 3 звезды 0.5 л", None),
    ("Полотенце махровое марсель", None),
    ("Светильник LED потолочный", None),
)


@pytest.fixture
def understanding() -> QueryUnderstanding:
    # a fresh one each time: the phrase tables are built on the first question
    return QueryUnderstanding(analyzer, VocabularyStore.fixed(CATALOG))


@pytest.mark.parametrize(
    "query", ["ле пти марсель", "ле пти марсель гель для душа", "ле петит марсель"]
)
def test_a_brand_phrase_heard_by_ear_reaches_the_brand(understanding, query):
    reading = understanding.plan(query, "ru").readings[0]
    assert {"petit", "marseillai"} <= latin_terms(reading), reading


def test_the_next_word_must_sound_like_the_brands_own():
    lexicon = BrandLexicon(build_readings(CATALOG.words, CATALOG.brands), CATALOG.brands)
    known = lambda word: CATALOG.word_df(word) > 0  # noqa: E731
    assert lexicon.phrase_match(["ле", "пти", "марсель"], known) == "le petit marseillais"
    assert lexicon.phrase_match(["ле", "пти", "оливье"], known) == "le petit olivier"
    assert lexicon.phrase_match(["ле", "пти", "коньяк"], known) is None
