"""Turns a Product into the engine-neutral document both engines index.

Text fields hold space-joined analyzed terms (the same analysis as at query
time); keyword and numeric fields feed filters, facets and sorting.
"""

from __future__ import annotations

from typing import Any

import orjson

from .analysis.analyzer import Analyzer
from .catalog import Product
from .highlight import title_marks
from .ranking import DEFAULT_BLEND, PopularityBlend

EVERYWHERE = "*"  # ships_to value of a product without a restriction


def brand_key(brand: str) -> str:
    """The form a brand is filtered and faceted by: case and spacing folded."""
    return " ".join(brand.casefold().split())


def index_document(
    product: Product,
    analyzer: Analyzer,
    blend: PopularityBlend = DEFAULT_BLEND,
    title_words: list[str] | None = None,
) -> dict[str, Any]:
    """The document for `product`; its titles' normalized words go to `title_words` if given."""
    seller_rating = product.seller.rating if product.seller else None
    return {
        "id": product.id,
        "title": analyzer.index_texts(product.title, title_words),
        "brand": analyzer.index_terms_repeated(product.brand) if product.brand else "",
        "subcategory": analyzer.index_terms_repeated(product.subcategory)
        if product.subcategory
        else "",
        "description": analyzer.index_texts(product.description) if product.description else "",
        "category": product.category,
        "brand_key": brand_key(product.brand) if product.brand else "",
        "brand_label": product.brand or "",
        "ships_from": list(product.ships_from),
        "ships_to": list(product.ships_to) if product.ships_to is not None else [EVERYWHERE],
        "price_usd": product.price_usd,
        "rating": product.rating if product.rating is not None else 0.0,
        "orders": product.orders,
        "seller_rating": seller_rating if seller_rating is not None else 0.0,
        "boost": blend.boost(product.orders, product.rating, seller_rating),
        "payload": orjson.dumps(product.to_dict()).decode(),
        # Not searched: where each term is in the titles, so highlighting needs no analysis.
        "title_marks": orjson.dumps(title_marks(product.title, analyzer)),
    }
