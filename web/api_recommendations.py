"""`GET /api/v1/recommendations/{country}?date=&locale=`: a country's daily deals."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Blueprint, jsonify, request
from sqlalchemy.exc import OperationalError

from indexer.recommendations import Recommender, local_today, parse_day
from indexer.storage import database_for
from locales.registry import UnknownCountry
from search.params import BadParameter

from .app import services
from .errors import error_response

blueprint = Blueprint("api_recommendations", __name__)
log = logging.getLogger("vitrina.web")


@blueprint.errorhandler(OperationalError)
def database_unavailable(exc: OperationalError):
    log.warning("database unavailable: %s", exc)
    return error_response(503, "backend_unavailable", "recommendations are temporarily unavailable")


@blueprint.get("/api/v1/recommendations/<country>")
def recommendations(country: str):
    svc = services()
    registry = svc.registry
    try:
        market = registry.country(country)
    except UnknownCountry:
        return error_response(
            404,
            "unknown_country",
            f"no storefront for country {country!r}; one of {', '.join(registry.countries)}",
        )
    locale = (request.args.get("locale") or market.locale).strip()
    if locale not in registry.enabled_locales:
        raise BadParameter(
            "locale", f"locale must be one of {', '.join(registry.enabled_locales)}, got {locale!r}"
        )
    today = local_today(market.timezone)
    raw_date = (request.args.get("date") or "").strip()
    try:
        day = parse_day(raw_date) if raw_date else today
    except ValueError as exc:
        raise BadParameter("date", str(exc)) from None
    if day > today + timedelta(days=1):
        raise BadParameter(
            "date", f"date is in the future for {market.code} (today there is {today.isoformat()})"
        )
    # A missing list (today's before the nightly task ran, or a past day) is built on demand.
    stored = Recommender(database_for(svc.settings), svc.engine, registry).get_or_build(
        market.code, day
    )
    reasons = {entry.product_id: entry.reason for entry in stored.entries}
    items = svc.search.products(list(reasons), locale, market.code)
    return jsonify(
        {
            "country": market.code,
            "date": day.isoformat(),
            "items": [{**item, "reason": reasons[item["id"]]} for item in items],
        }
    )
