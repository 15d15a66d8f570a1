"""The OpenAPI 3.1 document at /openapi.json, generated from what the API runs on.

A JSON view is declared with `@documented(...)`: the pydantic model that validates its
query parameters, the TypedDicts that shape its answers (the code building them is
type-checked against the same types), and for admin routes its request body. The
document walks the app's URL map, so it lists exactly the routes that exist; a test
validates real answers of every route against it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Flask
from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import JsonSchemaMode

REF_TEMPLATE = "#/components/schemas/{model}"
INFO = {
    "title": "Vitrina storefront search API",
    "version": "1",
    "description": 'Localized storefront search: see SPEC.md, "HTTP API".',
}
DOCUMENT_CACHE = "vitrina.openapi"
SECURITY_SCHEMES = {
    "adminToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "An admin API token from `vitrina users token NAME`",
    }
}
V = TypeVar("V", bound=Callable[..., Any])


@dataclass(frozen=True)
class Operation:
    """One documented route: what it takes and what it answers."""

    summary: str
    answers: Mapping[int, tuple[str, Any]]  # status -> (description, answer type)
    description: str = ""
    query: type[BaseModel] | None = None
    body: Any = None  # a pydantic model or TypedDict for a JSON request body
    path_params: Mapping[str, str] = field(default_factory=dict)  # name -> description
    security: tuple[str, ...] = ()  # names of SECURITY_SCHEMES the route requires


def documented(
    summary: str,
    answers: Mapping[int, tuple[str, Any]],
    *,
    description: str = "",
    query: type[BaseModel] | None = None,
    body: Any = None,
    path_params: Mapping[str, str] | None = None,
    security: tuple[str, ...] = (),
) -> Callable[[V], V]:
    """Declare a view's parameters and answers for the OpenAPI document (an answer type
    of None: no body)."""
    operation = Operation(summary, answers, description, query, body, path_params or {}, security)

    def declare(view: V) -> V:
        view.openapi = operation  # type: ignore[attr-defined]
        return view

    return declare


def operations(app: Flask) -> list[tuple[str, str, Operation]]:
    """(OpenAPI path, method, operation) of every documented route of `app`."""
    found = []
    for rule in app.url_map.iter_rules():
        operation = getattr(app.view_functions[rule.endpoint], "openapi", None)
        if operation is None:
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((path, method.lower(), operation))
    return found


def openapi_document(app: Flask) -> dict[str, Any]:
    """The document for `app` (generated once per app)."""
    cached = app.extensions.get(DOCUMENT_CACHE)
    if cached is None:
        cached = app.extensions[DOCUMENT_CACHE] = _generate(operations(app))
    return cached


SchemaKey = tuple[str, str, int | str]  # (path, method, status or "body")


def _generate(found: list[tuple[str, str, Operation]]) -> dict[str, Any]:
    inputs: list[tuple[SchemaKey, JsonSchemaMode, TypeAdapter[Any]]] = []
    for path, method, operation in found:
        for status, (_, shape) in operation.answers.items():
            if shape is not None:  # None: an answer without a body (204)
                inputs.append(((path, method, status), "serialization", TypeAdapter(shape)))
        if operation.body is not None:
            inputs.append(((path, method, "body"), "validation", TypeAdapter(operation.body)))
    schemas, definitions = TypeAdapter.json_schemas(inputs, ref_template=REF_TEMPLATE)
    paths: dict[str, dict[str, Any]] = {}
    for path, method, operation in found:
        entry: dict[str, Any] = {"summary": operation.summary}
        if operation.description:
            entry["description"] = operation.description
        parameters = _path_parameters(path, operation) + _query_parameters(operation.query)
        if parameters:
            entry["parameters"] = parameters
        if operation.body is not None:
            entry["requestBody"] = {
                "required": True,
                "content": {
                    "application/json": {"schema": schemas[(path, method, "body"), "validation"]}
                },
            }
        entry["responses"] = {
            str(status): {"description": description}
            if shape is None
            else {
                "description": description,
                "content": {
                    "application/json": {"schema": schemas[(path, method, status), "serialization"]}
                },
            }
            for status, (description, shape) in sorted(operation.answers.items())
        }
        if operation.security:
            entry["security"] = [{name: []} for name in operation.security]
        paths.setdefault(path, {})[method] = entry
    components: dict[str, Any] = {"schemas": definitions.get("$defs", {})}
    if any(operation.security for _, _, operation in found):
        components["securitySchemes"] = SECURITY_SCHEMES
    return {"openapi": "3.1.0", "info": INFO, "paths": paths, "components": components}


def _path_parameters(path: str, operation: Operation) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "in": "path",
            "required": True,
            "description": operation.path_params.get(name, ""),
            "schema": {"type": "string"},
        }
        for name in re.findall(r"{([^}]+)}", path)
    ]


def _query_parameters(model: type[BaseModel] | None) -> list[dict[str, Any]]:
    """Query parameters from the model that validates them."""
    if model is None:
        return []
    schema = model.model_json_schema(ref_template=REF_TEMPLATE)
    required = set(schema.get("required", ()))
    parameters = []
    for name, prop in schema["properties"].items():
        prop = dict(prop)
        prop.pop("title", None)
        description = prop.pop("description", "")
        if "anyOf" in prop:  # "or null": in a query string, an absent parameter
            kept = [branch for branch in prop.pop("anyOf") if branch.get("type") != "null"]
            prop.update(kept[0] if len(kept) == 1 else {"anyOf": kept})
            if prop.get("default", 0) is None:
                del prop["default"]
        parameter: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": name in required,
            "description": description,
            "schema": prop,
        }
        if prop.get("type") == "array":
            parameter.update(style="form", explode=True)
        parameters.append(parameter)
    return parameters
