"""GET /api/v1/search on the demo catalog: what a shopper and a client app see."""

from __future__ import annotations

import pytest

from search.engines.base import SORTS


def search(client, **params):
    response = client.get("/api/v1/search", query_string=params)
    return response.status_code, response.get_json()


def test_word_forms_find_leather_bags_on_page_one(client):
    status, body = search(client, q="кожаные сумки", locale="ru", country="RU")
    assert status == 200
    top = body["items"][:5]
    assert top and all(item["category"] == "luggage_bags" for item in top)
    assert any("<mark>" in item["highlight"] for item in top)
    # a correctly typed query is not "corrected" (synonym expansion may be reported)
    assert [c for c in body["query"]["corrections"] if c["kind"] != "synonym"] == []


def test_price_in_rubles_formatted_for_russia(client):
    _, body = search(client, q="сумка", locale="ru", country="RU")
    price = body["items"][0]["price"]
    assert price["currency"] == "RUB"
    assert price["formatted"].endswith("₽") and "," in price["formatted"]


@pytest.mark.parametrize(
    ("country", "locale", "currency", "sign"),
    [
        ("US", "en", "USD", "$"),
        ("BR", "pt", "BRL", "R$"),
        ("SA", "ar", "SAR", "ر.س"),
        ("DE", "de", "EUR", "€"),
    ],
)
def test_currency_follows_the_country(client, country, locale, currency, sign):
    _, body = search(client, q="", locale=locale, country=country, per_page=3)
    assert all(
        i["price"]["currency"] == currency and sign in i["price"]["formatted"]
        for i in body["items"]
    )


def test_titles_in_the_page_locale_with_fallback(client):
    _, en = search(client, q="", locale="en", country="US", category="phones", per_page=5)
    _, ru = search(client, q="", locale="ru", country="RU", category="phones", per_page=5)
    assert en["items"][0]["title"] != ru["items"][0]["title"]
    assert all(not any("а" <= c <= "я" for c in i["title"].lower()) for i in en["items"])


def test_empty_query_browses_with_facets(client):
    status, body = search(client, q="", locale="ru", country="RU", per_page=100)
    assert status == 200 and body["total"] > 400
    categories = {b["value"]: b for b in body["facets"]["category"]}
    assert len(categories) == 26
    assert categories["luggage_bags"]["label"]
    assert body["facets"]["price"]["min"] < body["facets"]["price"]["max"]


def test_filters_narrow_and_facets_stay_disjunctive(client):
    _, all_bags = search(client, q="", country="RU", category="luggage_bags")
    _, local = search(client, q="", country="RU", category="luggage_bags", ships_from="RU")
    assert 0 < local["total"] < all_bags["total"]
    assert all("RU" in i["ships_from"] for i in local["items"])
    # the category facet ignores the category filter itself, so other categories stay visible
    assert len(local["facets"]["category"]) > 1


def test_price_range_in_the_shoppers_currency(client):
    _, body = search(client, q="", country="RU", price_min=1000, price_max=5000, per_page=100)
    amounts = [i["price"]["amount"] for i in body["items"]]
    assert amounts and all(1000 - 0.01 <= a <= 5000 + 0.01 for a in amounts)


def test_brand_and_rating_filters(client):
    _, body = search(client, q="", brand="samsung", rating_min=4, per_page=100)
    assert body["items"] and all(
        i["brand"] == "Samsung" and i["rating"] >= 4 for i in body["items"]
    )


@pytest.mark.parametrize("sort", [s for s in SORTS if s != "relevance"])
def test_sorting(client, sort):
    _, body = search(client, q="", country="US", sort=sort, per_page=50)
    key = {
        "price_asc": lambda i: i["price"]["amount"],
        "price_desc": lambda i: -i["price"]["amount"],
        "orders": lambda i: -i["orders"],
        "rating": lambda i: -(i["rating"] or 0),
        "delivery": lambda i: (i["delivery_days"][1], i["delivery_days"][0]),
    }[sort]
    assert [key(i) for i in body["items"]] == sorted(key(i) for i in body["items"])


def test_pagination_is_disjoint_and_complete(client):
    seen = []
    for page in (1, 2, 3):
        _, body = search(client, q="", category="phones", per_page=10, page=page, sort="price_asc")
        seen.extend(i["id"] for i in body["items"])
    assert len(seen) == len(set(seen)) == min(30, body["total"])


def test_ships_to_restrictions_hide_products(client):
    _, ru = search(client, q="", country="RU", per_page=1)
    _, us = search(client, q="", country="US", per_page=1)
    assert ru["total"] != us["total"]


def test_counterfeit_products_are_hidden(client):
    _, body = search(client, q="Louis Vuitton", per_page=50)
    assert all(i["id"] != "demo-0160" for i in body["items"])


@pytest.mark.parametrize(
    "params",
    [
        {"per_page": 0},
        {"per_page": 1000},
        {"per_page": "x"},
        {"page": "abc"},
        {"page": 0},
        {"sort": "nope"},
        {"price_min": "x"},
        {"price_min": -1},
        {"price_min": 10, "price_max": 5},
        {"rating_min": 6},
        {"category": "nope"},
        {"locale": "xx"},
        {"country": "ZZ"},
        {"ships_from": "RUS"},
        {"q": "x" * 500},
        {"price_max": "nan"},
    ],
)
def test_bad_parameters_answer_400(client, params):
    status, body = search(client, q=params.pop("q", "чай"), **params)
    assert status == 400
    assert body["error"]["code"] and body["error"]["message"]


def test_query_echo_is_escaped_in_highlights(client):
    _, body = search(client, q="<script>alert(1)</script> сумка")
    assert all("<script>" not in i["highlight"] for i in body["items"])


def test_openapi_and_health(client):
    spec = client.get("/openapi.json").get_json()
    assert "/api/v1/search" in spec["paths"]
    health = client.get("/healthz")
    assert health.status_code == 200 and health.get_json()["status"] == "ok"


def test_no_index_answers_503_not_500(settings):
    from vitrina.services import Services
    from web.app import create_app

    client = create_app(Services(settings), {"TESTING": True}).test_client()
    response = client.get("/api/v1/search?q=чай")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "backend_unavailable"
    assert client.get("/healthz").status_code == 503


def test_security_headers(client):
    response = client.get("/api/v1/search?q=чай")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
