"""Marks the words of a title that matched the query, HTML-escaped.

Done on the displayed text with the same analyzer as the index, so "сумки" in a
title lights up for the query "сумка" whichever engine answered.
"""

from __future__ import annotations

import re
from html import escape

from .analysis.analyzer import Analyzer

_WORD = re.compile(r"\w+(?:[.,]\d+)?", re.UNICODE)


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
