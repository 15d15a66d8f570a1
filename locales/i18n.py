"""Compiled message catalogs with fallback along each locale's chain.

Used by the web app (through Flask-Babel) and by the API for labels such as
category names. A string missing in `pt_BR` is looked up in `pt`, then `en`;
a message id is never shown raw unless no catalog in the chain has it (English
message ids are the English text).
"""

from __future__ import annotations

from functools import lru_cache

from babel.support import NullTranslations, Translations

from .registry import LOCALES_DIR, default_registry


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Marks a string for extraction without translating it here."""
    return message


@lru_cache(maxsize=64)
def translations(locale: str) -> NullTranslations:
    registry = default_registry()
    try:
        chain = registry.locale_info(locale).chain
    except KeyError:
        chain = (locale, "en")
    result: NullTranslations | None = None
    for code in chain:
        catalog = Translations.load(str(LOCALES_DIR), [code], domain="messages")
        if not isinstance(catalog, Translations):
            continue
        if result is None:
            result = catalog
        else:
            result.add_fallback(catalog)
    return result or NullTranslations()


def gettext(locale: str, message: str) -> str:
    return translations(locale).gettext(message)
