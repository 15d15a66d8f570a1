"""The OpenAPI 3.1 description of the JSON API, served at /openapi.json."""

from __future__ import annotations

from functools import cache

from search.catalog import CATEGORIES
from search.engines.base import SORTS
from search.params import MAX_PAGE, MAX_PER_PAGE


def _param(
    name: str, schema: dict, description: str, required: bool = False, where: str = "query"
) -> dict:
    return {
        "name": name,
        "in": where,
        "required": required,
        "description": description,
        "schema": schema,
    }


_ERROR = {
    "description": "Error",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
_LOCALE = _param("locale", {"type": "string", "default": "ru"}, "Page locale (en ru es pt de ar)")
_COUNTRY = _param(
    "country", {"type": "string"}, "Shopper country, ISO 3166 alpha-2; sets the currency"
)


@cache
def openapi_document() -> dict:
    price = {
        "type": "object",
        "properties": {
            "amount": {"type": "number"},
            "currency": {"type": "string"},
            "formatted": {"type": "string"},
        },
    }
    item = {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "category": {"type": "string", "enum": list(CATEGORIES)},
            "brand": {"type": ["string", "null"]},
            "price": price,
            "rating": {"type": ["number", "null"]},
            "orders": {"type": "integer"},
            "ships_from": {"type": "array", "items": {"type": "string"}},
            "delivery_days": {"type": "array", "items": {"type": "integer"}},
            "url": {"type": "string"},
            "highlight": {
                "type": "string",
                "description": "HTML-escaped title with <mark> around matches",
            },
        },
    }
    bucket = {
        "type": "object",
        "properties": {
            "value": {"type": "string"},
            "label": {"type": "string"},
            "count": {"type": "integer"},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Vitrina storefront search API", "version": "1"},
        "paths": {
            "/api/v1/search": {
                "get": {
                    "summary": "Search or browse the catalog",
                    "parameters": [
                        _param(
                            "q", {"type": "string", "maxLength": 200}, "Query text; empty browses"
                        ),
                        _LOCALE,
                        _COUNTRY,
                        _param(
                            "category",
                            {"type": "string", "enum": list(CATEGORIES)},
                            "Category key (repeat or comma-separate)",
                        ),
                        _param("brand", {"type": "string"}, "Brand (repeat or comma-separate)"),
                        _param(
                            "price_min",
                            {"type": "number", "minimum": 0},
                            "Lowest price in the shopper's currency",
                        ),
                        _param(
                            "price_max",
                            {"type": "number", "minimum": 0},
                            "Highest price in the shopper's currency",
                        ),
                        _param("ships_from", {"type": "string"}, "Origin country codes"),
                        _param(
                            "rating_min",
                            {"type": "number", "minimum": 0, "maximum": 5},
                            "Lowest rating",
                        ),
                        _param(
                            "sort",
                            {"type": "string", "enum": list(SORTS), "default": "relevance"},
                            "Order of results",
                        ),
                        _param(
                            "page",
                            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
                            "Page, from 1",
                        ),
                        _param(
                            "per_page",
                            {
                                "type": "integer",
                                "minimum": 1,
                                "maximum": MAX_PER_PAGE,
                                "default": 20,
                            },
                            "Results per page",
                        ),
                    ],
                    "responses": {
                        "200": {
                            "description": "Results",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "query": {
                                                "type": "object",
                                                "properties": {
                                                    "text": {"type": "string"},
                                                    "understood": {"type": "string"},
                                                    "corrections": {
                                                        "type": "array",
                                                        "items": {
                                                            "type": "object",
                                                            "properties": {
                                                                "kind": {
                                                                    "type": "string",
                                                                    "enum": [
                                                                        "layout",
                                                                        "translit",
                                                                        "spelling",
                                                                        "synonym",
                                                                    ],
                                                                },
                                                                "from": {"type": "string"},
                                                                "to": {"type": "string"},
                                                            },
                                                        },
                                                    },
                                                    "relaxed": {
                                                        "type": "boolean",
                                                        "description": "Some words were made optional to find anything",
                                                    },
                                                    "did_you_mean": {
                                                        "type": ["string", "null"],
                                                        "description": "A spelling-corrected query, offered (not applied) when the query as typed found products",
                                                    },
                                                },
                                            },
                                            "total": {"type": "integer"},
                                            "page": {"type": "integer"},
                                            "per_page": {"type": "integer"},
                                            "items": {"type": "array", "items": item},
                                            "facets": {
                                                "type": "object",
                                                "properties": {
                                                    "category": {"type": "array", "items": bucket},
                                                    "brand": {"type": "array", "items": bucket},
                                                    "ships_from": {
                                                        "type": "array",
                                                        "items": bucket,
                                                    },
                                                    "price": {
                                                        "type": "object",
                                                        "properties": {
                                                            "min": {"type": "number"},
                                                            "max": {"type": "number"},
                                                        },
                                                    },
                                                },
                                            },
                                        },
                                    }
                                }
                            },
                        },
                        "400": _ERROR,
                        "503": _ERROR,
                    },
                }
            },
            "/api/v1/suggest": {
                "get": {
                    "summary": "Autocomplete as the shopper types",
                    "description": (
                        "Completes the last word from the catalog's vocabulary (most frequent first), "
                        "on the corrected keyboard layout ('cev' suggests 'сумка'); adds a few products "
                        "matching the completed query (with `id` and `url`) and categories named in the "
                        "page locale (with the category key as `value`)."
                    ),
                    "parameters": [
                        _param("q", {"type": "string"}, "What was typed so far", required=True),
                        _LOCALE,
                        _COUNTRY,
                    ],
                    "responses": {
                        "200": {
                            "description": "Suggestions, queries first",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "suggestions": {
                                                "type": "array",
                                                "items": {
                                                    "type": "object",
                                                    "required": ["text", "kind"],
                                                    "properties": {
                                                        "text": {"type": "string"},
                                                        "kind": {
                                                            "type": "string",
                                                            "enum": [
                                                                "query",
                                                                "product",
                                                                "category",
                                                            ],
                                                        },
                                                        "id": {"type": "string"},
                                                        "url": {"type": "string"},
                                                        "value": {"type": "string"},
                                                    },
                                                },
                                            }
                                        },
                                    }
                                }
                            },
                        },
                        "400": _ERROR,
                    },
                }
            },
            "/api/v1/recommendations/{country}": {
                "get": {
                    "summary": "A country's daily recommendations",
                    "parameters": [
                        _param(
                            "country",
                            {"type": "string"},
                            "ISO 3166 alpha-2",
                            required=True,
                            where="path",
                        ),
                        _param(
                            "date",
                            {"type": "string", "format": "date"},
                            "Local date, default today",
                        ),
                        _LOCALE,
                    ],
                    "responses": {
                        "200": {"description": "Recommendations"},
                        "400": _ERROR,
                        "404": _ERROR,
                    },
                }
            },
            "/healthz": {
                "get": {
                    "summary": "Health of the service and its dependencies",
                    "responses": {
                        "200": {"description": "Healthy"},
                        "503": {"description": "A dependency is down"},
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": {
                        "error": {
                            "type": "object",
                            "properties": {
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                            },
                        }
                    },
                }
            }
        },
    }
