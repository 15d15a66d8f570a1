"""/openapi.json is generated from the code's own definitions, and every JSON route's
real answers validate against it (each documented status of each route at least once)."""

from __future__ import annotations

from collections import defaultdict

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from vitrina.config import Settings
from vitrina.services import Services
from web.app import create_app
from web.openapi import operations

JSON_ROUTES = ("/api/", "/admin/api/", "/healthz", "/openapi.json")

# (documented path, method) -> requests to the app with a catalog: (url, expected status)
SERVING = {
    ("/api/v1/search", "get"): [
        ("/api/v1/search?q=сумка&locale=ru", 200),
        ("/api/v1/search?q=cevrf+rj;fyfz", 200),
        ("/api/v1/search?q=&category=phones&category=computers&sort=price_asc&per_page=5", 200),
        ("/api/v1/search?q=samsung&locale=en&country=US&price_max=500&rating_min=4", 200),
        ("/api/v1/search?q=zzzzqqqxxx", 200),
        ("/api/v1/search?q=чай&per_page=0", 400),
        ("/api/v1/search?q=чай&sort=nope", 400),
    ],
    ("/api/v1/suggest", "get"): [
        ("/api/v1/suggest?q=сум&locale=ru", 200),
        ("/api/v1/suggest?q=cev&locale=ru", 200),
        ("/api/v1/suggest?q=", 200),
        ("/api/v1/suggest?q=x&locale=xx", 400),
    ],
    ("/api/v1/recommendations/{country}", "get"): [
        ("/api/v1/recommendations/RU?locale=ru", 200),
        ("/api/v1/recommendations/de?locale=en", 200),
        ("/api/v1/recommendations/XX", 404),
        ("/api/v1/recommendations/RU?date=1999-01-01", 404),
        ("/api/v1/recommendations/RU?date=soon", 400),
    ],
    ("/healthz", "get"): [("/healthz", 200)],
    ("/openapi.json", "get"): [("/openapi.json", 200)],
}
# ... to an app whose search index does not exist yet, and whose lists are queued
DOWN = {
    ("/api/v1/search", "get"): [("/api/v1/search?q=чай", 503)],
    ("/api/v1/suggest", "get"): [("/api/v1/suggest?q=чай", 503)],
    ("/api/v1/recommendations/{country}", "get"): [("/api/v1/recommendations/RU", 503)],
    ("/healthz", "get"): [("/healthz", 503)],
}


def answer_validator(document: dict, path: str, method: str, status: int) -> Draft202012Validator:
    """A validator for one documented answer, resolving the document's component refs."""
    responses = document["paths"][path][method]["responses"]
    assert str(status) in responses, f"{method} {path}: status {status} is not documented"
    schema = responses[str(status)]["content"]["application/json"]["schema"]
    return Draft202012Validator({**schema, "components": document["components"]})


@pytest.fixture
def down_client(tmp_path):
    services = Services(Settings(data_dir=tmp_path / "empty"))  # no search index yet
    services.recommendations.queue = lambda country, day: None  # a broker takes the build
    return create_app(services, {"TESTING": True}).test_client()


def test_the_document_is_valid_openapi(client):
    validate(client.get("/openapi.json").get_json())


def test_every_json_route_is_documented(app):
    documented = {(path, method) for path, method, _ in operations(app)}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(JSON_ROUTES):
            assert hasattr(app.view_functions[rule.endpoint], "openapi"), rule.rule
    assert documented == set(SERVING), "add examples for every documented route"


def test_real_answers_validate_against_the_document(client, down_client):
    document = client.get("/openapi.json").get_json()
    seen: dict[tuple[str, str], set[int]] = defaultdict(set)
    for app_client, examples in ((client, SERVING), (down_client, DOWN)):
        for (path, method), requests in examples.items():
            for url, status in requests:
                response = app_client.open(url, method=method.upper())
                assert response.status_code == status, (url, response.get_data(as_text=True))
                assert response.mimetype == "application/json", url
                validator = answer_validator(document, path, method, status)
                errors = [e.message for e in validator.iter_errors(response.get_json())]
                assert not errors, (url, errors[:3])
                seen[path, method].add(status)
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            documented = {int(code) for code in operation["responses"]}
            assert documented == seen[path, method], f"{method} {path}: unexercised answers"


def test_parameters_come_from_the_model_that_validates_them(client):
    from search.params import MAX_PER_PAGE, MAX_QUERY_LENGTH

    document = client.get("/openapi.json").get_json()
    parameters = {p["name"]: p for p in document["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert parameters["per_page"]["schema"]["maximum"] == MAX_PER_PAGE
    assert parameters["q"]["schema"]["maxLength"] == MAX_QUERY_LENGTH
    assert parameters["category"]["explode"] is True
    assert "luggage_bags" in parameters["category"]["schema"]["items"]["enum"]
    too_long = client.get("/api/v1/search", query_string={"q": "x" * (MAX_QUERY_LENGTH + 1)})
    assert too_long.status_code == 400
