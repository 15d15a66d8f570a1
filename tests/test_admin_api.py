"""The admin JSON API (SPEC.md, "Merchandising and search analytics"): every route, for
each role, with its errors; on the demo catalog, embedded engine and SQLite."""

from __future__ import annotations

from datetime import timedelta

import pytest

from merchandising.dates import local_today
from tests.admin_fixtures import *  # noqa: F403 (the fixtures)
from tests.admin_fixtures import make_account

API = "/admin/api/v1"
NOODLES = "demo-0300"  # instant noodles: nothing a phone search would find by itself


@pytest.fixture
def today():
    return local_today("Europe/Moscow")


def ids(answer) -> list[str]:
    return [item["id"] for item in answer["items"]]


def search(client, q: str, **params) -> dict:
    answer = client.get("/api/v1/search", query_string={"q": q, **params})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()


# -- who may call what ----------------------------------------------------------------

ROUTES = [
    ("GET", "/pins"),
    ("POST", "/pins"),
    ("DELETE", "/pins/1"),
    ("GET", "/exclusions"),
    ("POST", "/exclusions"),
    ("DELETE", "/exclusions/1"),
    ("GET", "/rules"),
    ("POST", "/rules"),
    ("DELETE", "/rules/1"),
    ("GET", "/synonyms"),
    ("PUT", "/synonyms"),
    ("GET", "/brand-aliases"),
    ("PUT", "/brand-aliases"),
    ("GET", "/reports/searches"),
    ("GET", "/preview/RU"),
    ("GET", "/audit"),
    ("GET", "/products?q=x"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_route_wants_a_valid_token(client, app, method, path):
    services = app.extensions["vitrina"]
    make_account(services, "gone", "admin")
    old_token = services.accounts.new_token("gone")
    services.accounts.new_token("gone")  # replaces the old one
    for headers in (
        {},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic Z29uZTpnb25l"},
        {"Authorization": "Bearer vt_not-a-real-token"},
        {"Authorization": f"Bearer {old_token}"},
    ):
        answer = client.open(API + path, method=method, headers=headers, json={})
        assert answer.status_code == 401, (path, headers)
        assert answer.get_json()["error"]["code"] == "unauthorized"
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_disabled_account_loses_its_token(client, app, merchandiser):
    assert client.get(API + "/pins", headers=merchandiser.headers).status_code == 200
    app.extensions["vitrina"].accounts.set_disabled(merchandiser.name)
    assert client.get(API + "/pins", headers=merchandiser.headers).status_code == 401


def test_only_admins_read_the_audit_log(client, merchandiser, admin):
    client.post(
        API + "/rules",
        json={"query": "чайник", "locale": "ru", "hide": [NOODLES]},
        headers=merchandiser.headers,
    )
    assert client.get(API + "/audit").status_code == 401
    refused = client.get(API + "/audit", headers=merchandiser.headers)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    answer = client.get(API + "/audit?limit=5", headers=admin.headers)
    assert answer.status_code == 200
    entry = next(e for e in answer.get_json()["items"] if e["action"] == "rule.add")
    assert entry["user"] == merchandiser.name and entry["at"].endswith("Z")
    assert entry["details"]["before"] is None
    assert entry["details"]["after"]["query"] == "чайник"
    assert client.get(API + "/audit?limit=0", headers=admin.headers).status_code == 400


def test_unknown_routes_and_methods_answer_json(client, merchandiser):
    missing = client.get(API + "/nothing", headers=merchandiser.headers)
    assert missing.status_code == 404 and missing.get_json()["error"]
    wrong = client.patch(API + "/pins", headers=merchandiser.headers)
    assert wrong.status_code == 405 and wrong.get_json()["error"]


# -- pins, exclusions, previews ----------------------------------------------------------


def test_a_pin_for_tomorrow_shows_first_tomorrow_and_not_today(client, merchandiser, today):
    tomorrow = (today + timedelta(days=1)).isoformat()
    answer = client.post(
        API + "/pins",
        json={"country": "RU", "product_id": NOODLES, "starts": tomorrow, "ends": tomorrow,
              "badge": "−30%"},
        headers=merchandiser.headers,
    )  # fmt: skip
    assert answer.status_code == 201, answer.get_data(as_text=True)
    pin = answer.get_json()
    assert pin["id"] and (pin["starts"], pin["ends"], pin["badge"]) == (tomorrow, tomorrow, "−30%")
    ahead = client.get(f"{API}/preview/RU?date={tomorrow}", headers=merchandiser.headers)
    first = ahead.get_json()["items"][0]
    assert (first["id"], first["reason"], first["badge"]) == (NOODLES, "pinned", "−30%")
    assert ahead.get_json()["stored"] is False
    now = client.get(f"{API}/preview/RU", headers=merchandiser.headers).get_json()
    assert now["date"] == today.isoformat() and NOODLES not in ids(now)
    listed = client.get(f"{API}/pins?country=RU&date={tomorrow}", headers=merchandiser.headers)
    assert [p["id"] for p in listed.get_json()["items"]] == [pin["id"]]
    assert client.get(f"{API}/pins?date={today}", headers=merchandiser.headers).get_json() == {
        "items": []
    }


def test_a_pin_changes_the_stored_list_at_once(client, app, merchandiser, today):
    client.get("/api/v1/recommendations/RU")  # today's list is stored now
    before = client.get(f"/api/v1/recommendations/RU?date={today}").get_json()
    assert ids(before)[0] != NOODLES
    week = (today - timedelta(days=3)).isoformat(), (today + timedelta(days=3)).isoformat()
    pin = client.post(
        API + "/pins",
        json={"country": "RU", "product_id": NOODLES, "starts": week[0], "ends": week[1],
              "position": 1},
        headers=merchandiser.headers,
    ).get_json()  # fmt: skip
    after = client.get(f"/api/v1/recommendations/RU?date={today}").get_json()
    assert ids(after)[0] == NOODLES and after["items"][0]["reason"] == "pinned"
    deleted = client.delete(f"{API}/pins/{pin['id']}", headers=merchandiser.headers)
    assert deleted.status_code == 204 and deleted.data == b""
    assert NOODLES not in ids(client.get(f"/api/v1/recommendations/RU?date={today}").get_json())
    again = client.delete(f"{API}/pins/{pin['id']}", headers=merchandiser.headers)
    assert again.status_code == 404 and again.get_json()["error"]["code"] == "not_found"


def test_an_exclusion_takes_a_product_out_of_the_stored_and_future_lists(
    client, merchandiser, today
):
    client.get("/api/v1/recommendations/RU")
    top = ids(client.get(f"/api/v1/recommendations/RU?date={today}").get_json())[0]
    span = {"starts": today.isoformat(), "ends": (today + timedelta(days=7)).isoformat()}
    answer = client.post(
        API + "/exclusions",
        json={"country": "ru", "product_id": top, **span},
        headers=merchandiser.headers,
    )
    assert answer.status_code == 201 and answer.get_json()["country"] == "RU"
    assert top not in ids(client.get(f"/api/v1/recommendations/RU?date={today}").get_json())
    later = (today + timedelta(days=5)).isoformat()
    preview = client.get(f"{API}/preview/RU?date={later}", headers=merchandiser.headers)
    assert top not in ids(preview.get_json())
    listed = client.get(API + "/exclusions?country=RU", headers=merchandiser.headers).get_json()
    exclusion_id = listed["items"][0]["id"]
    assert (
        client.delete(f"{API}/exclusions/{exclusion_id}", headers=merchandiser.headers).status_code
        == 204
    )
    assert ids(client.get(f"/api/v1/recommendations/RU?date={today}").get_json())[0] == top
    assert (
        client.delete(f"{API}/exclusions/{exclusion_id}", headers=merchandiser.headers).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ({"country": "RU", "product_id": NOODLES, "starts": "2026-12-02", "ends": "2026-12-01"}, "before"),
        ({"country": "RU", "product_id": NOODLES, "starts": "02.12.2026", "ends": "2026-12-01"}, "starts"),
        ({"country": "RU", "product_id": NOODLES, "starts": 1764547200, "ends": "2026-12-01"}, "starts"),
        ({"country": "RU", "product_id": NOODLES, "starts": "2026-12-01"}, "ends"),
        ({"country": "XX", "product_id": NOODLES, "starts": "2026-12-01", "ends": "2026-12-01"}, "country"),
        ({"country": "RU", "product_id": "no-such", "starts": "2026-12-01", "ends": "2026-12-01"}, "catalog"),
        ({"country": "RU", "product_id": NOODLES, "starts": "2026-12-01", "ends": "2026-12-01",
          "position": 0}, "position"),
        ({"country": "RU", "product_id": NOODLES, "starts": "2026-12-01", "ends": "2026-12-01",
          "badge": "x" * 41}, "badge"),
        ({"country": "RU", "product_id": NOODLES, "starts": "2026-12-01", "ends": "2026-12-01",
          "colour": "red"}, "colour"),
        ({"country": "RU", "product_id": NOODLES, "starts": "2026-01-01", "ends": "2027-06-01"}, "366"),
    ],
)  # fmt: skip
def test_bad_pins_are_refused_naming_the_problem(client, merchandiser, body, names):
    answer = client.post(API + "/pins", json=body, headers=merchandiser.headers)
    assert answer.status_code == 400
    assert names in answer.get_json()["error"]["message"]
    assert client.get(API + "/pins", headers=merchandiser.headers).get_json() == {"items": []}


def test_bodies_must_be_json_objects(client, merchandiser):
    for data, kind in (("not json", "text/plain"), ("[1, 2]", "application/json")):
        answer = client.post(
            API + "/pins", data=data, content_type=kind, headers=merchandiser.headers
        )
        assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "invalid_body"


def test_previews_and_list_filters_check_their_parameters(client, merchandiser):
    headers = merchandiser.headers
    assert client.get(API + "/preview/XX", headers=headers).status_code == 404
    assert client.get(API + "/preview/RU?date=tomorrow", headers=headers).status_code == 400
    assert client.get(API + "/pins?date=2026-13-01", headers=headers).status_code == 400
    german = client.get(API + "/preview/de?date=2030-01-01&locale=en", headers=headers).get_json()
    assert german["country"] == "DE" and german["items"][0]["price"]["currency"] == "EUR"


# -- query rules -------------------------------------------------------------------------


def test_a_rule_promotes_for_every_form_and_layout_of_the_query(client, merchandiser):
    before = search(client, "смартфоны")
    assert NOODLES not in ids(before)
    hidden = ids(before)[0]
    answer = client.post(
        API + "/rules",
        json={"query": "смартфон", "locale": "ru", "promote": [NOODLES], "hide": [hidden]},
        headers=merchandiser.headers,
    )
    assert answer.status_code == 201, answer.get_data(as_text=True)
    for typed in ("смартфоны", "cvfhnajy", "смартфон", "СМАРТФОНОВ"):
        found = search(client, typed)
        assert ids(found)[0] == NOODLES, typed
        assert hidden not in ids(found), typed
        assert found["total"] == before["total"], typed  # one more, one fewer
    assert ids(search(client, "смартфоны", sort="price_asc"))[0] != NOODLES  # a chosen order stands
    assert hidden not in ids(search(client, "смартфоны", sort="price_asc", per_page=100))
    assert NOODLES not in ids(search(client, "смартфон чехол"))  # another query
    assert ids(search(client, "смартфоны", locale="en"))[0] != NOODLES  # another locale
    rules = client.get(API + "/rules?locale=ru", headers=merchandiser.headers).get_json()["items"]
    assert [r["query"] for r in rules] == ["смартфон"]
    gone = client.delete(f"{API}/rules/{rules[0]['id']}", headers=merchandiser.headers)
    assert gone.status_code == 204
    assert ids(search(client, "смартфоны")) == ids(before)
    assert (
        client.delete(f"{API}/rules/{rules[0]['id']}", headers=merchandiser.headers).status_code
        == 404
    )


def test_a_rule_pages_and_counts_like_the_results_it_changes(client, merchandiser):
    plain = search(client, "смартфон", per_page=100)
    promoted = ["demo-0300", "demo-0301", "demo-0303"]
    client.post(
        API + "/rules",
        json={
            "query": "смартфон",
            "locale": "ru",
            "promote": [*promoted[:2], "demo-0302", promoted[2]],
        },
        headers=merchandiser.headers,
    )  # demo-0302 (dates) does not ship to Russia: never shown there
    pages = [ids(search(client, "смартфон", per_page=2, page=n)) for n in (1, 2, 3)]
    assert pages[0] == promoted[:2] and pages[1][0] == promoted[2]
    everything = ids(search(client, "смартфон", per_page=100))
    assert everything == promoted + ids(plain)  # nothing repeated, nothing lost
    assert sum(len(p) for p in pages) == 6 and len(set(sum(pages, []))) == 6
    facets = search(client, "смартфон")["facets"]["category"]
    assert any(bucket["value"] == "food" for bucket in facets)  # the noodles are counted


def test_a_rule_respects_country_dates_and_the_shoppers_filters(client, merchandiser, today):
    headers = merchandiser.headers
    later = (today + timedelta(days=10)).isoformat()
    client.post(API + "/rules", json={"query": "смартфон", "locale": "ru", "country": "KZ",
                                      "promote": [NOODLES]}, headers=headers)  # fmt: skip
    client.post(API + "/rules", json={"query": "телефон", "locale": "ru", "promote": [NOODLES],
                                      "starts": later}, headers=headers)  # fmt: skip
    assert ids(search(client, "смартфон", country="KZ"))[0] == NOODLES
    assert NOODLES not in ids(search(client, "смартфон", country="RU"))
    assert NOODLES not in ids(search(client, "телефон"))  # not yet in force
    assert NOODLES not in ids(search(client, "смартфон", country="KZ", category="phones"))


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ({"query": "смартфон", "locale": "ru"}, "at least one"),
        ({"query": "смартфон", "locale": "xx", "hide": [NOODLES]}, "locale"),
        ({"query": "смартфон", "locale": "ru", "country": "XX", "hide": [NOODLES]}, "country"),
        ({"query": "смартфон", "locale": "ru", "promote": ["no-such"]}, "catalog"),
        ({"query": "смартфон", "locale": "ru", "promote": [NOODLES], "hide": [NOODLES]}, "at once"),
        ({"query": "", "locale": "ru", "hide": [NOODLES]}, "query"),
        ({"query": "?!", "locale": "ru", "hide": [NOODLES]}, "no words"),
        ({"query": "смартфон", "locale": "ru", "hide": [NOODLES], "starts": "2026-12-02",
          "ends": "2026-12-01"}, "before"),
        ({"query": "смартфон", "locale": "ru", "promote": "demo-0300"}, "promote"),
    ],
)  # fmt: skip
def test_bad_rules_are_refused_naming_the_problem(client, merchandiser, body, names):
    answer = client.post(API + "/rules", json=body, headers=merchandiser.headers)
    assert answer.status_code == 400, answer.get_data(as_text=True)
    assert names in answer.get_json()["error"]["message"]
    assert client.get(API + "/rules", headers=merchandiser.headers).get_json() == {"items": []}


# -- synonyms and brand aliases --------------------------------------------------------------


def test_synonyms_start_from_the_seed_and_take_effect_on_the_next_search(client, merchandiser):
    headers = merchandiser.headers
    groups = client.get(API + "/synonyms", headers=headers).get_json()["groups"]
    assert ["смартфон", "телефон", "smartphone", "phone"] in groups
    assert search(client, "лапша")["total"] > 0 and search(client, "доширак")["total"] > 0
    assert search(client, "вермишелька")["total"] == 0
    saved = client.put(API + "/synonyms", json={"groups": [*groups, ["лапша", "вермишелька"]]},
                       headers=headers)  # fmt: skip
    assert saved.status_code == 200 and ["лапша", "вермишелька"] in saved.get_json()["groups"]
    found = search(client, "вермишелька")
    assert (
        found["total"] > 0
        and {"kind": "synonym", "from": "вермишелька", "to": "лапша"}
        in (found["query"]["corrections"])
    )
    assert client.get(API + "/synonyms", headers=headers).get_json() == saved.get_json()


@pytest.mark.parametrize(
    ("groups", "names"),
    [
        ([["смартфон", "телефон"], ["лапша"]], "group 2 [лапша]"),
        ([["смартфон", "мобильный телефон"]], "group 1 [смартфон, мобильный телефон]"),
        ([["лапша", "лапша"]], "twice"),
        ([["лапша", ""]], "not a word"),
        ([["лапша", 7]], "not a word"),
        ([["и", "лапша"]], "not a searchable word"),
        (["лапша, вермишель"], "group 1"),
        ("лапша", "list"),
    ],
)
def test_a_malformed_synonym_group_is_refused_and_changes_nothing(
    client, merchandiser, groups, names
):
    headers = merchandiser.headers
    before = client.get(API + "/synonyms", headers=headers).get_json()
    found_before = search(client, "смартфон")
    answer = client.put(API + "/synonyms", json={"groups": groups}, headers=headers)
    assert answer.status_code == 400
    error = answer.get_json()["error"]
    assert error["code"] == "invalid_synonyms" and names in error["message"], error
    assert client.get(API + "/synonyms", headers=headers).get_json() == before
    assert search(client, "смартфон") == found_before  # search keeps working, as before


def test_synonym_bodies_are_checked(client, merchandiser):
    for body in ({"group": []}, {"groups": [], "more": 1}, [["a", "b"]]):
        answer = client.put(API + "/synonyms", json=body, headers=merchandiser.headers)
        assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "invalid_body"


def test_brand_aliases_are_edited_the_same_way(client, merchandiser):
    headers = merchandiser.headers
    aliases = client.get(API + "/brand-aliases", headers=headers).get_json()["aliases"]
    assert aliases["сяоми"] == "xiaomi"
    assert search(client, "жиаоми")["total"] == 0
    saved = client.put(API + "/brand-aliases", json={"aliases": {**aliases, "Жиаоми": "xiaomi"}},
                       headers=headers)  # fmt: skip
    assert saved.status_code == 200 and saved.get_json()["aliases"]["жиаоми"] == "xiaomi"
    found = search(client, "жиаоми")
    assert found["total"] > 0 and "xiaomi" in found["items"][0]["title"].lower()
    bad = client.put(
        API + "/brand-aliases", json={"aliases": {"сяоми": "xiao mi"}}, headers=headers
    )
    assert bad.status_code == 400 and "сяоми" in bad.get_json()["error"]["message"]
    twice = client.put(API + "/brand-aliases", json={"aliases": {"Эпл": "apple", "эпл": "apple"}},
                       headers=headers)  # fmt: skip
    assert twice.status_code == 400 and "twice" in twice.get_json()["error"]["message"]
    assert client.get(API + "/brand-aliases", headers=headers).get_json() == saved.get_json()


# -- reports and product lookups ---------------------------------------------------------------


def test_a_query_that_found_nothing_appears_in_the_zero_result_report(client, merchandiser):
    for _ in range(3):
        search(client, "Зюзюблик  Кварковый")
    search(client, "чайник", country="KZ")
    search(client, "чайник", page=2)  # paging is the same search, counted once
    search(client, "qwertyzzz", locale="en", country="US")
    headers = merchandiser.headers
    zero = client.get(API + "/reports/searches?kind=zero", headers=headers).get_json()["items"]
    assert zero[0]["query"] == "зюзюблик кварковый"  # as typed, but for case and spaces
    assert (zero[0]["searches"], zero[0]["results"]) == (3, 0) and zero[0]["understood"]
    assert "qwertyzzz" in [row["query"] for row in zero]
    assert "чайник" not in [row["query"] for row in zero]
    top = client.get(API + "/reports/searches?kind=top", headers=headers).get_json()["items"]
    assert top[0]["query"] == "зюзюблик кварковый"
    kettles = next(row for row in top if row["query"] == "чайник")
    assert kettles["searches"] == 1 and kettles["results"] > 0
    only_us = client.get(API + "/reports/searches?kind=zero&country=US&locale=en", headers=headers)
    assert [row["query"] for row in only_us.get_json()["items"]] == ["qwertyzzz"]
    assert client.get(
        API + "/reports/searches?kind=zero&country=DE", headers=headers
    ).get_json() == {"items": []}
    for bad in ("kind=best", "days=0", "days=many", "limit=100000"):
        assert client.get(f"{API}/reports/searches?{bad}", headers=headers).status_code == 400


def test_products_are_found_by_id_or_title(client, merchandiser):
    headers = merchandiser.headers
    by_id = client.get(API + "/products?q=" + NOODLES, headers=headers).get_json()["items"]
    assert by_id[0]["id"] == NOODLES
    by_title = client.get(API + "/products?q=samsung&locale=en&country=US", headers=headers)
    items = by_title.get_json()["items"]
    assert items and all("samsung" in item["title"].lower() for item in items)
    assert items[0]["price"]["currency"] == "USD"
    assert client.get(API + "/products?q=", headers=headers).status_code == 400
