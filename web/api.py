"""The JSON API of SPEC.md: search, suggest, recommendations, health, OpenAPI."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from search.params import parse_search_params
from search.suggest import Suggester, suggestions_answer

from .app import services
from .health import broker_state, database_state
from .openapi import openapi_document

blueprint = Blueprint("api", __name__)


@blueprint.get("/api/v1/search")
def search():
    svc = services()
    params = parse_search_params(request.args, svc.registry)
    return jsonify(svc.search.search(params))


@blueprint.get("/api/v1/suggest")
def suggest():
    svc = services()
    params = parse_search_params(request.args, svc.registry)
    return jsonify(
        suggestions_answer(Suggester(svc.search), params.q, params.locale, params.country)
    )


@blueprint.get("/healthz")
def healthz():
    """Each dependency's state; 503 only when search itself cannot answer."""
    svc = services()
    search_state = svc.engine.health()
    body = {
        "status": "ok",
        "backend": svc.settings.search_backend,
        "search": search_state,
        "database": database_state(svc.settings),
        "broker": broker_state(svc.settings),
    }
    if search_state.get("status") != "ok":
        body["status"] = "down"
    elif body["database"]["status"] != "ok" or body["broker"]["status"] not in ("ok", "in-process"):
        body["status"] = "degraded"
    return jsonify(body), 503 if body["status"] == "down" else 200


@blueprint.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())
