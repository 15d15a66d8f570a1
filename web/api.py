"""The JSON API of SPEC.md: search, suggest, recommendations, health, OpenAPI."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from search.params import parse_search_params
from search.suggest import Suggester, suggestions_answer

from .app import services
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
    return jsonify(suggestions_answer(Suggester(svc.search), params.q, params.locale, params.country))


@blueprint.get("/healthz")
def healthz():
    svc = services()
    engine = svc.engine.health()
    status = "ok" if engine.get("status") == "ok" else "degraded"
    body = {"status": status, "search": engine, "backend": svc.settings.search_backend}
    return jsonify(body), 200 if status == "ok" else 503


@blueprint.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())
