"""The admin JSON API of SPEC.md (`/admin/api/v1/`), for API tokens.

Every route is declared with `@documented` (web/openapi.py), so /openapi.json covers
it and tests validate its answers. Bad bodies and parameters answer 400, no or a bad
token 401, a role without the right 403, an unknown id 404, in the error shape
`{"error": {"code", "message"}}`.
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar, cast

from flask import Blueprint, Response, jsonify, request
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import OperationalError

from merchandising.curation import CurationError
from search.params import BadParameter, validated
from search.understanding.editable import DataError

from ..answers import ErrorAnswer
from ..context import services
from ..errors import error_response
from ..openapi import documented
from . import answers as a
from .auth import api_user, token_user
from .shared import preview_list, product_lookup, target_country

blueprint = Blueprint("admin_api", __name__, url_prefix="/admin/api/v1")
log = logging.getLogger("vitrina.web")
M = TypeVar("M", bound=BaseModel)

SECURE = ("adminToken",)
BAD = ("Bad body or parameters", ErrorAnswer)
UNAUTHORIZED = ("No API token, or a bad one", ErrorAnswer)
FORBIDDEN = ("The token's role does not have this right", ErrorAnswer)
NOT_FOUND = ("No such item", ErrorAnswer)
DELETED = ("Deleted", None)
COMMON: dict[int, tuple[str, Any]] = {400: BAD, 401: UNAUTHORIZED}


@blueprint.errorhandler(OperationalError)
def database_unavailable(exc: OperationalError) -> Response:
    log.warning("database unavailable: %s", exc)
    return error_response(503, "backend_unavailable", "the database is temporarily unavailable")


@blueprint.errorhandler(CurationError)
def refused(exc: CurationError) -> Response:
    return error_response(400, "invalid_body", exc.message)


def body(model: type[M]) -> M:
    """The request's JSON body validated by `model`; BadParameter (400) naming the field."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadParameter("body", "the body must be a JSON object", "invalid_body")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "body"
        message = str(error["msg"]).removeprefix("Value error, ")
        raise BadParameter(where, f"{where}: {message}", "invalid_body") from None


def created(answer: Any) -> tuple[Response, int]:
    return jsonify(answer), 201


def no_content() -> Response:
    return Response(status=204)


# -- pins and exclusions ----------------------------------------------------------


@blueprint.get("/pins")
@documented(
    "Pins of the daily lists",
    {200: ("Pins, in list order per country", a.PinList), **COMMON},
    query=a.ListQuery,
    security=SECURE,
)
@token_user()
def list_pins() -> Response:
    query = validated(a.ListQuery, request.args)
    pins = services().curation.pins(query.country, query.date)
    answer: a.PinList = {"items": [cast(a.PinAnswer, p.to_dict()) for p in pins]}
    return jsonify(answer)


@blueprint.post("/pins")
@documented(
    "Pin a product to a country's daily lists over a span of local dates",
    {201: ("The stored pin", a.PinAnswer), **COMMON},
    description="Stored lists of those dates are rebuilt at once; later ones include it when built.",
    body=a.PinBody,
    security=SECURE,
)
@token_user()
def add_pin() -> tuple[Response, int]:
    given = body(a.PinBody)
    pin = services().curation.add_pin(
        given.country, given.product_id, given.starts, given.ends, given.position, given.badge,
        user=api_user().name,
    )  # fmt: skip
    return created(pin.to_dict())


@blueprint.delete("/pins/<int:pin_id>")
@documented(
    "Remove a pin",
    {204: DELETED, 401: UNAUTHORIZED, 404: NOT_FOUND},
    path_params={"pin_id": "The pin's id"},
    security=SECURE,
)
@token_user()
def remove_pin(pin_id: int) -> Response:
    if services().curation.remove_pin(pin_id, user=api_user().name) is None:
        return error_response(404, "not_found", f"no pin {pin_id}")
    return no_content()


@blueprint.get("/exclusions")
@documented(
    "Exclusions from the daily lists",
    {200: ("Exclusions", a.ExclusionList), **COMMON},
    query=a.ListQuery,
    security=SECURE,
)
@token_user()
def list_exclusions() -> Response:
    query = validated(a.ListQuery, request.args)
    found = services().curation.exclusions(query.country, query.date)
    answer: a.ExclusionList = {"items": [cast(a.ExclusionAnswer, e.to_dict()) for e in found]}
    return jsonify(answer)


@blueprint.post("/exclusions")
@documented(
    "Keep a product out of a country's daily lists over a span of local dates",
    {201: ("The stored exclusion", a.ExclusionAnswer), **COMMON},
    body=a.ExclusionBody,
    security=SECURE,
)
@token_user()
def add_exclusion() -> tuple[Response, int]:
    given = body(a.ExclusionBody)
    exclusion = services().curation.add_exclusion(
        given.country, given.product_id, given.starts, given.ends, user=api_user().name
    )
    return created(exclusion.to_dict())


@blueprint.delete("/exclusions/<int:exclusion_id>")
@documented(
    "Remove an exclusion",
    {204: DELETED, 401: UNAUTHORIZED, 404: NOT_FOUND},
    path_params={"exclusion_id": "The exclusion's id"},
    security=SECURE,
)
@token_user()
def remove_exclusion(exclusion_id: int) -> Response:
    if services().curation.remove_exclusion(exclusion_id, user=api_user().name) is None:
        return error_response(404, "not_found", f"no exclusion {exclusion_id}")
    return no_content()


@blueprint.get("/preview/<country>")
@documented(
    "The daily list a country gets on a date, pins and exclusions applied",
    {200: ("The list", a.Preview), 404: ("No such country", ErrorAnswer), **COMMON},
    query=a.PreviewQuery,
    path_params={"country": "ISO 3166 alpha-2"},
    security=SECURE,
)
@token_user()
def preview(country: str) -> Response:
    code = target_country(country)
    if code is None:
        return error_response(404, "unknown_country", f"no storefront for country {country!r}")
    query = validated(a.PreviewQuery, request.args)
    return jsonify(preview_list(code, query.date, query.locale))


# -- query rules, synonyms, brand aliases -------------------------------------------


@blueprint.get("/rules")
@documented(
    "Query rules",
    {200: ("Rules, newest first", a.RuleList), **COMMON},
    query=a.ListQuery,
    security=SECURE,
)
@token_user()
def list_rules() -> Response:
    query = validated(a.ListQuery, request.args)
    rules = services().rules.list(query.locale, query.country)
    answer: a.RuleList = {"items": [cast(a.RuleAnswer, r.to_dict()) for r in rules]}
    return jsonify(answer)


@blueprint.post("/rules")
@documented(
    "Promote and hide products for a query",
    {201: ("The stored rule, in effect on the next search", a.RuleAnswer), **COMMON},
    body=a.RuleBody,
    security=SECURE,
)
@token_user()
def add_rule() -> tuple[Response, int]:
    given = body(a.RuleBody)
    rule = services().rules.add(
        given.query, given.locale, given.country, given.promote, given.hide, given.starts,
        given.ends, user=api_user().name,
    )  # fmt: skip
    return created(rule.to_dict())


@blueprint.delete("/rules/<int:rule_id>")
@documented(
    "Remove a query rule",
    {204: DELETED, 401: UNAUTHORIZED, 404: NOT_FOUND},
    path_params={"rule_id": "The rule's id"},
    security=SECURE,
)
@token_user()
def remove_rule(rule_id: int) -> Response:
    if services().rules.remove(rule_id, user=api_user().name) is None:
        return error_response(404, "not_found", f"no rule {rule_id}")
    return no_content()


@blueprint.get("/synonyms")
@documented(
    "Synonym groups search uses",
    {200: ("The groups", a.SynonymsAnswer), 401: UNAUTHORIZED},
    security=SECURE,
)
@token_user()
def get_synonyms() -> Response:
    answer: a.SynonymsAnswer = {"groups": services().wording.synonyms()}
    return jsonify(answer)


@blueprint.put("/synonyms")
@documented(
    "Replace every synonym group",
    {200: ("The stored groups, in effect on the next search", a.SynonymsAnswer), **COMMON},
    description="Validated whole: a bad group answers 400 naming it, and nothing changes.",
    body=a.SynonymsBody,
    security=SECURE,
)
@token_user()
def put_synonyms() -> Response:
    data = _object_with("groups")
    try:
        groups = services().wording.save_synonyms(data["groups"], user=api_user().name)
    except DataError as exc:
        return error_response(400, "invalid_synonyms", str(exc))
    answer: a.SynonymsAnswer = {"groups": groups}
    return jsonify(answer)


@blueprint.get("/brand-aliases")
@documented(
    "Brand aliases search uses",
    {200: ("The aliases", a.AliasesAnswer), 401: UNAUTHORIZED},
    security=SECURE,
)
@token_user()
def get_aliases() -> Response:
    answer: a.AliasesAnswer = {"aliases": services().wording.aliases()}
    return jsonify(answer)


@blueprint.put("/brand-aliases")
@documented(
    "Replace every brand alias",
    {200: ("The stored aliases, in effect on the next search", a.AliasesAnswer), **COMMON},
    description="Validated whole: a bad alias answers 400 naming it, and nothing changes.",
    body=a.AliasesBody,
    security=SECURE,
)
@token_user()
def put_aliases() -> Response:
    data = _object_with("aliases")
    try:
        aliases = services().wording.save_aliases(data["aliases"], user=api_user().name)
    except DataError as exc:
        return error_response(400, "invalid_aliases", str(exc))
    answer: a.AliasesAnswer = {"aliases": aliases}
    return jsonify(answer)


def _object_with(key: str) -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or key not in data or set(data) - {key}:
        raise BadParameter("body", f'the body must be a JSON object {{"{key}": …}}', "invalid_body")
    return data


# -- reports, audit, products ---------------------------------------------------------


@blueprint.get("/reports/searches")
@documented(
    "What shoppers searched: the most searched queries, or those that found nothing",
    {200: ("Queries, most searched first", a.SearchReport), **COMMON},
    query=a.ReportQuery,
    security=SECURE,
)
@token_user()
def search_report() -> Response:
    query = validated(a.ReportQuery, request.args)
    if query.kind not in ("top", "zero"):
        raise BadParameter("kind", "kind must be top or zero")
    rows = services().reports.queries(
        query.kind, query.locale, query.country, query.days, query.limit
    )
    answer: a.SearchReport = {"items": [cast(a.QueryReportRow, row.to_dict()) for row in rows]}
    return jsonify(answer)


@blueprint.get("/audit")
@documented(
    "The audit log (admins only)",
    {200: ("Changes, newest first", a.AuditAnswer), 403: FORBIDDEN, **COMMON},
    query=a.AuditQuery,
    security=SECURE,
)
@token_user("audit")
def audit() -> Response:
    query = validated(a.AuditQuery, request.args)
    entries = services().audit.recent(query.limit)
    answer: a.AuditAnswer = {"items": [cast(a.AuditItem, e.to_dict()) for e in entries]}
    return jsonify(answer)


@blueprint.get("/products")
@documented(
    "Find products by id or title (to pin, promote or hide them)",
    {200: ("Products, an exact id first", a.ProductsAnswer), **COMMON},
    query=a.ProductsQuery,
    security=SECURE,
)
@token_user()
def products() -> Response:
    query = validated(a.ProductsQuery, request.args)
    answer: a.ProductsAnswer = {"items": product_lookup(query.q, query.locale, query.country)}
    return jsonify(answer)
