"""Autocomplete on the demo catalog: completions, products, categories, layout fixed."""


def suggest(client, q: str, locale: str = "ru") -> list[dict]:
    response = client.get("/api/v1/suggest", query_string={"q": q, "locale": locale})
    assert response.status_code == 200
    return response.get_json()["suggestions"]


def texts(suggestions: list[dict], kind: str) -> list[str]:
    return [s["text"] for s in suggestions if s["kind"] == kind]


def test_prefix_completes_to_catalog_words(client):
    queries = texts(suggest(client, "сум"), "query")
    assert queries and all(q.startswith("сум") for q in queries)
    assert any(q.startswith("сумк") for q in queries)


def test_wrong_layout_prefix_is_completed_in_russian(client):
    suggestions = suggest(client, "cev")
    assert any(q.startswith("сумк") for q in texts(suggestions, "query"))
    assert any("сумка" in p.lower() for p in texts(suggestions, "product"))


def test_earlier_words_are_kept_and_products_match_the_whole_query(client):
    suggestions = suggest(client, "кожаная сум")
    assert all(q.startswith("кожаная сум") for q in texts(suggestions, "query"))
    products = texts(suggestions, "product")
    assert products and all("кожан" in p.lower() for p in products)


def test_category_names_in_the_shoppers_language(client):
    english = suggest(client, "shoe", locale="en")
    assert "Shoes" in texts(english, "category")
    russian = suggest(client, "обув")
    assert texts(russian, "category")
    assert all(s["value"] == "shoes" for s in russian if s["kind"] == "category")


def test_empty_prefix_suggests_nothing(client):
    assert suggest(client, "") == []


def test_bad_locale_is_a_400_not_a_crash(client):
    response = client.get("/api/v1/suggest", query_string={"q": "сум", "locale": "xx"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"]
