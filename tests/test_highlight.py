"""Highlighting from the marks the indexer keeps gives what analysing the title gives."""

from __future__ import annotations

import json
import re

import pytest

from search.analysis.analyzer import Analyzer, default_analyzer
from search.highlight import highlight, highlight_marked, marks_for, title_marks
from search.service import url_segment
from vitrina.commands.demo import demo_catalog_path


def demo_titles() -> list[dict[str, str]]:
    with open(demo_catalog_path(), encoding="utf-8") as f:
        return [json.loads(line)["title"] for line in f if line.strip()]


@pytest.mark.parametrize(
    ("query", "locale"),
    [("сумки кожаные", "ru"), ("кроссовки nike", "ru"), ("bolsa couro", "pt"), ("<b>", "ru")],
)
def test_marks_highlight_like_analysis(query, locale):
    analyzer = default_analyzer()
    terms = analyzer.term_set(query, locale)
    compared = 0
    for titles in demo_titles():
        marks = title_marks(titles, analyzer)
        for language, text in titles.items():
            spans = marks_for(marks, language, locale)
            if spans is None:
                continue
            compared += 1
            assert highlight_marked(text, terms, spans) == highlight(text, terms, analyzer, locale)
    assert compared > 50


@pytest.mark.parametrize("language", ["ru", "de", "es", "en", "ar"])
def test_marks_are_where_the_terms_of_each_word_are(language):
    analyzer = Analyzer()
    title = "Сумка-шоппер iPhоne Müller 64гб 64 гб, 12,5 см с/к Bolsos de cuero ساعة и 5%"
    expected: dict[str, list[int]] = {}
    for match in re.finditer(r"\w+(?:[.,]\d+)?", title):
        for term in sorted(analyzer.word_terms(match.group(), language)):
            expected.setdefault(term, []).extend(match.span())
    for _ in range(2):  # the second time from what the analyzer remembered
        assert title_marks({language: title}, analyzer) == {language: expected}
    # and from what index_terms remembered of the title (as index_document does)
    for other in ("Сумки-шопперы IPHОNE Muller 12,5 СМ", "ИЗ Bolsos", "Straße ÄRGER"):
        fresh = Analyzer()
        fresh.index_terms(other, None, language)
        expected = {}
        for match in re.finditer(r"\w+(?:[.,]\d+)?", other):
            for term in sorted(analyzer.word_terms(match.group(), language)):
                expected.setdefault(term, []).extend(match.span())
        assert title_marks({language: other}, fresh) == {language: expected}


def test_marks_of_a_title_are_not_used_for_another_latin_language():
    marks = title_marks({"es": "Bolsos de cuero"}, default_analyzer())
    assert marks_for(marks, "es", "es") is not None
    assert marks_for(marks, "es", "pt") is None
    assert marks_for(marks, "ru", "ru") is None


def test_a_matched_title_word_is_marked_and_the_rest_escaped():
    analyzer = default_analyzer()
    marks = title_marks({"ru": "Сумка <кожаная> & ремень"}, analyzer)
    spans = marks_for(marks, "ru", "ru")
    assert spans is not None
    answer = highlight_marked("Сумка <кожаная> & ремень", analyzer.term_set("сумки"), spans)
    assert answer == "<mark>Сумка</mark> &lt;кожаная&gt; &amp; ремень"


def test_a_title_with_nothing_to_escape_is_marked_the_same_way():
    analyzer = default_analyzer()
    title = "Сумка кожаная, сумка дорожная"
    spans = marks_for(title_marks({"ru": title}, analyzer), "ru", "ru")
    assert spans is not None
    answer = highlight_marked(title, analyzer.term_set("сумки"), spans)
    assert answer == "<mark>Сумка</mark> кожаная, <mark>сумка</mark> дорожная"
    assert highlight_marked(title, analyzer.term_set("ремень"), spans) == title
    assert highlight_marked("Ремень & пряжка", analyzer.term_set("сумки"), {}) == (
        "Ремень &amp; пряжка"
    )


@pytest.mark.parametrize(
    ("product_id", "segment"),
    [
        ("demo-0001", "demo-0001"),
        ("A_b.c~d", "A_b.c~d"),
        ("a/b c", "a%2Fb%20c"),
        ("ж?", "%D0%B6%3F"),
    ],
)
def test_a_product_id_is_quoted_as_one_url_segment(product_id, segment):
    assert url_segment(product_id) == segment
