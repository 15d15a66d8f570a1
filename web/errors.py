"""Errors answer `{"error": {"code", "message"}}` on the API; never a stack trace."""

from __future__ import annotations

import logging
from typing import TypeVar

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.wrappers import Response as BaseResponse

from search.engines.base import EngineUnavailable
from search.params import BadParameter

from .answers import ErrorAnswer

log = logging.getLogger("vitrina.web")
R = TypeVar("R", bound=BaseResponse)


def error_response(status: int, code: str, message: str) -> Response:
    answer: ErrorAnswer = {"error": {"code": code, "message": message}}
    response = jsonify(answer)
    response.status_code = status
    return response


def wants_json() -> bool:
    return request.path.startswith(("/api/", "/admin/api/")) or request.path in (
        "/healthz",
        "/livez",
        "/openapi.json",
    )


PAGE_ERROR_RENDERER = "vitrina.page_error"


def with_exception_headers(response: R, exc: HTTPException) -> R:
    """The headers an HTTP error carries (a 405's `Allow`, a 401's `WWW-Authenticate`),
    kept on the answer we render in its place."""
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _page_or_json(app: Flask, status: int, code: str, message: str):
    """Pages get the storefront's error page when one is registered; the API gets JSON."""
    renderer = app.extensions.get(PAGE_ERROR_RENDERER)
    if wants_json() or renderer is None:
        return error_response(status, code, message)
    return renderer(status)


def register(app: Flask) -> None:
    @app.errorhandler(BadParameter)
    def bad_parameter(exc: BadParameter):
        return error_response(400, exc.code, exc.message)

    @app.errorhandler(EngineUnavailable)
    def unavailable(exc: EngineUnavailable):
        log.warning("search backend unavailable: %s", exc)
        return _page_or_json(app, 503, "backend_unavailable", "search is temporarily unavailable")

    @app.errorhandler(SecurityError)
    def untrusted_host(exc: SecurityError):
        """A Host (or forwarded host) not in TRUSTED_HOSTS: a plain answer, no links built
        (pages would build them from that very host)."""
        return error_response(400, "untrusted_host", "this host name is not served here")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = (exc.name or "error").lower().replace(" ", "_")
        response = _page_or_json(app, exc.code or 500, code, exc.description or "")
        return with_exception_headers(response, exc)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unhandled error on %s", request.path)
        return _page_or_json(app, 500, "internal_error", "something went wrong on our side")
