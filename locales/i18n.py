"""Compiled message catalogs with fallback along each locale's chain.

Used by the web app (through Flask-Babel) and by the API for labels such as
category names. A string missing in `pt_BR` is looked up in `pt`, then `en`;
a message id is never shown raw unless no catalog in the chain has it (English
message ids are the English text).
"""

from __future__ import annotations

from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.support import NullTranslations, Translations

from .registry import LOCALES_DIR, Registry, default_registry

DOMAIN = "messages"


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Marks a string for extraction without translating it here."""
    return message


def catalog_translations(directory: Path, code: str) -> Translations | None:
    """One locale's compiled catalog, or its .po compiled in memory when the .mo is missing.

    Compiling on first use means a catalog that was never compiled still
    translates (`vitrina locales check` flags the missing .mo for the commit).
    """
    messages = Path(directory) / code / "LC_MESSAGES"
    mo_path = messages / f"{DOMAIN}.mo"
    if mo_path.is_file():
        with open(mo_path, "rb") as f:
            return Translations(f, domain=DOMAIN)
    po_path = messages / f"{DOMAIN}.po"
    if po_path.is_file():
        from .catalogs import compile_bytes, read_catalog

        return Translations(BytesIO(compile_bytes(read_catalog(po_path, code))), domain=DOMAIN)
    return None


def chained_translations(
    locale: str, directory: Path = LOCALES_DIR, registry: Registry | None = None
) -> NullTranslations:
    """Translations for `locale` that fall back along its chain (pt_BR -> pt -> en)."""
    registry = registry or default_registry()
    try:
        chain = registry.locale_info(locale).chain
    except KeyError:
        chain = (locale, "en")
    result: NullTranslations | None = None
    for code in chain:
        catalog = catalog_translations(directory, code)
        if catalog is None:
            continue
        if result is None:
            result = catalog
        else:
            result.add_fallback(catalog)
    return result or NullTranslations()


@lru_cache(maxsize=64)
def translations(locale: str) -> NullTranslations:
    """The app's cached chained translations, from the bundled catalogs."""
    return chained_translations(locale)


def gettext(locale: str, message: str) -> str:
    return translations(locale).gettext(message)
