"""Typos fixed against the catalog vocabulary and the Russian dictionary."""

import pytest

from search.analysis.analyzer import default_analyzer
from search.understanding.lexicon import Lexicon
from search.understanding.spelling import NEAR_KEYS, SpellingCorrector, edits
from search.vocabulary import Vocabulary, VocabularyStore

CATALOG = Vocabulary(
    words={"сумка": 50, "кроссовки": 20, "телефон": 30, "berlingo": 4, "холодильник": 6},
    terms={"сумка": 50, "кроссовка": 20, "кроссовки": 20, "телефон": 30, "berlingo": 4,
           "холодильник": 6, "кожаный": 12},
    products=100,
)  # fmt: skip


@pytest.fixture(scope="module")
def speller() -> SpellingCorrector:
    return SpellingCorrector(Lexicon(default_analyzer(), VocabularyStore.fixed(CATALOG)))


def test_neighbouring_keys_on_both_layouts():
    assert "w" in NEAR_KEYS["q"] and "a" in NEAR_KEYS["q"]
    assert "ц" in NEAR_KEYS["й"] and "ф" in NEAR_KEYS["й"]


def test_near_key_substitution_is_cheaper_than_a_far_one():
    variants = edits("сумка")
    assert variants["сцмка"] < variants["сэмка"]


@pytest.mark.parametrize(
    "typo, fixed",
    [("сумкаа", "сумка"), ("кросовки", "кроссовки"), ("телефлн", "телефон"), ("berlingi", "berlingo"),
     ("холодилник", "холодильник")],
)  # fmt: skip
def test_one_typo_is_fixed(speller, typo, fixed):
    assert speller.correct(typo) == fixed


def test_typo_in_a_word_form_the_catalog_lacks_is_fixed_through_the_dictionary(speller):
    # "кожанные" is not in the catalog, but "кожаные" is a form of its term "кожаный".
    assert speller.correct("кожанные") == "кожаные"


def test_nothing_close_gives_no_correction(speller):
    assert speller.correct("зфкщшвб") is None
    assert speller.correct("абв") is None  # too short to guess


def test_equally_good_corrections_are_decided_the_same_in_every_process():
    """Two web workers must not read one query two ways: candidates that tie (same cost,
    same frequency) are ordered by the word, not by the process's string hash seed."""
    import os
    import subprocess
    import sys

    code = (
        "from search.analysis.analyzer import default_analyzer\n"
        "from search.understanding.lexicon import Lexicon\n"
        "from search.understanding.spelling import SpellingCorrector\n"
        "from search.vocabulary import Vocabulary, VocabularyStore\n"
        "words = {w: 5 for w in ('lamp', 'lame', 'lamb', 'lama')}\n"
        "catalog = Vocabulary(words=words, terms=dict(words), products=20)\n"
        "lexicon = Lexicon(default_analyzer(), VocabularyStore.fixed(catalog))\n"
        "print(SpellingCorrector(lexicon).correct('lamx'))\n"
    )
    answers = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in range(1, 7)
    }
    assert answers == {"lama"}
