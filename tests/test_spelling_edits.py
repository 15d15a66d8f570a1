"""The one-edit variants and their pruning give the answers of the plain construction.

`edits` makes the variants in C-level batches and, given `upto`/`tails`, only those
that can still be catalog words or forms whose stem begins like one; the speller's
candidates must be exactly those of every variant scored (the reference below is the
construction the speller used before, kept here to compare with).
"""

import math
import random

import pytest

from search.analysis.analyzer import default_analyzer
from search.analysis.morphology import morph_analyzer
from search.analysis.text import is_cyrillic
from search.understanding.keyboard import NEAR_KEYS, ROW_KEYS
from search.understanding.lexicon import Lexicon
from search.understanding.spelling import (
    DOUBLE_LETTER_COST,
    LATIN_ALPHABET,
    MAX_CANDIDATES,
    NEAR_KEY_COST,
    OMISSION_COST,
    OTHER_COST,
    RUSSIAN_ALPHABET,
    SLIP_COST,
    SOUNDS_ALIKE,
    TRANSPOSE_COST,
    TWO_VOWELS_COST,
    SpellingCorrector,
    edits,
    valid_prefix,
)
from search.vocabulary import Vocabulary, VocabularyStore


def reference_edits(word: str) -> dict[str, float]:
    """Every variant one edit away, one at a time (the construction `edits` replaced)."""
    alphabet = RUSSIAN_ALPHABET if is_cyrillic(word) else LATIN_ALPHABET
    found: dict[str, float] = {}
    for i, char in enumerate(word):
        left, right = word[:i], word[i + 1 :]
        near = NEAR_KEYS.get(char, frozenset())
        sounds = SOUNDS_ALIKE.get(char, "")
        for letter in alphabet:
            found[left + letter + right] = (
                NEAR_KEY_COST if letter in near else VOWEL_COST if letter in sounds else OTHER_COST
            )
        if right and right[0] != char:
            found[left + right[0] + char + right[1:]] = TRANSPOSE_COST
        doubled = left[-1:] == char or right[:1] == char
        row = ROW_KEYS.get(char, frozenset())
        slipped = left[-1:] in row or right[:1] in row
        found[left + right] = (
            DOUBLE_LETTER_COST
            if doubled
            else SLIP_COST
            if slipped and (left or right)
            else OTHER_COST
        )
    for i in range(len(word) + 1):
        left, right = word[:i], word[i:]
        for letter in alphabet:
            found[left + letter + right] = (
                DOUBLE_LETTER_COST if letter in (left[-1:], right[:1]) else OMISSION_COST
            )
    vowels = [(i, SOUNDS_ALIKE[c]) for i, c in enumerate(word) if c in SOUNDS_ALIKE]
    for a, (i, first) in enumerate(vowels):
        for j, second in vowels[a + 1 :]:
            for x in first:
                for y in second:
                    variant = word[:i] + x + word[i + 1 : j] + y + word[j + 1 :]
                    found.setdefault(variant, TWO_VOWELS_COST)
    found.pop(word, None)
    return found


VOWEL_COST = 0.5
SPECIAL = ["молоко", "наибелейших", "наиболее", "крупнейший", "свежайшая", "ааббвв", "сумкаx",
           "ikea", "xiaomi", "zz", "а", "кошелек", "шелковый", "йогурт", "наушники", "найти"]  # fmt: skip


def some_words(count: int, seed: int = 3) -> list[str]:
    rnd = random.Random(seed)
    russian, mixed = RUSSIAN_ALPHABET, RUSSIAN_ALPHABET + "ax"
    words = list(SPECIAL)
    for _ in range(count):
        letters = russian if rnd.random() < 0.8 else mixed if rnd.random() < 0.5 else "abeiou"
        words.append("".join(rnd.choice(letters) for _ in range(rnd.randint(1, 11))))
    return words


def test_the_variants_and_their_costs_and_order_are_those_of_one_at_a_time():
    from search.understanding import spelling

    assert spelling.VOWEL_COST == VOWEL_COST
    for word in some_words(1500):
        made, expected = edits(word), reference_edits(word)
        assert made == expected, word
        assert list(made) == list(expected), word


@pytest.mark.parametrize("word", ["молоко", "наибелейших", "кошелек", "сумкаx", "ааббвв", "ikea"])
def test_a_pruned_construction_keeps_what_it_promises_at_the_full_cost(word):
    full = reference_edits(word)
    for upto in range(len(word) + 1):
        for tails in (
            frozenset(),
            frozenset({len(word)}),
            frozenset({len(word) - 1, len(word) + 1}),
        ):
            made = edits(word, upto, tails)
            assert all(made[v] == full[v] for v in made)
            promised = {v for v in full if v[: upto + 1] != word[: upto + 1] or len(v) in tails}
            assert promised <= set(made), (upto, tails)
            assert len(made) < len(full) or upto >= len(word) - 1 or tails


def test_valid_prefix_is_the_longest_beginning_some_key_has():
    keys = ["молоко", "молот", "сумка", "сумкин"]

    def begins(prefix: str) -> bool:
        return any(k.startswith(prefix) for k in keys)

    for word in ["молоко", "моллко", "сумочка", "арбуз", "сумкинский", "мо", ""]:
        expected = max(k for k in range(len(word) + 1) if begins(word[:k]))
        assert valid_prefix(word, begins) == expected, word


# A catalog whose words begin like many typos: forms the catalog lacks ("молоку"),
# superlatives ("наи-", "-ейш-") whose stems are made otherwise, short and long words.
CATALOG_WORDS = {
    "молоко": 40, "молоток": 6, "сумка": 50, "сумки": 20, "кошелек": 9, "шелковый": 7,
    "крупный": 8, "свежий": 12, "белый": 30, "наибольший": 2, "наушники": 11, "йогурт": 15,
    "кроссовки": 20, "телефон": 30, "холодильник": 6, "сверло": 5, "шлифовальный": 3,
    "кожаный": 12, "платье": 25, "футболка": 22, "чайник": 14, "электрический": 9,
}  # fmt: skip


@pytest.fixture(scope="module")
def catalog() -> tuple[SpellingCorrector, Vocabulary]:
    analyzer = default_analyzer()
    terms: dict[str, int] = {}
    for word, df in CATALOG_WORDS.items():
        for term in analyzer.words.lemmas(word):
            terms[term] = max(terms.get(term, 0), df)
    vocabulary = Vocabulary(words=dict(CATALOG_WORDS), terms=terms, products=100)
    speller = SpellingCorrector(Lexicon(analyzer, VocabularyStore.fixed(vocabulary)))
    return speller, vocabulary


def typos(words: list[str], seed: int = 5, per: int = 12) -> list[str]:
    """Each word damaged once or twice anywhere (the pruning depends on where)."""
    rnd = random.Random(seed)
    found = []
    for word in words:
        for _ in range(per):
            damaged = word
            for _ in range(rnd.randint(1, 2)):
                options = list(reference_edits(damaged))
                damaged = rnd.choice(options) if options else damaged
            found.append(damaged)
    return found


def test_the_candidates_are_those_of_every_variant_scored(catalog):
    speller, vocabulary = catalog
    # every form of the catalog's words, as the dictionary has them: typos of forms the
    # catalog lacks are fixed through their stems
    forms = {
        form.word.replace("ё", "е")
        for word in CATALOG_WORDS
        for form in morph_analyzer().parse(word)[0].lexeme
    }
    words = [*CATALOG_WORDS, "наибелейших", "свежайшая", "крупнейшего"]
    damaged = [*typos(words), *typos(sorted(forms), per=3)]
    dictionary = morph_analyzer().dictionary.words
    checked = pruned = by_letter = 0
    for word in [*damaged, *SPECIAL, "наибелейшиз", "крупнейщий", "свежайщая"]:
        if len(word) < 3 or not word.isalpha():
            continue
        cyrillic = is_cyrillic(word)
        scored = speller._score(reference_edits(word), vocabulary, dictionary, cyrillic)
        expected = sorted(scored.items(), key=lambda item: (item[1], item[0]))[:MAX_CANDIDATES]
        assert speller.candidates(word, vocabulary, two_edits=False) == expected, word
        upto, _, begins = speller._needed_edits(word, vocabulary)
        checked += 1
        pruned += upto is not None
        by_letter += begins is not None and len(word) >= 7
    assert checked > 200 and pruned > checked // 3  # the pruning was exercised
    assert by_letter > checked // 3


def test_two_edits_add_to_the_one_edit_candidates_as_if_scored_together(catalog):
    speller, vocabulary = catalog
    forms = morph_analyzer().dictionary.words
    for word in typos(list(CATALOG_WORDS), seed=9):
        if len(word) < 5 or not word.isalpha():
            continue
        cyrillic = is_cyrillic(word)
        scored = speller._score(reference_edits(word), vocabulary, forms, cyrillic)
        two = speller._two_edits(word, vocabulary)
        for candidate, score in speller._score(two, vocabulary, forms, cyrillic).items():
            scored.setdefault(candidate, score)
        expected = sorted(scored.items(), key=lambda item: (item[1], item[0]))[:MAX_CANDIDATES]
        speller._cache.clear()
        assert speller.candidates(word, vocabulary) == expected, word


# Near words: Latin and Cyrillic words, words with a letter of the other alphabet (an
# edit typing it is not one `edits` makes), doubled letters and vowels by ear.
NEAR_WORDS = {
    "молоко": 40, "малако": 1, "молока": 9, "молотко": 2, "сумкa": 3, "сумки": 20,
    "сумка": 50, "сумкаа": 1, "сумочка": 4, "samsung": 30, "samsyng": 1, "samsumg": 2,
    "sumsung": 5, "кроссовки": 20, "кросовки": 3, "крссовки": 1, "кроссовкиx": 2,
    "телефон": 30, "телефоны": 12, "тeлефон": 4, "аллергия": 2, "алергия": 7, "тумка": 4,
    "умка": 6, "ссумка": 3,
}  # fmt: skip


def reference_near(word: str, words: dict[str, int], min_df: int) -> list[tuple[str, float]]:
    from search.understanding.spelling import FREQUENCY_WEIGHT

    found = [
        (other, OMISSION_COST - FREQUENCY_WEIGHT * math.log10(1 + words[other]))
        for other in reference_edits(word).keys() & words.keys()
        if other[0] == word[0] and words[other] >= min_df
    ]
    return sorted(found, key=lambda item: (item[1], item[0]))[:MAX_CANDIDATES]


def test_near_catalog_words_are_the_catalog_words_among_the_variants():
    analyzer = default_analyzer()
    vocabulary = Vocabulary(words=dict(NEAR_WORDS), terms={"молоко": 40}, products=100)
    speller = SpellingCorrector(Lexicon(analyzer, VocabularyStore.fixed(vocabulary)))
    asked = [*NEAR_WORDS, *typos(list(NEAR_WORDS), seed=7, per=6), "сумкб", "телефонx"]
    found_any = 0
    for word in asked:
        for min_df in (1, 3):
            expected = reference_near(word, NEAR_WORDS, min_df) if len(word) >= 5 else []
            if not word.isalpha():
                expected = []
            assert speller.near_catalog_words(word, vocabulary, min_df=min_df) == expected, (
                word,
                min_df,
            )
            found_any += bool(expected)
    assert found_any > 100


def test_the_cost_tables_of_typed_letters_stay_bounded():
    from search.understanding import spelling

    for code in range(0x4E00, 0x4E00 + 3 * spelling._CACHE_SIZE):  # CJK letters
        edits("a" + chr(code))
    assert 0 < len(spelling._SUBSTITUTIONS) <= spelling._CACHE_SIZE
    assert edits("сумка") == reference_edits("сумка")
