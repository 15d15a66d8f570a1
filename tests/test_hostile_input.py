"""Input a hostile tester sends: every one answers a clear 4xx, never a 500 (issue 13, defect 7
and the limits): dates out of range, header-breaking redirect targets, odd digits, wrong
methods, queries past the limits."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from search.params import MAX_QUERY_LENGTH, MAX_RESULTS
from tests.admin_fixtures import *  # noqa: F403 (the fixtures)
from tests.admin_fixtures import csrf


def error_of(answer) -> dict:
    body = answer.get_json()
    assert body is not None and set(body) == {"error"}, answer.get_data(as_text=True)[:200]
    return body["error"]


@pytest.mark.parametrize("q", ["- a", "-  a", "!! a", "— a", ". a", "( a", "- ", "\u0301 a"])
def test_punctuation_words_then_a_space_suggest(client, q):
    answer = client.get(f"/api/v1/suggest?q={quote(q)}")
    assert answer.status_code == 200 and "suggestions" in answer.get_json()


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "9999-12-31"])
def test_recommendation_dates_out_of_range_are_400(client, day):
    answer = client.get(f"/api/v1/recommendations/RU?date={day}")
    assert answer.status_code == 400
    assert "between 2000-01-01 and 2099-12-31" in error_of(answer)["message"]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_admin_dates_out_of_range_are_400(client, signed_in, merchandiser, day):
    assert signed_in.get(f"/admin/deals?date={day}").status_code == 400
    token = csrf(signed_in.get("/admin/deals").get_data(as_text=True))
    rebuild = signed_in.post(
        "/admin/rebuild", data={"csrf_token": token, "country": "RU", "date": day}
    )
    assert rebuild.status_code == 400
    api = signed_in.get(f"/admin/api/v1/preview/RU?date={day}", headers=merchandiser.headers)
    assert api.status_code == 400 and "between" in error_of(api)["message"]
    pin = signed_in.post(
        "/admin/api/v1/pins",
        json={"country": "RU", "product_id": "demo-0001", "starts": day, "ends": day},
        headers=merchandiser.headers,
    )
    assert pin.status_code == 400 and "starts" in error_of(pin)["message"]
    pin_form = {"csrf_token": token, "country": "RU", "product_id": "demo-0001",
                "starts": day, "ends": day}  # fmt: skip
    form = signed_in.post("/admin/pins", data=pin_form, follow_redirects=True)
    assert form.status_code == 200
    assert "Pick a date between Jan 1, 2000 and Dec 31, 2099." in form.get_data(as_text=True)
    russian = signed_in.post(
        "/admin/pins", data=pin_form, headers={"Accept-Language": "ru"}, follow_redirects=True
    )  # the page's language, the page's date format
    page = " ".join(russian.get_data(as_text=True).split())  # Babel's dates hold no-break spaces
    assert "От: Выберите дату с 1 янв. 2000 г. по 31 дек. 2099 г." in page
    assert signed_in.get("/admin/api/v1/pins", headers=merchandiser.headers).get_json() == {
        "items": []
    }


@pytest.mark.parametrize("position", ["²", "1e2", "-1", "0", "101", "x"])
def test_pin_positions_that_are_no_position_are_refused(signed_in, merchandiser, position):
    token = csrf(signed_in.get("/admin/deals").get_data(as_text=True))
    form = signed_in.post(
        "/admin/pins",
        data={"csrf_token": token, "country": "RU", "product_id": "demo-0001",
              "starts": "2026-11-28", "ends": "2026-11-29", "position": position},
        follow_redirects=True,
    )  # fmt: skip
    assert form.status_code == 200
    api = signed_in.post(
        "/admin/api/v1/pins",
        json={"country": "RU", "product_id": "demo-0001", "starts": "2026-11-28",
              "ends": "2026-11-29", "position": position},
        headers=merchandiser.headers,
    )  # fmt: skip
    assert api.status_code == 400
    assert signed_in.get("/admin/api/v1/pins", headers=merchandiser.headers).get_json() == {
        "items": []
    }


@pytest.mark.parametrize(
    "target", ["/%0d%0aSet-Cookie:%20x=1", "/%0aX:1", "/admin/%0d%0aX:1", "/%5Cevil.example",
               "//evil.example", "https://evil.example/", "/admin/%09x"],
)  # fmt: skip
def test_redirect_targets_never_break_headers_or_leave_the_site(signed_in, target):
    for path in (f"/ru/country?country=DE&next={target}", f"/admin/language/en?next={target}"):
        answer = signed_in.get(path)
        assert answer.status_code in (302, 303), path
        location = answer.headers["Location"]
        assert location in ("/ru/", "/admin/deals"), (path, location)


def test_a_local_redirect_target_is_kept(signed_in):
    answer = signed_in.get("/ru/country?country=DE&next=/ru/search%3Fq%3Dx")
    assert answer.headers["Location"] == "/ru/search?q=x"
    answer = signed_in.get("/admin/language/en?next=/admin/rules")
    assert answer.headers["Location"] == "/admin/rules"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [("POST", "/api/v1/search", {"GET", "HEAD", "OPTIONS"}),
     ("DELETE", "/healthz", {"GET", "HEAD", "OPTIONS"}),
     ("PUT", "/ru/", {"GET", "HEAD", "OPTIONS"}),
     ("GET", "/admin/logout", {"POST", "OPTIONS"}),
     ("PATCH", "/admin/api/v1/pins", {"GET", "HEAD", "OPTIONS", "POST"})],
)  # fmt: skip
def test_405_answers_say_what_is_allowed(client, method, path, allowed):
    answer = client.open(path, method=method)
    assert answer.status_code == 405
    assert {m.strip() for m in answer.headers["Allow"].split(",")} == allowed


def test_query_length_limit(client):
    at_limit = client.get("/api/v1/search?q=" + "a" * MAX_QUERY_LENGTH)
    assert at_limit.status_code == 200
    over = client.get("/api/v1/search?q=" + "a" * (MAX_QUERY_LENGTH + 1))
    assert over.status_code == 400 and "256" in error_of(over)["message"]
    assert client.get("/api/v1/suggest?q=" + "я" * 10_000).status_code == 400


def test_results_reachable_down_to_the_10000th(client):
    """SPEC: results down to the 10,000th; beyond, a clear 400 (page 500 was the old cap)."""
    deepest = client.get(f"/api/v1/search?per_page=1&page={MAX_RESULTS}")
    assert deepest.status_code == 200 and deepest.get_json()["page"] == MAX_RESULTS
    assert client.get("/api/v1/search?per_page=20&page=500").status_code == 200
    beyond = client.get("/api/v1/search?per_page=20&page=501")
    assert beyond.status_code == 400 and "10,000" in error_of(beyond)["message"]
    past = client.get(f"/api/v1/search?per_page=1&page={MAX_RESULTS + 1}")
    assert past.status_code == 400
    huge = client.get("/api/v1/search?page=" + "9" * 40)
    assert huge.status_code == 400 and error_of(huge)["code"] == "invalid_parameter"


@pytest.mark.parametrize("per_page", ["0", "101", "-1", "1.5", "abc", "9" * 30])
def test_per_page_out_of_bounds(client, per_page):
    answer = client.get(f"/api/v1/search?per_page={per_page}")
    assert answer.status_code == 400 and "per_page" in error_of(answer)["message"]


def test_request_body_over_the_limit_is_413(client, merchandiser):
    answer = client.put(
        "/admin/api/v1/synonyms",
        data=b'{"groups": [' + b'["a", "b"],' * 200_000 + b'["a", "b"]]}',
        headers={**merchandiser.headers, "Content-Type": "application/json"},
    )
    assert answer.status_code == 413 and error_of(answer)["code"] == "request_entity_too_large"
