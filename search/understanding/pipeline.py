"""Engine-independent query understanding: from typed text to ordered readings.

The first reading is what the shopper most plausibly meant; the rest are the
fallbacks the search service tries, in order, when a reading finds too little.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis.analyzer import Analyzer, Token
from ..engines.base import TextMatch
from .base import Interpretation


def text_match(tokens: list[Token]) -> TextMatch | None:
    groups = tuple(dict.fromkeys(t.terms for t in tokens))
    return TextMatch(required=groups) if groups else None


def relaxed_readings(reading: Interpretation) -> Iterator[Interpretation]:
    """Drop required words from the end, one at a time, keeping at least one.

    Dropped words stay optional, so products matching them still rank first.
    """
    required = list(reading.match.required)
    optional = list(reading.match.optional)
    while len(required) > 1:
        optional.insert(0, required.pop())
        yield Interpretation(
            text=reading.text,
            match=TextMatch(tuple(required), tuple(optional)),
            corrections=reading.corrections,
            relaxed=True,
        )


class QueryUnderstanding:
    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer

    def interpretations(self, query: str, locale: str = "ru") -> Iterator[Interpretation]:
        """Readings of `query`, most plausible first; empty when nothing is searchable."""
        tokens = self.analyzer.analyze(query)
        match = text_match(tokens)
        if match is None:
            return
        primary = Interpretation(text=query.strip(), match=match)
        yield primary
        yield from relaxed_readings(primary)
