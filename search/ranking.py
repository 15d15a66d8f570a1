"""Every ranking knob in one place: field boosts and the popularity blend.

Text relevance comes first; popularity (orders), rating and seller rating only
reorder products whose text matches about equally well. Both engines apply the
blend the same way: the score is multiplied by log2(2 + boost), where `boost`
is stored per product at index time (tantivy `weight_by_field`, Elasticsearch
`field_value_factor` with `ln2p`, which differs only by a constant factor).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# How much each searchable field counts when a query word matches it.
FIELD_BOOSTS: dict[str, float] = {
    "title": 3.0,
    "brand": 2.0,
    "subcategory": 1.5,
    "description": 0.6,
}
TEXT_FIELDS: tuple[str, ...] = tuple(FIELD_BOOSTS)


@dataclass(frozen=True)
class PopularityBlend:
    """Weights of the popularity prior; `strength` caps its effect on the score."""

    orders: float = 0.6
    rating: float = 0.25
    seller_rating: float = 0.15
    strength: float = 0.35  # the best product scores at most 35% above an unknown one
    orders_saturation: int = 50_000  # orders beyond this count as "as popular as it gets"

    def popularity(self, orders: int, rating: float | None, seller_rating: float | None) -> float:
        """A prior in [0, 1]: log-scaled orders, rating and seller rating blended."""
        orders_part = min(1.0, math.log1p(max(orders, 0)) / math.log1p(self.orders_saturation))
        rating_part = (rating if rating is not None else 3.5) / 5.0
        seller_part = (seller_rating if seller_rating is not None else 90.0) / 100.0
        total = self.orders + self.rating + self.seller_rating
        return (
            self.orders * orders_part + self.rating * rating_part + self.seller_rating * seller_part
        ) / total

    def boost(self, orders: int, rating: float | None, seller_rating: float | None) -> float:
        """The stored value v such that log2(2 + v) = 1 + strength * popularity."""
        multiplier = 1.0 + self.strength * self.popularity(orders, rating, seller_rating)
        return 2.0**multiplier - 2.0


DEFAULT_BLEND = PopularityBlend()
