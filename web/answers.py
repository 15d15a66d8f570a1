"""The shapes of the web's own JSON answers: errors, health, daily lists, the API document.

Like search/answers.py: TypedDicts the code is type-checked against and the OpenAPI
document is generated from.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired

from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict

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
