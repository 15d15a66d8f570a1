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
        ("/api/v1/recommendations/RU?date=2001-01-01", 404),
        ("/api/v1/recommendations/RU?date=soon", 400),
    ],
    ("/healthz", "get"): [("/healthz", 200)],
    ("/livez", "get"): [("/livez", 200)],
    ("/openapi.json", "get"): [("/openapi.json", 200)],
}
# The admin API, as (url, status, who calls, JSON body); "{pin}", "{exclusion}" and "{rule}"
# stand for the id the POST before answered. Run in order, on the app with a catalog.
ADMIN_API = "/admin/api/v1"
PIN = {"country": "RU", "product_id": "demo-0300", "starts": "2030-01-01", "ends": "2030-01-07"}
RULE = {"query": "смартфон", "locale": "ru", "promote": ["demo-0300"], "hide": ["demo-0027"]}
ADMIN = {
    (f"{ADMIN_API}/pins", "post"): [
        (f"{ADMIN_API}/pins", 201, "merchandiser", {**PIN, "badge": "−30%", "position": 1}),
        (f"{ADMIN_API}/pins", 400, "merchandiser", {**PIN, "ends": "2029-12-31"}),
        (f"{ADMIN_API}/pins", 401, None, PIN),
    ],
    (f"{ADMIN_API}/pins", "get"): [
        (f"{ADMIN_API}/pins?country=RU&date=2030-01-03", 200, "merchandiser", None),
        (f"{ADMIN_API}/pins?date=someday", 400, "merchandiser", None),
        (f"{ADMIN_API}/pins", 401, None, None),
    ],
    (f"{ADMIN_API}/preview/{{country}}", "get"): [
        (f"{ADMIN_API}/preview/RU?date=2030-01-03", 200, "merchandiser", None),
        (f"{ADMIN_API}/preview/RU", 200, "admin", None),
        (f"{ADMIN_API}/preview/XX", 404, "merchandiser", None),
        (f"{ADMIN_API}/preview/RU?date=2030-02-31", 400, "merchandiser", None),
        (f"{ADMIN_API}/preview/RU", 401, None, None),
    ],
    (f"{ADMIN_API}/pins/{{pin_id}}", "delete"): [
        (f"{ADMIN_API}/pins/{{pin}}", 204, "merchandiser", None),
        (f"{ADMIN_API}/pins/{{pin}}", 404, "merchandiser", None),
        (f"{ADMIN_API}/pins/{{pin}}", 401, None, None),
    ],
    (f"{ADMIN_API}/exclusions", "post"): [
        (f"{ADMIN_API}/exclusions", 201, "merchandiser", PIN),
        (f"{ADMIN_API}/exclusions", 400, "merchandiser", {**PIN, "country": "XX"}),
        (f"{ADMIN_API}/exclusions", 401, None, PIN),
    ],
    (f"{ADMIN_API}/exclusions", "get"): [
        (f"{ADMIN_API}/exclusions?country=RU", 200, "merchandiser", None),
        (f"{ADMIN_API}/exclusions?date=1.1.2030", 400, "merchandiser", None),
        (f"{ADMIN_API}/exclusions", 401, None, None),
    ],
    (f"{ADMIN_API}/exclusions/{{exclusion_id}}", "delete"): [
        (f"{ADMIN_API}/exclusions/{{exclusion}}", 204, "admin", None),
        (f"{ADMIN_API}/exclusions/{{exclusion}}", 404, "admin", None),
        (f"{ADMIN_API}/exclusions/{{exclusion}}", 401, None, None),
    ],
    (f"{ADMIN_API}/rules", "post"): [
        (f"{ADMIN_API}/rules", 201, "merchandiser", RULE),
        (
            f"{ADMIN_API}/rules",
            201,
            "merchandiser",
            {**RULE, "country": "KZ", "starts": "2030-01-01"},
        ),
        (f"{ADMIN_API}/rules", 400, "merchandiser", {**RULE, "locale": "xx"}),
        (f"{ADMIN_API}/rules", 401, None, RULE),
    ],
    (f"{ADMIN_API}/rules", "get"): [
        (f"{ADMIN_API}/rules?locale=ru", 200, "merchandiser", None),
        (f"{ADMIN_API}/rules?date=x", 400, "merchandiser", None),
        (f"{ADMIN_API}/rules", 401, None, None),
    ],
    (f"{ADMIN_API}/rules/{{rule_id}}", "delete"): [
        (f"{ADMIN_API}/rules/{{rule}}", 204, "merchandiser", None),
        (f"{ADMIN_API}/rules/{{rule}}", 404, "merchandiser", None),
        (f"{ADMIN_API}/rules/{{rule}}", 401, None, None),
    ],
    (f"{ADMIN_API}/synonyms", "get"): [
        (f"{ADMIN_API}/synonyms", 200, "merchandiser", None),
        (f"{ADMIN_API}/synonyms", 401, None, None),
    ],
    (f"{ADMIN_API}/synonyms", "put"): [
        (f"{ADMIN_API}/synonyms", 200, "merchandiser", {"groups": [["лапша", "вермишель"]]}),
        (f"{ADMIN_API}/synonyms", 400, "merchandiser", {"groups": [["лапша"]]}),
        (f"{ADMIN_API}/synonyms", 401, None, {"groups": []}),
    ],
    (f"{ADMIN_API}/brand-aliases", "get"): [
        (f"{ADMIN_API}/brand-aliases", 200, "merchandiser", None),
        (f"{ADMIN_API}/brand-aliases", 401, None, None),
    ],
    (f"{ADMIN_API}/brand-aliases", "put"): [
        (f"{ADMIN_API}/brand-aliases", 200, "admin", {"aliases": {"сяоми": "xiaomi"}}),
        (f"{ADMIN_API}/brand-aliases", 400, "admin", {"aliases": {"сяоми": ""}}),
        (f"{ADMIN_API}/brand-aliases", 401, None, {"aliases": {}}),
    ],
    (f"{ADMIN_API}/reports/searches", "get"): [
        (f"{ADMIN_API}/reports/searches?kind=zero&locale=ru&days=30", 200, "merchandiser", None),
        (f"{ADMIN_API}/reports/searches", 200, "merchandiser", None),
        (f"{ADMIN_API}/reports/searches?kind=worst", 400, "merchandiser", None),
        (f"{ADMIN_API}/reports/searches", 401, None, None),
    ],
    (f"{ADMIN_API}/audit", "get"): [
        (f"{ADMIN_API}/audit?limit=50", 200, "admin", None),
        (f"{ADMIN_API}/audit?limit=-1", 400, "admin", None),
        (f"{ADMIN_API}/audit", 403, "merchandiser", None),
        (f"{ADMIN_API}/audit", 401, None, None),
    ],
    (f"{ADMIN_API}/products", "get"): [
        (f"{ADMIN_API}/products?q=samsung", 200, "merchandiser", None),
        (f"{ADMIN_API}/products?q=demo-0300&locale=en&country=US", 200, "merchandiser", None),
        (f"{ADMIN_API}/products", 400, "merchandiser", None),
        (f"{ADMIN_API}/products?q=x", 401, None, None),
    ],
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
    assert documented == set(SERVING) | set(ADMIN), "add examples for every documented route"


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
    for (path, method), status in admin_answers(client, document):
        seen[path, method].add(status)
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            documented = {int(code) for code in operation["responses"]}
            assert documented == seen[path, method], f"{method} {path}: unexercised answers"


def admin_answers(client, document: dict):
    """Run the ADMIN examples in order, validating each answer; (route, status) of each."""
    services = client.application.extensions["vitrina"]
    tokens = {}
    for role in ("merchandiser", "admin"):
        services.accounts.add(role, "correct horse battery", role)
        tokens[role] = services.accounts.new_token(role)
    created: dict[str, str] = {}
    for (path, method), requests in ADMIN.items():
        for url, status, role, body in requests:
            headers = {"Authorization": f"Bearer {tokens[role]}"} if role else {}
            response = client.open(
                url.format(**created), method=method.upper(), headers=headers, json=body
            )
            assert response.status_code == status, (url, response.get_data(as_text=True))
            if status == 204:
                assert response.data == b"", url
                yield (path, method), status
                continue
            assert response.mimetype == "application/json", url
            validator = answer_validator(document, path, method, status)
            errors = [e.message for e in validator.iter_errors(response.get_json())]
            assert not errors, (url, errors[:3])
            if method == "post" and status == 201:
                created.setdefault(path.rsplit("/", 1)[1].rstrip("s"), response.get_json()["id"])
            yield (path, method), status


def answer_has_no_body(document: dict, path: str, method: str, status: int) -> bool:
    return "content" not in document["paths"][path][method]["responses"][str(status)]


def test_admin_routes_require_the_token_scheme(client):
    document = client.get("/openapi.json").get_json()
    assert document["components"]["securitySchemes"]["adminToken"]["scheme"] == "bearer"
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            wanted = [{"adminToken": []}] if path.startswith(ADMIN_API) else None
            assert operation.get("security") == wanted, (method, path)
    assert answer_has_no_body(document, f"{ADMIN_API}/pins/{{pin_id}}", "delete", 204)


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
