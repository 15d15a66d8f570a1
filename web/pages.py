"""The storefront pages of SPEC.md: landing, search, product, deals, in every locale.

Every page reads the locale from its URL and the shopper's country from a cookie
(defaulting to the locale's first country); the country sets the currency and the
delivery estimates. Texts, numbers and prices go through Babel (see web/i18n.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import (
    Blueprint,
    abort,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import MultiDict
from werkzeug.routing import BaseConverter

from locales.registry import Country, language_tag
from merchandising.dates import local_today
from search.answers import Facets, Item
from search.catalog import CATEGORIES, Product, category_name
from search.documents import brand_key
from search.params import BadParameter, SearchParams, parse_search_params
from search.service import localized

from . import i18n
from .context import services
from .errors import PAGE_ERROR_RENDERER, error_response
from .limits import local_target

log = logging.getLogger("vitrina.web")
blueprint = Blueprint("pages", __name__)

COOKIE_MAX_AGE = 365 * 24 * 3600
LANDING_DEALS = 10
DEALS_PAGE_SIZE = 20
TOP_CATEGORIES = 12
# Query-string parameters a search page keeps in its links (facets, sort, paging).
SEARCH_ARGS = (
    "q",
    "category",
    "brand",
    "ships_from",
    "price_min",
    "price_max",
    "rating_min",
    "sort",
)


# -- locale and country of the request --------------------------------------------


@blueprint.url_value_preprocessor
def pick_locale(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """404 for a locale that is not enabled; remember the page's locale for the cookie."""
    if not values or "locale" not in values:
        return
    registry = services().registry
    if values["locale"] not in registry.enabled_locales:
        abort(404)
    g.page_locale = values["locale"]


def shopper_country(locale: str) -> str:
    """The country from the cookie, else the locale's default country."""
    registry = services().registry
    chosen = (request.cookies.get(i18n.COUNTRY_COOKIE) or "").upper()
    return chosen if chosen in registry.countries else registry.default_country(locale)


@blueprint.after_app_request
def remember_locale(response):
    """A page in a locale sets the locale cookie, so `/` brings the shopper back to it,
    and says its language (BCP 47) in Content-Language."""
    locale = g.get("page_locale")
    if locale:
        response.vary.add("Cookie")  # the country cookie sets prices and delivery times
        if response.mimetype == "text/html":
            response.headers["Content-Language"] = language_tag(locale)
    if locale and request.cookies.get(i18n.LOCALE_COOKIE) != locale and response.status_code < 400:
        response.set_cookie(
            i18n.LOCALE_COOKIE, locale, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True
        )
    return response


@blueprint.app_context_processor
def page_context() -> dict[str, Any]:
    """What base.html needs on every page, error pages included."""
    svc = services()
    registry = svc.registry
    locale = i18n.select_locale()
    country = shopper_country(locale)
    info = registry.locale_info(locale)
    return {
        "page_locale": locale,
        "page_tag": info.tag,
        "language_tag": language_tag,
        "page_dir": info.direction,
        "country": registry.country(country),
        "locales": [registry.locale_info(code) for code in registry.enabled_locales],
        "countries": sorted(registry.countries, key=i18n.territory_name),
        "alternate_url": alternate_url,
        "canonical_url": canonical_url(),
        "category_name": lambda key: category_name(key, locale),
        "delivery_origins": delivery_origins,
        "plain_number": _plain,
        **i18n.template_helpers(),
    }


def alternate_url(locale: str, absolute: bool = False) -> str:
    """The current page in another locale; a search keeps its query, filters and page."""
    if not (request.endpoint and request.endpoint.startswith("pages.") and request.view_args):
        return url_for("pages.landing", locale=locale, _external=absolute)
    args: dict[str, Any] = {**request.view_args, "locale": locale}
    if request.endpoint == "pages.search":
        for name in (*SEARCH_ARGS, "page"):
            values = [v for v in request.args.getlist(name) if v]
            if values:
                args[name] = values
    return url_for(request.endpoint, **args, _external=absolute)


def canonical_url() -> str:
    """This page's canonical address: its own locale, without tracking or unknown parameters."""
    if request.endpoint and request.endpoint.startswith("pages.") and request.view_args:
        return alternate_url(request.view_args["locale"], absolute=True)
    return request.base_url


# -- pages ------------------------------------------------------------------------


@blueprint.get("/")
def root():
    """Send the shopper to their locale: cookie, then Accept-Language, then English."""
    locale = i18n.preferred_locale(request, services().registry)
    response = redirect(url_for("pages.landing", locale=locale), code=302)
    response.headers["Vary"] = "Cookie, Accept-Language"
    return response


@blueprint.get("/<locale:locale>/")
def landing(locale: str):
    country = shopper_country(locale)
    deals = country_deals(locale, country, LANDING_DEALS)
    outcome = services().search.run(SearchParams(locale=locale, country=country, per_page=1))
    buckets = sorted(outcome.result.facets.get("category", []), key=lambda b: -b.count)
    return render_template(
        "landing.html",
        deals=deals,
        top_categories=[b.value for b in buckets[:TOP_CATEGORIES]],
    )


@blueprint.get("/<locale:locale>/deals")
def deals(locale: str):
    country = shopper_country(locale)
    market = services().registry.country(country)
    return render_template(
        "deals.html",
        deals=country_deals(locale, country, DEALS_PAGE_SIZE),
        today=local_today(market.timezone),
    )


@blueprint.get("/<locale:locale>/search")
def search(locale: str):
    svc = services()
    args, ignored = _valid_search_args(locale, shopper_country(locale))
    params = parse_search_params(args, svc.registry)
    answer = svc.search.render(svc.search.run(params))
    return render_template(
        "search.html",
        params=params,
        answer=answer,
        options=sidebar(answer["facets"], params, answer["total"]),
        ignored=ignored,
        pages=page_numbers(params.page, answer["total"], params.per_page),
        search_url=search_url,
        toggled=lambda name, value: toggled(params, name, value),
    )


@blueprint.get("/<locale:locale>/product/<path:product_id>")
def product(locale: str, product_id: str):
    svc = services()
    country = shopper_country(locale)
    found = svc.engine.get_products([product_id]).get(product_id)
    if found is None or Product.from_dict(found).hidden:
        abort(404)
    item = svc.search.item(found, locale, country)
    chain = svc.registry.locale_info(locale).chain
    market = svc.registry.country(country)
    origins = found.get("ships_from") or ["CN"]
    descriptions = found.get("description") or {}
    return render_template(
        "product.html",
        item=item,
        description=localized(descriptions, chain),
        description_lang=text_language(descriptions, chain),
        attributes=sorted((found.get("attributes") or {}).items()),
        ships_here=Product.from_dict(found).ships_to_country(country),
        delivery=sorted(
            ((origin, market.delivery_estimate(origin)) for origin in origins),
            key=lambda row: (row[1][1], row[1][0]),
        ),
        fastest_origin=market.fastest_origin(origins),
    )


@blueprint.get("/<locale:locale>/country")
def choose_country(locale: str):
    """Set the shopper's country (and so the currency), then go back to the page."""
    registry = services().registry
    code = (request.args.get("country") or "").upper()
    target = local_target(request.args.get("next")) or url_for("pages.landing", locale=locale)
    response = redirect(target, code=303)
    if code in registry.countries:
        response.set_cookie(
            i18n.COUNTRY_COOKIE, code, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True
        )
    return response


# -- building blocks --------------------------------------------------------------


def country_deals(locale: str, country: str, limit: int) -> Sequence[Item]:
    """The country's daily deals (SPEC.md, "Daily recommendations"), only ever read.

    While today's list is being built the shopper gets yesterday's; with no list at
    all, or a database that cannot answer, the country's most popular products.
    """
    svc = services()
    try:
        stored = svc.recommendations.current(country)
    except SQLAlchemyError:
        log.warning(
            "daily deals for %s unavailable; showing popular products", country, exc_info=True
        )
        stored = None
    if stored is None:
        params = SearchParams(locale=locale, country=country, sort="relevance", per_page=limit)
        return svc.search.render(svc.search.run(params))["items"]
    return svc.recommendations.present(stored, locale, limit)


def text_language(texts: dict[str, str], chain: tuple[str, ...]) -> str:
    """The language `search.service.localized` picks from `texts`, for the `lang` attribute."""
    for code in chain:
        for candidate in (code, code.split("_")[0]):
            if candidate in texts:
                return candidate
    return "ru" if "ru" in texts else next(iter(texts), chain[0])


def delivery_origins(country: Country) -> list[tuple[str, tuple[int, int]]]:
    """The country's delivery estimates, fastest first, "any other origin" last."""
    return sorted(country.delivery_days.items(), key=lambda row: (row[0] == "*", row[1][1], row[0]))


def _valid_search_args(locale: str, country: str) -> tuple[MultiDict, list[str]]:
    """The query string with the page's locale and country; bad values dropped and named.

    A shopper who edits a URL by hand gets the page without that filter and a note,
    never an error page.
    """
    registry = services().registry
    args = MultiDict(
        (k, v) for k, v in request.args.items(multi=True) if k in (*SEARCH_ARGS, "page")
    )
    args["locale"], args["country"] = locale, country
    ignored: list[str] = []
    for _ in range(len(SEARCH_ARGS) + 1):
        try:
            parse_search_params(args, registry)
            break
        except BadParameter as exc:
            ignored.append(exc.parameter)
            args.poplist(exc.parameter)
            if exc.parameter == "price_min":  # min > max: both are suspect
                args.poplist("price_max")
    return args, ignored


def search_url(params: SearchParams, **changes: Any) -> str:
    """The search page for `params` with some parameters changed (None removes one)."""
    values: dict[str, Any] = {
        "q": params.q or None,
        "category": list(params.categories),
        "brand": list(params.brands),
        "ships_from": list(params.ships_from),
        "price_min": _plain(params.price_min),
        "price_max": _plain(params.price_max),
        "rating_min": _plain(params.rating_min),
        "sort": params.sort if params.sort != "relevance" else None,
        "page": params.page if params.page > 1 else None,
    }
    if "page" not in changes:
        changes["page"] = None  # a new filter or sort starts again from page one
    values.update(changes)
    if values["page"] == 1:
        values["page"] = None
    kept = {k: v for k, v in values.items() if v not in (None, "", [])}
    return url_for("pages.search", locale=params.locale, **kept)


BRANDS_SHOWN = 15


@dataclass(frozen=True)
class FacetOption:
    """One value in the filter sidebar."""

    value: str  # what the engine counts: a category key, an origin, a brand key
    label: str
    count: int | None  # None: ticked, but past the facet's top values, so not counted
    on: bool
    param: str  # what the URL carries: the value as the shopper ticked it, to untick it


def facet_options(
    buckets: Sequence[Mapping[str, Any]],
    ticked: Sequence[str],
    total: int,
    key: Callable[[str], str] = str,
    label: Callable[[str], str] = str,
    by_label: bool = False,
) -> list[FacetOption]:
    """A facet's buckets as sidebar options, ticked values kept even when not counted.

    A combination of filters that finds nothing returns no bucket for the ticked
    values; they stay listed so the shopper can untick them, with the count that is
    certain: the total when it is the facet's only ticked value (each facet counts
    with every filter but its own), 0 when nothing was found, else unknown.
    `by_label` links buckets by their label (brands are filtered as written).
    """
    chosen = {key(value): value for value in ticked}
    options = []
    for bucket in buckets:
        value, shown = bucket["value"], bucket.get("label") or label(bucket["value"])
        param = chosen.get(value) or (shown if by_label else value)
        options.append(FacetOption(value, shown, bucket["count"], value in chosen, param))
    present = {option.value for option in options}
    for value, typed in chosen.items():
        if value not in present:
            count = total if len(chosen) == 1 else 0 if total == 0 else None
            options.append(FacetOption(value, label(typed), count, True, typed))
    return options


def sidebar(facets: Facets, params: SearchParams, total: int) -> dict[str, list[FacetOption]]:
    """The options of the category, origin and brand filters (top brands, plus ticked ones)."""
    brands = facet_options(facets["brand"], params.brands, total, key=brand_key, by_label=True)
    return {
        "category": facet_options(
            facets["category"],
            params.categories,
            total,
            label=lambda key: category_name(key, params.locale),
        ),  # fmt: skip
        # The local warehouse first: it is the fast-delivery filter.
        "ships_from": sorted(
            facet_options(facets["ships_from"], params.ships_from, total),
            key=lambda option: option.value != params.country,
        ),
        "brand": brands[:BRANDS_SHOWN] + [o for o in brands[BRANDS_SHOWN:] if o.on],
    }


def toggled(params: SearchParams, name: str, value: str) -> str:
    """The search URL with one facet value switched on or off."""
    current = {
        "category": params.categories,
        "brand": params.brands,
        "ships_from": params.ships_from,
    }[name]
    chosen = [v for v in current if v != value] if value in current else [*current, value]
    return search_url(params, **{name: chosen})


def _plain(number: float | None) -> str | None:
    """A number as a URL or <input type=number> wants it: 1500000, 99.5 (never 1.5e+06)."""
    return None if number is None else f"{number:.2f}".rstrip("0").rstrip(".")


def page_numbers(page: int, total: int, per_page: int, around: int = 2) -> list[int | None]:
    """Page links to show: first, last and a window around the current page; None is a gap."""
    last = max(1, -(-total // per_page))
    shown = sorted({1, last, *range(max(1, page - around), min(last, page + around) + 1)})
    result: list[int | None] = []
    for number in shown:
        if result and number - (result[-1] or 0) > 1:
            result.append(None)
        result.append(number)
    return result


# -- error pages ------------------------------------------------------------------


def render_error_page(status: int):
    """The storefront's error page in the shopper's locale (web.errors calls this)."""
    try:
        html = render_template("error.html", status=status)
        response = make_response(html, status)
        response.headers["Content-Language"] = language_tag(i18n.select_locale())
        return response
    except Exception:  # an error page must never fail in turn
        log.exception("error page %s failed to render", status)
        return error_response(status, "error", "the page could not be shown")


class LocaleConverter(BaseConverter):
    """A URL segment shaped like a locale code (`ru`, `pt_BR`), so `/favicon.ico` is no page."""

    regex = r"[a-z]{2,3}(?:_[A-Z]{2})?"


def register(app) -> None:
    """Add the pages, the template helpers and the localized error pages to `app`."""
    app.url_map.converters["locale"] = LocaleConverter
    app.register_blueprint(blueprint)
    app.extensions[PAGE_ERROR_RENDERER] = render_error_page
    app.jinja_env.globals["categories"] = CATEGORIES
