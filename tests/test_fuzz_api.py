"""Fuzzing every public API parameter and the query pipeline (issue 13: fuzz suites in CI).

Hypothesis throws random Unicode, control characters, 10,000-character queries, mixed
scripts and invalid percent-encoding at each parameter; schemathesis generates requests
from /openapi.json and checks the answers against it. Every answer is a documented status
in the documented shape, never a 500. Example counts are kept small so the suite takes
well under a minute; CI runs it with the rest (HYPOTHESIS_PROFILE=thorough for more).
"""

from __future__ import annotations

import os
import shutil
from urllib.parse import quote

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from search.params import MAX_QUERY_LENGTH, SearchParams
from tests.admin_fixtures import demo_index  # noqa: F401 (a fixture)
from vitrina.config import Settings
from vitrina.services import Services
from web.app import create_app

settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile("thorough", parent=settings.get_profile("ci"), max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

SEARCH_PARAMS = ("q", "locale", "country", "category", "brand", "price_min", "price_max",
                 "ships_from", "rating_min", "sort", "page", "per_page")  # fmt: skip
SUGGEST_PARAMS = ("q", "locale", "country")
RECOMMENDATION_PARAMS = ("date", "locale")
ANSWERED = {200, 400, 404}

# Any character a URL can carry (no lone surrogates), control characters included.
characters = st.characters(exclude_categories=("Cs",))
scripts = st.sampled_from(["сумка", "кожаная", "cevrf", "bag", "حقيبة", "Tasche", "手提包",
                           "64гб", "ё", "\u0301", "\u200f", "\x00", "-", "—", " ", "%"])  # fmt: skip
fuzz_text = st.one_of(
    st.text(characters, max_size=40),
    st.lists(scripts, max_size=12).map(" ".join),
    st.lists(scripts, max_size=6).map("".join),
    st.builds(lambda c, n: c * n, characters, st.integers(250, 10_000)),
    st.from_regex(r"-?[0-9]{1,30}([.,][0-9]{0,5})?(e[+-]?[0-9]{1,4})?", fullmatch=True),
    st.sampled_from(["nan", "inf", "-inf", "1e309", "0", "-0", "1_000", "٣", "²", "0x10"]),
)
# Raw query strings: percent-escapes of any byte (invalid UTF-8 too) and broken escapes.
raw_escape = st.one_of(
    st.integers(0, 255).map(lambda b: f"%{b:02X}"),
    st.sampled_from(["%", "%Z", "%ZZ", "%C0%AF", "%ED%A0%80", "%F4%90%80%80", "+", "&", "="]),
    st.text("abcя0-_.~", min_size=1, max_size=3).map(lambda t: quote(t)),
)
raw_value = st.lists(raw_escape, max_size=30).map("".join)


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory, demo_index):  # noqa: F811 (the fixture)
    """One app over a copy of the demo catalog for the whole module (examples are many)."""
    data_dir = tmp_path_factory.mktemp("fuzz") / "var"
    shutil.copytree(demo_index, data_dir, ignore=shutil.ignore_patterns("*.db*"))
    return create_app(Services(Settings(data_dir=data_dir)), {"TESTING": True})


def check(answer) -> None:
    assert answer.status_code in ANSWERED, (answer.status_code, answer.get_data(as_text=True))
    body = answer.get_json()
    assert isinstance(body, dict), answer.get_data(as_text=True)[:200]
    if answer.status_code >= 400:
        assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body


@given(params=st.dictionaries(st.sampled_from(SEARCH_PARAMS), fuzz_text, max_size=5))
def test_search_parameters(fuzz_app, params):
    check(fuzz_app.test_client().get("/api/v1/search", query_string=params))


@given(params=st.dictionaries(st.sampled_from(SUGGEST_PARAMS), fuzz_text, max_size=3))
def test_suggest_parameters(fuzz_app, params):
    check(fuzz_app.test_client().get("/api/v1/suggest", query_string=params))


@given(
    country=st.one_of(st.sampled_from(["RU", "ru", "US", "SA", "XX"]), st.text(characters, max_size=4)),
    params=st.dictionaries(st.sampled_from(RECOMMENDATION_PARAMS), fuzz_text, max_size=2),
)  # fmt: skip
def test_recommendation_parameters(fuzz_app, country, params):
    path = "/api/v1/recommendations/" + quote(country, safe="")
    answer = fuzz_app.test_client().get(path, query_string=params)
    if answer.status_code == 503:  # today's list is being built: the documented answer
        assert answer.get_json()["error"]["code"] == "list_pending"
        return
    if not country.strip() or "/" in country:
        assert answer.status_code in (404, 308, 200, 400), answer.status_code
        return
    check(answer)


@given(
    path=st.sampled_from(["/api/v1/search", "/api/v1/suggest", "/api/v1/recommendations/RU"]),
    pairs=st.lists(st.tuples(st.sampled_from([*SEARCH_PARAMS, "date", "x"]), raw_value), max_size=4),
)  # fmt: skip
def test_invalid_percent_encoding(fuzz_app, path, pairs):
    query = "&".join(f"{name}={value}" for name, value in pairs)
    answer = fuzz_app.test_client().get(path, environ_overrides={"QUERY_STRING": query})
    if answer.status_code == 503:
        assert answer.get_json()["error"]["code"] == "list_pending"
        return
    check(answer)


@given(text=fuzz_text, locale=st.sampled_from(["ru", "en", "es", "pt", "de", "ar"]))
def test_the_query_pipeline_reads_anything(fuzz_app, text, locale):
    """Understanding and search straight from Python, with what the parameters let through
    (longer queries answer 400 before the pipeline: test_search_parameters sends them)."""
    text = text[:MAX_QUERY_LENGTH]
    services = fuzz_app.extensions["vitrina"]
    plan = services.understanding.plan(text, locale)
    assert plan is not None
    answer = services.search.search(SearchParams(q=text, locale=locale, country="RU"))
    assert answer["total"] >= 0 and len(answer["items"]) <= 20


@given(text=fuzz_text)
def test_pages_never_fail(fuzz_app, text):
    client = fuzz_app.test_client()
    for path in ("/ru/search", "/ar/search"):
        answer = client.get(path, query_string={"q": text, "price_min": text[:20]})
        assert answer.status_code in (200, 400), (path, answer.status_code)


# -- schemathesis: requests generated from the OpenAPI document ---------------------------


def public_operations(app) -> list:
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app).include(
        path_regex=r"^/(api/v1/|healthz|livez)"
    )
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_keeps_its_document(fuzz_app, mode):
    """Requests schemathesis derives from /openapi.json (valid ones, and ones the document
    rules out): each answer is documented, in its documented shape and type; none is a 500."""
    operations = public_operations(fuzz_app)
    assert {op.path for op in operations} >= {"/api/v1/search", "/api/v1/suggest", "/healthz"}
    for operation in operations:
        if mode is GenerationMode.NEGATIVE and operation.path in ("/healthz", "/livez"):
            continue  # no parameter to get wrong

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=25)
        def exercise(case):
            response = case.call()
            assert response.status_code < 500 or response.status_code == 503, (
                case.as_curl_command(),
                response.text[:300],
            )
            case.validate_response(
                response,
                checks=[
                    status_code_conformance,
                    content_type_conformance,
                    response_schema_conformance,
                ],
            )

        exercise()
