"""What the admin pages and the admin API both do: previews of a country's list, and
finding products by id or title."""

from __future__ import annotations

from datetime import date

from locales.registry import UnknownCountry
from search.answers import Item
from search.engines.base import EngineQuery

from ..context import services
from .answers import Preview

LOOKUP_SIZE = 8


def target_country(code: str | None) -> str | None:
    """The registry's code for `code`, or None when there is no such storefront."""
    try:
        return services().registry.country(code or "").code
    except UnknownCountry:
        return None


def preview_list(country: str, day: date | None, locale: str | None = None) -> Preview:
    """The list `country` gets on `day`: the stored one, else as a build would make it now
    (computed, never stored: looking is not building)."""
    svc = services()
    lists = svc.recommendations
    day = day or lists.today(country)
    market = svc.registry.country(country)
    locale = locale if locale in svc.registry.enabled_locales else market.locale
    stored = lists.stored(country, day)
    if stored is not None:
        items = lists.present(stored, locale)
    else:
        items = lists.present_entries(lists.compute(country, day), country, locale)
    return {
        "country": country,
        "date": day.isoformat(),
        "stored": stored is not None,
        "items": items,
    }


def product_lookup(text: str, locale: str | None, country: str | None) -> list[Item]:
    """Products whose id is `text`, then those whose titles match it, as search items."""
    svc = services()
    registry = svc.registry
    locale = locale if locale in registry.enabled_locales else "ru"
    country = target_country(country) or registry.default_country(locale)
    text = " ".join(text.split())[:256]
    if not text:
        return []
    ids = [text]
    # Any product of the catalog (wherever it ships; query rules do not apply), its title
    # read as the page's language reads queries, then as Russian shoppers' are read.
    for reading_locale in dict.fromkeys((locale, "ru")):
        reading = svc.search.understanding.plan(text, reading_locale).first
        if reading is None:
            continue
        query = EngineQuery(text=reading.match, limit=LOOKUP_SIZE, with_facets=False)
        ids.extend(hit.id for hit in svc.engine.search(query).hits)
        if len(ids) > LOOKUP_SIZE:
            break
    return svc.search.products(list(dict.fromkeys(ids))[:LOOKUP_SIZE], locale, country)
