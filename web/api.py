"""The JSON API of SPEC.md: search, suggest, daily recommendations, health, OpenAPI.

Every view is declared with the model that validates its parameters and the types
that shape its answers (web/openapi.py); the document at /openapi.json is generated
from those declarations. Views only read: a missing daily list is requested from
the recommendation service, never built as a side effect of a page view here.
"""

from __future__ import annotations

import logging
from datetime import date as Day
from datetime import timedelta
from typing import Annotated, Any, cast

from flask import Blueprint, Response, current_app, jsonify, request
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from sqlalchemy.exc import OperationalError

from locales.registry import UnknownCountry
from search.answers import SearchAnswer, SuggestAnswer
from search.params import (
    BadParameter,
    OptionalText,
    SearchQuery,
    SuggestQuery,
    parse_search_params,
    validated,
)
from search.suggest import Suggester, suggestions_answer

from .answers import ApiDocument, ErrorAnswer, Health, Recommendations
from .context import services
from .errors import error_response
from .health import Liveness
from .health import monitor as health_monitor
from .limits import parse_sane_day
from .openapi import documented, openapi_document

blueprint = Blueprint("api", __name__)
log = logging.getLogger("vitrina.web")

BAD = ("Bad parameters", ErrorAnswer)
UNAVAILABLE = ("A backend is down", ErrorAnswer)
RETRY_AFTER_S = 30


@blueprint.errorhandler(OperationalError)
def database_unavailable(exc: OperationalError) -> Response:
    log.warning("database unavailable: %s", exc)
    return error_response(503, "backend_unavailable", "the database is temporarily unavailable")


@blueprint.get("/api/v1/search")
@documented(
    "Search or browse the catalog",
    {200: ("Results, with how the query was understood", SearchAnswer), 400: BAD, 503: UNAVAILABLE},
    query=SearchQuery,
)
def search() -> Response:
    svc = services()
    return jsonify(svc.search.search(parse_search_params(request.args, svc.registry)))


@blueprint.get("/api/v1/suggest")
@documented(
    "Autocomplete as the shopper types",
    {200: ("Suggestions, queries first", SuggestAnswer), 400: BAD, 503: UNAVAILABLE},
    description=(
        "Completes the last word from the catalog's vocabulary (most frequent first), on the "
        "corrected keyboard layout ('cev' suggests 'сумка'); adds a few products matching the "
        "completed query and categories named in the page locale."
    ),
    query=SuggestQuery,
)
def suggest() -> Response:
    svc = services()
    params = parse_search_params(request.args, svc.registry, SuggestQuery)
    answer = suggestions_answer(Suggester(svc.search), params.q, params.locale, params.country)
    return jsonify(cast(SuggestAnswer, answer))


def _day(value: Any) -> Any:
    """A `YYYY-MM-DD` date (blank: none); other forms are refused with a clear message."""
    if isinstance(value, str):
        return parse_sane_day(value.strip()) if value.strip() else None
    return value


class RecommendationsQuery(BaseModel):
    """The parameters of `GET /api/v1/recommendations/{country}`."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    date: Annotated[
        Day | None,
        BeforeValidator(_day),
        Field(description="The country's local date, YYYY-MM-DD (default: today; while "
              "today's list is being built, yesterday's)"),
    ] = None  # fmt: skip
    locale: Annotated[OptionalText, Field(description="Page locale (default: the country's)")] = (
        None
    )


@blueprint.get("/api/v1/recommendations/<country>")
@documented(
    "A country's daily recommendations",
    {
        200: ("The list, its products shaped like search items", Recommendations),
        400: BAD,
        404: ("No such country, or no list for that date", ErrorAnswer),
        503: ("The list is being built (see Retry-After), or a backend is down", ErrorAnswer),
    },
    query=RecommendationsQuery,
    path_params={"country": "ISO 3166 alpha-2"},
)
def recommendations(country: str) -> Response:
    svc = services()
    registry, lists = svc.registry, svc.recommendations
    try:
        market = registry.country(country)
    except UnknownCountry:
        return error_response(
            404,
            "unknown_country",
            f"no storefront for country {country!r}; one of {', '.join(registry.countries)}",
        )
    query = validated(RecommendationsQuery, request.args)
    locale = query.locale or market.locale
    if locale not in registry.enabled_locales:
        raise BadParameter(
            "locale", f"locale must be one of {', '.join(registry.enabled_locales)}, got {locale!r}"
        )
    today = lists.today(market.code)
    if query.date is not None and query.date > today + timedelta(days=1):
        raise BadParameter(
            "date", f"date is in the future for {market.code} (today there is {today.isoformat()})"
        )
    stored = lists.current(market.code) if query.date is None else lists.on(market.code, query.date)
    if stored is None:
        if query.date is None or lists.is_recent(market.code, query.date):
            response = error_response(
                503, "list_pending", f"the list for {market.code} is being built; try again soon"
            )
            response.headers["Retry-After"] = str(RETRY_AFTER_S)
            return response
        return error_response(
            404, "not_found", f"no list for {market.code} on {query.date.isoformat()}"
        )
    answer: Recommendations = {
        "country": market.code,
        "date": stored.date.isoformat(),
        "items": lists.present(stored, locale),
    }
    return jsonify(answer)


@blueprint.get("/healthz")
@documented(
    "Readiness: each dependency's state, from probes made in the background",
    {
        200: ("Every dependency the request path needs answers (status ok)", Health),
        503: ("Search, the database or the broker is down (status down)", Health),
    },
    description=(
        "Answers within 500 ms from cached probe results; a dependency whose probe has not "
        "answered within 0.4 s counts as down. For liveness use /livez."
    ),
)
def healthz() -> tuple[Response, int]:
    report = health_monitor(current_app, services()).report()
    return jsonify(report), 503 if report["status"] != "ok" else 200


@blueprint.get("/livez")
@documented(
    "Liveness: the process serves requests (no dependency is asked)",
    {200: ("Alive", Liveness)},
)
def livez() -> Response:
    answer: Liveness = {"status": "alive"}
    return jsonify(answer)


@blueprint.get("/openapi.json")
@documented("This document", {200: ("The OpenAPI 3.1 document", ApiDocument)})
def openapi() -> Response:
    return jsonify(openapi_document(current_app))
