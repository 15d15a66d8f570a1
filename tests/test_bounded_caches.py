"""Serving processes keep their per-word caches bounded whatever shoppers type (issue 13)."""

from __future__ import annotations

from search.analysis.analyzer import Analyzer
from vitrina.services import SERVING_WORD_CACHE, SERVING_WORD_TERMS_CACHE, Services


def test_a_serving_process_bounds_the_word_caches(settings):
    analyzer = Services(settings, serving=True).analyzer
    assert analyzer.words.cache_limit == SERVING_WORD_CACHE
    assert analyzer.word_terms_limit == SERVING_WORD_TERMS_CACHE


def test_the_word_caches_never_pass_their_bounds():
    analyzer = Analyzer()
    analyzer.bound_caches(words=50, word_terms=30)
    terms = analyzer.word_terms_in("ru")
    for n in range(500):
        word = f"слово{n}"
        analyzer.analyze(f"{word} кожаная сумка")
        terms(word)
    assert 0 < len(analyzer.words._cache) <= 50
    assert 0 < len(analyzer._word_terms) <= 31
    # still right after the caches were emptied
    assert "сумка" in analyzer.term_set("сумки")


def test_brand_lookups_and_prices_stay_within_their_bounds(monkeypatch):
    from locales.money import format_price
    from search.understanding import brands
    from search.understanding.brands import BrandLexicon, build_readings

    monkeypatch.setattr(brands, "LOOKUP_CACHE_SIZE", 20)
    lexicon = BrandLexicon(build_readings({"samsung": 5, "xiaomi": 3}, {"samsung": 5}))
    for n in range(200):
        lexicon.lookup(f"самсунк{n}")
    assert 0 < len(lexicon._cache) <= 20
    assert lexicon.lookup("самсунг") == [("samsung", 0)]  # still right after clearing
    for n in range(200):
        lexicon.lookup(f"самсунк{n}", fuzzy=False)
    assert 0 < len(lexicon._exact) <= 20
    assert lexicon.lookup("самсунг", fuzzy=False) == [("samsung", 0)]
    assert lexicon.lookup("сямсунг", fuzzy=False) == []
    for cents in range(5000):
        format_price(cents / 100, "RUB", "ru", "RU")
    info = format_price.cache_info()
    assert info.maxsize is not None and info.currsize <= info.maxsize <= 10_000
