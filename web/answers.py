"""The shapes of the web's own JSON answers (errors, health, daily lists, the API
document) and how every JSON answer is written.

Like search/answers.py: TypedDicts the code is type-checked against and the OpenAPI
document is generated from. Answers are encoded by orjson: a search answer takes
~0.3 ms with the standard library's json, ~0.02 ms with orjson.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired, cast

import orjson
from flask import Response
from flask.json.provider import DefaultJSONProvider, _default
from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict
from werkzeug.sansio.response import Response as BaseResponse

from merchandising.service import RecommendedItem

EXACT = ConfigDict(extra="forbid")


@with_config(EXACT)
class ErrorBody(TypedDict):
    code: Annotated[str, Field(description="Machine-readable: invalid_parameter, not_found…")]
    message: Annotated[str, Field(description="What went wrong, for a person")]


@with_config(EXACT)
class ErrorAnswer(TypedDict):
    """Every 4xx and 5xx answer of the API."""

    error: ErrorBody


@with_config(ConfigDict(extra="allow"))
class DependencyState(TypedDict):
    """One dependency's state, with whatever detail it reports."""

    status: Annotated[str, Field(description="ok or down (the broker: in-process when none)")]
    detail: NotRequired[str]
    dialect: NotRequired[str]


@with_config(EXACT)
class Health(TypedDict):
    """`GET /healthz`: 503 (status down) only when search itself cannot answer."""

    status: Literal["ok", "degraded", "down"]
    backend: Annotated[str, Field(description="The search engine: embedded or elasticsearch")]
    search: DependencyState
    database: DependencyState
    broker: DependencyState


@with_config(EXACT)
class Recommendations(TypedDict):
    """`GET /api/v1/recommendations/{country}`: a country's daily list."""

    country: str
    date: Annotated[
        str, Field(description="The list's local date", json_schema_extra={"format": "date"})
    ]
    items: list[RecommendedItem]


@with_config(ConfigDict(extra="allow"))
class ApiDocument(TypedDict):
    """`GET /openapi.json`: this document."""

    openapi: str
    info: dict[str, Any]
    paths: dict[str, Any]
    components: dict[str, Any]


_ORJSON = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def _encoded(obj: Any) -> bytes:
    """Compact UTF-8 JSON, keys in their order; dates and the rest as Flask writes them."""
    return orjson.dumps(obj, default=_default, option=_ORJSON)


class JSONProvider(DefaultJSONProvider):
    """JSON answers in UTF-8 as written (Cyrillic stays readable), keys in their order,
    encoded by orjson; indented answers (debug) and `tojson` options go the standard way."""

    ensure_ascii = False
    sort_keys = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs:
            return super().dumps(obj, **kwargs)
        return _encoded(obj).decode()

    def response(self, *args: Any, **kwargs: Any) -> BaseResponse:
        if self.compact is False or (self.compact is None and self._app.debug):
            return super().response(*args, **kwargs)
        body = _encoded(self._prepare_response_obj(args, kwargs))
        response_class = cast("type[Response]", self._app.response_class)
        return response_class(body + b"\n", mimetype=self.mimetype)
