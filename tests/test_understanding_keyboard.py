"""Wrong keyboard layout, both directions, decided by plausibility."""

from search.understanding.keyboard import TO_LATIN, TO_RUSSIAN, fix_layout, switch_word

KNOWN = {"сумка", "кожаная", "кошелек", "iphone", "samsung", "чехол"}


def evidence(text: str) -> int | None:
    words = [w for w in text.split() if w.isalpha()]
    if not words:
        return None
    return min(2 if w in KNOWN else 0 for w in words)


def test_punctuation_keys_carry_russian_letters():
    assert switch_word("rj;fyfz") == ("кожаная", TO_RUSSIAN)
    assert switch_word("rf,tkm") == ("кабель", TO_RUSSIAN)
    assert switch_word(".,rf") == ("юбка", TO_RUSSIAN)
    assert switch_word("[kt,") == ("хлеб", TO_RUSSIAN)
    assert switch_word("j,]tv") == ("объем", TO_RUSSIAN)
    assert switch_word("'nf;") == ("этаж", TO_RUSSIAN)
    assert switch_word("`krf") == ("ёлка", TO_RUSSIAN)


def test_punctuation_alone_is_not_a_word():
    assert switch_word(",") is None


def test_russian_layout_typed_for_latin_words():
    assert switch_word("шзрщту") == ("iphone", TO_LATIN)


def test_digits_and_mixed_chunks_are_left_alone():
    assert switch_word("13") is None
    assert switch_word("x5сумка") is None


def test_wrong_layout_query_is_switched_with_certainty():
    fix = fix_layout("cevrf rj;fyfz", evidence)
    assert fix.certain == "сумка кожаная"


def test_correct_latin_words_stay():
    assert fix_layout("iphone 13", evidence).certain == "iphone 13"
    assert fix_layout("samsung", evidence).certain == "samsung"


def test_words_switch_one_by_one():
    assert fix_layout("чехол шзрщту", evidence).certain == "чехол iphone"


def test_undecided_words_follow_the_query_certain_switch():
    # "b" (= "и") is known to neither reading; it follows "cevrf" and "rjitktr".
    assert fix_layout("cevrf b rjitktr", evidence).certain == "сумка и кошелек"


def test_unknown_words_switch_only_hopefully():
    fix = fix_layout("cevrfa", evidence)
    assert fix.certain == "cevrfa"
    assert fix.hopeful == "сумкаф"


def test_word_real_on_both_layouts_follows_the_rest_of_the_query():
    both = KNOWN | {"ver", "мук"}

    def either(text: str) -> int | None:
        words = [w for w in text.split() if w.isalpha()]
        return min(2 if w in both else 0 for w in words) if words else None

    assert fix_layout("ver cevrf", either).certain == "мук сумка"
    assert fix_layout("ver", either).certain == "ver"


def test_a_latin_shaped_word_is_not_hoped_into_russian():
    # "ikea" has a Latin word's vowels; Russian on the Latin layout ("cevrfa") has few.
    assert fix_layout("ikea", evidence).hopeful == "ikea"
    assert fix_layout("cevrfa", evidence).hopeful == "сумкаф"


def test_a_page_language_word_keeps_its_layout():
    def portuguese(chunk: str) -> bool:
        return chunk in {"de", "caixa", "som"}

    def with_vy(text: str) -> int | None:
        words = [w for w in text.split() if w.isalpha() and w not in {"de"}]
        return (
            min(2 if w in KNOWN | {"ву", "caixa", "som"} else 0 for w in words) if words else None
        )

    assert fix_layout("caixa de som", with_vy, portuguese).certain == "caixa de som"
