"""Query rules, synonyms and brand aliases live in every serving process: matching on the
understood query, reloading on the next search after a change made elsewhere, and never
taking search down with a broken data file or a database that does not answer."""

from __future__ import annotations

import logging
import time
from datetime import date, timedelta

import pytest

from search.params import SearchParams
from search.rules import QueryRule, RuleBook, compile_rules, same_query
from search.tuning import SearchTuning
from search.understanding.base import Correction, Interpretation
from search.understanding.editable import DataError, read_synonyms_file, validate_synonyms
from search.understanding.pipeline import QueryUnderstanding
from tests.admin_fixtures import *  # noqa: F403 (the fixtures)
from vitrina.services import Services

NOODLES = "demo-0300"


def first_ids(services: Services, q: str, **params) -> list[str]:
    outcome = services.search.run(SearchParams(q=q, **params), observed=False)
    return [hit.id for hit in outcome.result.hits]


# -- matching -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def understanding():
    from search.analysis.analyzer import default_analyzer

    return QueryUnderstanding(default_analyzer())


def key(understanding, query: str):
    from search.rules import reading_key

    return reading_key(understanding.analyzer, understanding.plan(query).first)


@pytest.mark.parametrize(
    ("rule", "typed", "same"),
    [
        ("смартфон", "смартфоны", True),
        ("смартфон", "cvfhnajy", True),  # the wrong keyboard layout
        ("кожаная сумка", "сумки кожаные", True),  # word forms, any order
        ("кожаная сумка", "сумка", False),  # fewer words: another query
        ("сумка", "кожаная сумка", False),  # more words: another query
        ("смартфон", "телефон", False),  # synonyms stay apart
        ("чайник", "Чайник!", True),
        ("ёлка", "елка", True),
    ],
)
def test_rules_match_the_understood_query(understanding, rule, typed, same):
    assert same_query(key(understanding, rule), key(understanding, typed)) is same


def test_a_transliterated_word_matches_its_catalog_spelling(understanding):
    from search.rules import reading_key

    typed = Interpretation(
        "самсунг",
        understanding.plan("самсунг").first.match,
        (Correction("translit", "самсунг", "samsung"),),
    )
    assert same_query(key(understanding, "samsung"), reading_key(understanding.analyzer, typed))


def test_rules_combine_country_first_newest_first_and_hiding_wins(understanding):
    def rule(id, country=None, promote=(), hide=(), starts=None, ends=None):
        return QueryRule(id, "чайник", "ru", country, tuple(promote), tuple(hide), starts, ends)

    today = date(2026, 11, 28)
    book = compile_rules(
        [
            rule(1, promote=["a", "b"]),
            rule(2, country="KZ", promote=["c"], hide=["b"]),
            rule(3, promote=["d"], starts=today + timedelta(days=1)),  # not yet
            rule(4, promote=["e"], ends=today - timedelta(days=1)),  # over
        ],
        lambda query, locale: key(understanding, query),
    )
    typed = key(understanding, "чайники")
    kz = book.matching(typed, "ru", "KZ", lambda country: today)
    assert (kz.promote, kz.hide, kz.rules) == (("c", "a"), ("b",), (2, 1))
    ru = book.matching(typed, "ru", "RU", lambda country: today)
    assert (ru.promote, ru.hide) == (("a", "b"), ())
    assert book.matching(typed, "en", "RU", lambda country: today) is None
    assert (
        book.matching(key(understanding, "чайник электрический"), "ru", "RU", lambda c: today)
        is None
    )
    assert not RuleBook() and RuleBook().matching(typed, "ru", "RU", lambda c: today) is None


# -- live in every process ------------------------------------------------------------------


def test_a_change_made_in_one_process_is_in_effect_in_another_on_its_next_search(
    demo_services, settings
):
    other = Services(settings)  # another serving process on the same database
    other.tuning.poll.interval_s = 0.05
    assert NOODLES not in first_ids(other, "смартфон")
    demo_services.rules.add("смартфон", "ru", promote=[NOODLES], user="t")
    time.sleep(0.1)
    assert first_ids(other, "смартфоны")[0] == NOODLES
    demo_services.wording.save_synonyms([["лапша", "вермишелька"]], user="t")
    time.sleep(0.1)
    assert first_ids(other, "вермишелька")
    assert other.understanding.synonyms.expand(("смартфон",)) == []  # the seed's are gone


def test_the_process_that_saved_sees_the_change_at_once(demo_services):
    demo_services.tuning.poll.interval_s = 3600  # no polling: the save itself expires the cache
    assert first_ids(demo_services, "смартфон")[0] != NOODLES
    demo_services.rules.add("смартфон", "ru", promote=[NOODLES], user="t")
    assert first_ids(demo_services, "смартфон")[0] == NOODLES


def test_no_rules_cost_one_clock_read_per_search(demo_services, monkeypatch):
    demo_services.search.run(SearchParams(q="чайник"))
    calls = []
    monkeypatch.setattr(demo_services.tuning.poll, "_poll", lambda now: calls.append(now))
    demo_services.tuning.poll.interval_s = 3600
    for _ in range(50):
        demo_services.search.run(SearchParams(q="чайник"), observed=False)
    assert calls == []  # no database round trip
    assert demo_services.tuning.adjustment(SearchParams(q="чайник"), None) is None


# -- nothing broken is ever taken ---------------------------------------------------------------


def test_a_broken_seed_file_is_refused_with_its_line_and_search_keeps_working(
    demo_services, tmp_path, caplog
):
    good = tmp_path / "synonyms.txt"
    good.write_text("# seed\nлапша, вермишелька\n", encoding="utf-8")
    tuning = SearchTuning(
        demo_services.database, demo_services.understanding, demo_services.registry,
        synonyms_file=good, poll_s=0.0,
    )  # fmt: skip
    demo_services.search.tuning = tuning
    assert first_ids(demo_services, "вермишелька")
    good.write_text("лапша, вермишелька\nмобильный телефон, смартфон\n", encoding="utf-8")
    demo_services.wording.synonyms_file = good
    demo_services.database.dispose()
    with demo_services.database.begin() as conn:  # another process saved: the seed is re-read
        from storage.versions import bump

        bump(conn, "synonyms")
    with caplog.at_level(logging.ERROR, logger="vitrina.search"):
        found = first_ids(demo_services, "вермишелька")
    assert found, "the last good synonyms keep serving"
    assert f"{good}:2" in caplog.text and "мобильный телефон" in caplog.text


def test_seed_files_are_checked_line_by_line(tmp_path, understanding):
    path = tmp_path / "synonyms.txt"
    path.write_text("смартфон, телефон\n\n# comment\nкеды\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"synonyms.txt:4: a group needs 2"):
        read_synonyms_file(path, understanding.analyzer)
    assert validate_synonyms([["Смартфон", "ТЕЛЕФОН"]], understanding.analyzer) == [
        ["смартфон", "телефон"]
    ]


def test_a_database_that_does_not_answer_leaves_search_serving(demo_services, monkeypatch):
    demo_services.rules.add("смартфон", "ru", promote=[NOODLES], user="t")
    assert first_ids(demo_services, "смартфон")[0] == NOODLES

    def down(*args, **kwargs):
        raise ConnectionError("the database is down")

    monkeypatch.setattr(demo_services.database, "connect", down)
    demo_services.tuning.expire()
    started = time.perf_counter()
    assert first_ids(demo_services, "смартфон")[0] == NOODLES  # the rules loaded last
    assert time.perf_counter() - started < 1.0


def test_a_fresh_process_with_the_database_down_serves_the_seed(
    settings, demo_services, monkeypatch
):
    fresh = Services(settings)

    def down(*args, **kwargs):
        raise ConnectionError("the database is down")

    monkeypatch.setattr(fresh.database, "connect", down)
    assert first_ids(fresh, "смартфон")  # the seed synonyms and aliases, no rules
    assert fresh.understanding.transliterator.aliases["сяоми"] == "xiaomi"
