"""Small catalogs for the brand-spelling tests: a vocabulary built the way indexing builds
it, and the Latin terms a query was read into."""

from __future__ import annotations

from search.analysis.analyzer import default_analyzer
from search.catalog import Product
from search.documents import index_document
from search.understanding.base import Interpretation
from search.vocabulary import Vocabulary, VocabularyBuilder

analyzer = default_analyzer()


def catalog(*entries: tuple[str, str | None]) -> Vocabulary:
    """The vocabulary of products given as (Russian title, brand or None)."""
    builder = VocabularyBuilder()
    for number, (title, brand) in enumerate(entries):
        product = Product(
            id=str(number), title={"ru": title}, category="misc", price_usd=1.0, brand=brand
        )
        builder.add(index_document(product, analyzer), product)
    return builder.vocabulary()


def latin_terms(reading: Interpretation) -> set[str]:
    """The Latin terms a reading must match: where a brand reading shows."""
    return {t for group in reading.match.required for t in group if t.isascii()}
