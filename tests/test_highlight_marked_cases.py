"""highlight_marked's shortcuts (one marked word; no HTML to escape) give what the
general path gives: every word a query term marks, once, in order, escaped."""

from __future__ import annotations

from search.highlight import highlight_marked


def test_one_marked_word():
    assert highlight_marked("Сумка кожаная", {"сумка"}, {"сумка": [0, 5]}) == (
        "<mark>Сумка</mark> кожаная"
    )


def test_one_marked_word_in_a_title_to_escape():
    spans = {"tom": [0, 3], "jerry": [6, 11]}
    assert highlight_marked("Tom & Jerry <3", {"jerry"}, spans) == (
        "Tom &amp; <mark>Jerry</mark> &lt;3"
    )


def test_a_word_two_terms_mark_is_marked_once():
    spans = {"сумка": [0, 5, 14, 19], "сумку": [0, 5], "чехол": [7, 12]}
    text = "Сумка, чехол, сумка"
    assert highlight_marked(text, {"сумка", "сумку", "чехол"}, spans) == (
        "<mark>Сумка</mark>, <mark>чехол</mark>, <mark>сумка</mark>"
    )


def test_nothing_marked():
    assert highlight_marked("a < b", {"x"}, {"a": [0, 1]}) == "a &lt; b"
    assert highlight_marked("plain", set(), {"plain": [0, 5]}) == "plain"
