"""The product as the catalog feed describes it (SPEC.md), and its category keys."""

from __future__ import annotations

from dataclasses import dataclass, field

from locales.i18n import N_, gettext

CATEGORIES: tuple[str, ...] = (
    "apparel", "shoes", "luggage_bags", "jewelry", "watches", "hair", "beauty_health",
    "mother_kids", "toys", "sports", "automotive", "home_garden", "home_appliances",
    "furniture", "lighting", "tools", "hardware", "electrical", "electronic_components",
    "security", "consumer_electronics", "computers", "phones", "office_school", "food",
    "weddings_events",
)  # fmt: skip

HIDING_FLAGS = frozenset({"counterfeit_suspected"})

# English names; translations live in the message catalogs (locales/*/LC_MESSAGES).
CATEGORY_NAMES: dict[str, str] = {
    "apparel": N_("Clothing"),
    "shoes": N_("Shoes"),
    "luggage_bags": N_("Bags & Luggage"),
    "jewelry": N_("Jewelry"),
    "watches": N_("Watches"),
    "hair": N_("Hair & Wigs"),
    "beauty_health": N_("Beauty & Health"),
    "mother_kids": N_("Mother & Kids"),
    "toys": N_("Toys & Hobbies"),
    "sports": N_("Sports & Outdoors"),
    "automotive": N_("Automotive"),
    "home_garden": N_("Home & Garden"),
    "home_appliances": N_("Home Appliances"),
    "furniture": N_("Furniture"),
    "lighting": N_("Lighting"),
    "tools": N_("Tools"),
    "hardware": N_("Home Improvement"),
    "electrical": N_("Electrical Equipment"),
    "electronic_components": N_("Electronic Components"),
    "security": N_("Security & Protection"),
    "consumer_electronics": N_("Consumer Electronics"),
    "computers": N_("Computers & Office"),
    "phones": N_("Phones & Accessories"),
    "office_school": N_("Office & School Supplies"),
    "food": N_("Food"),
    "weddings_events": N_("Weddings & Events"),
}


def category_name(key: str, locale: str) -> str:
    """The category's name in `locale` (falls back along the locale chain)."""
    return gettext(locale, CATEGORY_NAMES[key])


@dataclass(frozen=True)
class Seller:
    id: str
    rating: float | None = None  # share of positive ratings, 0..100
    ratings: int | None = None  # how many ratings that share is based on

    def to_dict(self) -> dict:
        data: dict = {"id": self.id, "rating": self.rating}
        if self.ratings is not None:
            data["ratings"] = self.ratings
        return data


@dataclass(frozen=True)
class Product:
    id: str
    title: dict[str, str]
    category: str
    price_usd: float
    description: dict[str, str] = field(default_factory=dict)
    subcategory: str | None = None
    brand: str | None = None
    rating: float | None = None
    orders: int = 0
    seller: Seller | None = None
    ships_from: tuple[str, ...] = ("CN",)
    ships_to: tuple[str, ...] | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    image_url: str | None = None
    flags: tuple[str, ...] = ()

    @property
    def hidden(self) -> bool:
        """Flagged products are hidden everywhere, in search and recommendations."""
        return bool(HIDING_FLAGS.intersection(self.flags))

    def ships_to_country(self, country: str) -> bool:
        return self.ships_to is None or country in self.ships_to

    def to_dict(self) -> dict:
        """The feed representation (what the engines store and the API reads)."""
        data: dict = {
            "id": self.id,
            "title": self.title,
            "category": self.category,
            "price_usd": self.price_usd,
            "orders": self.orders,
            "ships_from": list(self.ships_from),
        }
        optional = {
            "description": self.description or None,
            "subcategory": self.subcategory,
            "brand": self.brand,
            "rating": self.rating,
            "seller": self.seller.to_dict() if self.seller else None,
            "ships_to": list(self.ships_to) if self.ships_to is not None else None,
            "attributes": self.attributes or None,
            "image_url": self.image_url,
            "flags": list(self.flags) or None,
        }
        data.update({k: v for k, v in optional.items() if v is not None})
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Product:
        """Rebuild a Product from `to_dict` output (already validated data)."""
        seller = data.get("seller")
        ships_to = data.get("ships_to")
        return cls(
            id=data["id"],
            title=data["title"],
            category=data["category"],
            price_usd=float(data["price_usd"]),
            description=data.get("description") or {},
            subcategory=data.get("subcategory"),
            brand=data.get("brand"),
            rating=data.get("rating"),
            orders=data.get("orders") or 0,
            seller=Seller(seller["id"], seller.get("rating"), seller.get("ratings"))
            if seller
            else None,
            ships_from=tuple(data.get("ships_from") or ("CN",)),
            ships_to=tuple(ships_to) if ships_to is not None else None,
            attributes=data.get("attributes") or {},
            image_url=data.get("image_url"),
            flags=tuple(data.get("flags") or ()),
        )
