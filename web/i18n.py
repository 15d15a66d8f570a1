"""Flask-Babel for the storefront: the page locale comes from the URL.

Translations are the chained catalogs of `locales.i18n` (a string missing in one
locale falls back along the locale chain of `locales/registry.py`), so pages,
the API's labels and the CLI all translate the same way.
"""

from __future__ import annotations

from babel import Locale
from babel.numbers import get_currency_name, get_currency_symbol
from flask import Flask, Request, has_request_context, request
from flask_babel import (
    Babel,
    Domain,
    format_date,
    format_decimal,
    format_percent,
    get_locale,
    gettext,
    ngettext,
)
from werkzeug.datastructures import LanguageAccept

from locales.i18n import N_, translations
from locales.registry import LOCALES_DIR, Registry, language_tag

from .context import services

LOCALE_COOKIE = "locale"
COUNTRY_COOKIE = "country"
FALLBACK_LOCALE = "en"


class ChainedDomain(Domain):
    """The `messages` domain, translated through `locales.i18n.translations`."""

    def get_translations(self):
        locale = get_locale()
        return translations(str(locale) if locale else FALLBACK_LOCALE)


class StorefrontBabel(Babel):
    """Flask-Babel whose default domain falls back along the locale chain."""

    @property
    def domain_instance(self) -> Domain:
        return self._chained_domain

    def init_app(self, app: Flask, **kwargs) -> None:
        super().init_app(app, **kwargs)
        self._chained_domain = ChainedDomain(domain=kwargs.get("default_domain", "messages"))


def _registry() -> Registry:
    return services().registry


def locale_from_path(path: str, registry: Registry) -> str | None:
    """The enabled locale a path starts with (`/ru/search` -> `ru`), else None."""
    first = path.lstrip("/").split("/", 1)[0]
    return first if first in registry.enabled_locales else None


def preferred_locale(req: Request, registry: Registry) -> str:
    """The shopper's locale when the URL names none: cookie, Accept-Language, then en."""
    enabled = registry.enabled_locales
    cookie = req.cookies.get(LOCALE_COOKIE)
    if cookie in enabled:
        return cookie
    accept: LanguageAccept = req.accept_languages
    # A BCP 47 tag finds its locale ("fr-CA" -> fr_CA); the language alone matches
    # too, so "pt-BR" or "de-AT" find pt and de.
    by_tag = {language_tag(code).lower(): code for code in enabled}
    for value, _quality in accept:
        tag = value.replace("_", "-").lower()
        if tag in by_tag:
            return by_tag[tag]
        base = tag.split("-")[0]
        if base in enabled:
            return base
    return FALLBACK_LOCALE if FALLBACK_LOCALE in enabled else enabled[0]


def select_locale() -> str:
    """Flask-Babel's locale selector: the URL's `<locale>`, else the shopper's preference."""
    if not has_request_context():
        return FALLBACK_LOCALE
    registry = _registry()
    from_url = (request.view_args or {}).get("locale")
    if from_url in registry.enabled_locales:
        return from_url
    return locale_from_path(request.path, registry) or preferred_locale(request, registry)


def init_app(app: Flask) -> None:
    """Wire Flask-Babel into the app: catalogs in `locales/`, domain `messages`."""
    StorefrontBabel(
        app,
        default_locale=FALLBACK_LOCALE,
        default_domain="messages",
        default_translation_directories=str(LOCALES_DIR),
        locale_selector=select_locale,
    )


def payment_method_name(key: str) -> str:
    """A payment method's name in the page locale, from labels.toml through the catalogs."""
    label = _registry().labels.payment_methods.get(key)
    return gettext(label) if label else key


def protection_cover(key: str) -> str:
    """What buyer protection covers (a key of labels.toml), in the page locale."""
    label = _registry().labels.protection_covers.get(key)
    return gettext(label) if label else key


def territory_name(code: str) -> str:
    """A country's name in the page locale, from CLDR ("CN" -> "Китай")."""
    locale = get_locale() or Locale.parse(FALLBACK_LOCALE)
    return locale.territories.get(code.upper(), code.upper())


def number(value: float | int) -> str:
    """A number written the page locale's way (grouping, decimal sign)."""
    return format_decimal(value)


def delivery_days(days: tuple[int, int] | list[int]) -> str:
    """'15–45 days' in the page locale; the plural agrees with the upper bound."""
    low, high = days
    if low == high:
        return ngettext("%(count)s day", "%(count)s days", high, count=number(high))
    return ngettext(
        "%(low)s–%(high)s day", "%(low)s–%(high)s days", high, low=number(low), high=number(high)
    )


def currency_name(code: str) -> str:
    """The currency's name in the page locale ("российский рубль"), from CLDR."""
    return get_currency_name(code, locale=get_locale() or FALLBACK_LOCALE)


def currency_symbol(code: str) -> str:
    """The currency's symbol in the page locale ("₽", "R$", "ر.س.")."""
    return get_currency_symbol(code, locale=get_locale() or FALLBACK_LOCALE)


SORT_LABELS: dict[str, str] = {
    "relevance": N_("Best match"),
    "orders": N_("Most popular"),
    "price_asc": N_("Price: low to high"),
    "price_desc": N_("Price: high to low"),
    "rating": N_("Top rated"),
    "delivery": N_("Fastest delivery"),
}

CORRECTION_REASONS: dict[str, str] = {
    "layout": N_("keyboard layout corrected"),
    "translit": N_("converted from another alphabet"),
    "spelling": N_("spelling corrected"),
    "synonym": N_("similar words included"),
}

ERROR_TITLES: dict[int, str] = {
    404: N_("Page not found"),
    503: N_("Search is temporarily unavailable"),
    500: N_("Something went wrong"),
}

ERROR_TEXTS: dict[int, str] = {
    404: N_("The page or product you are looking for does not exist or is no longer sold."),
    503: N_("We are restoring the service. Please try again in a minute."),
    500: N_("An error occurred on our side. Please try again later."),
}


def attribute_label(key: str) -> str:
    """A product attribute's name in the page locale (labels.toml), or the feed's key made readable."""
    label = _registry().labels.attributes.get(key)
    if label:
        return gettext(label)
    return key.replace("_", " ").capitalize()


def sort_options() -> list[tuple[str, str]]:
    """The sort orders of the API with their labels in the page locale."""
    return [(key, gettext(label)) for key, label in SORT_LABELS.items()]


def correction_reason(kind: str) -> str:
    return gettext(CORRECTION_REASONS[kind]) if kind in CORRECTION_REASONS else ""


def error_title(status: int) -> str:
    return gettext(
        ERROR_TITLES.get(status, ERROR_TITLES[500] if status >= 500 else ERROR_TITLES[404])
    )


def error_text(status: int) -> str:
    return gettext(ERROR_TEXTS.get(status, ERROR_TEXTS[500] if status >= 500 else ERROR_TEXTS[404]))


def template_helpers() -> dict:
    """Functions the templates call to format through Babel."""
    return {
        "currency_name": currency_name,
        "currency_symbol": currency_symbol,
        "sort_options": sort_options,
        "attribute_label": attribute_label,
        "correction_reason": correction_reason,
        "error_title": error_title,
        "error_text": error_text,
        "payment_method_name": payment_method_name,
        "protection_cover": protection_cover,
        "territory_name": territory_name,
        "number": number,
        "delivery_days": delivery_days,
        "format_decimal": format_decimal,
        "format_percent": format_percent,
        "format_date": format_date,
    }
