"""Marks the words of a title that matched the query, HTML-escaped.

Done on the displayed text with the same analyzer as the index, so "сумки" in a
title lights up for the query "сумка" whichever engine answered. The indexer
analyses every title word once (`title_marks`) and the engine hands the result
back with each hit, so a search only looks its query terms up (`highlight_marked`);
`highlight` analyses the text itself, for engines and texts without marks.
"""

from __future__ import annotations

import re
from html import escape

from .analysis.analyzer import Analyzer
from .analysis.morphology import latin_stemmer_name

_WORD = re.compile(r"\w+(?:[.,]\d+)?", re.UNICODE)
# What html.escape changes: a title with none of these is its own escape.
_HTML_SPECIAL = re.compile("[&<>\"']")

# language -> term -> flat [start, end, start, end, ...] of the title words it marks
TitleMarks = dict[str, dict[str, list[int]]]


def highlight(
    text: str, query_terms: set[str], analyzer: Analyzer, language: str | None = None
) -> str:
    if not query_terms:
        return escape(text)
    parts: list[str] = []
    last = 0
    for match in _WORD.finditer(text):
        word = match.group()
        if not query_terms.isdisjoint(analyzer.word_terms(word, language)):
            parts.append(escape(text[last : match.start()]))
            parts.append(f"<mark>{escape(word)}</mark>")
            last = match.end()
    parts.append(escape(text[last:]))
    return "".join(parts)


def title_marks(titles: dict[str, str], analyzer: Analyzer) -> TitleMarks:
    """Where each term of each title's words is, for `highlight_marked` (index time)."""
    marks: TitleMarks = {}
    for language, text in titles.items():
        spans: dict[str, list[int]] = {}
        known, add = analyzer.title_word_terms(language)
        for match in _WORD.finditer(text):
            word = match.group()
            terms = known.get(word)
            if terms is None:
                terms = add(word)
            if not terms:
                continue
            start, end = match.span()
            for term in terms:
                found = spans.get(term)
                if found is None:
                    spans[term] = [start, end]
                else:
                    found += (start, end)
        marks[language] = spans
    return marks


def marks_for(
    marks: TitleMarks | None, title_language: str, language: str
) -> dict[str, list[int]] | None:
    """The marks of the title in `title_language` when they read it as `highlight` would
    for a page in `language` (the same analysis of Latin words), else None."""
    if not marks or title_language not in marks:
        return None
    if latin_stemmer_name(title_language) != latin_stemmer_name(language):
        return None
    return marks[title_language]


def highlight_marked(text: str, query_terms: set[str], spans: dict[str, list[int]]) -> str:
    """`highlight` from a title's marks: the same output, without analysing anything."""
    found: list[int] | None = None
    for term in query_terms:
        flat = spans.get(term)
        if flat:
            found = flat if found is None else found + flat
    plain = _HTML_SPECIAL.search(text) is None
    if found is None:
        return text if plain else escape(text)
    if len(found) == 2:  # most titles: one word marked
        start, end = found
        if plain:
            return f"{text[:start]}<mark>{text[start:end]}</mark>{text[end:]}"
        return f"{escape(text[:start])}<mark>{escape(text[start:end])}</mark>{escape(text[end:])}"
    parts: list[str] = []
    last = 0
    pairs = sorted(set(zip(found[::2], found[1::2], strict=True)))
    if plain:  # most titles: no escaping to do (html.escape costs ~1 us a call)
        for start, end in pairs:
            parts.append(f"{text[last:start]}<mark>{text[start:end]}</mark>")
            last = end
        parts.append(text[last:])
        return "".join(parts)
    for start, end in pairs:
        parts.append(escape(text[last:start]))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
    parts.append(escape(text[last:]))
    return "".join(parts)
