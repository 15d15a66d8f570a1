"""End to end on the demo catalog: shoppers find what they meant, however they typed it."""


def search(client, q: str, **params) -> dict:
    response = client.get("/api/v1/search", query_string={"q": q, "locale": "ru", **params})
    assert response.status_code == 200
    return response.get_json()


def titles(answer: dict, n: int = 5) -> list[str]:
    return [item["title"].lower() for item in answer["items"][:n]]


def test_wrong_layout_finds_leather_bags_and_says_so(client):
    answer = search(client, "cevrf rj;fyfz")
    assert answer["query"]["understood"] == "сумка кожаная"
    assert {"kind": "layout", "from": "cevrf rj;fyfz", "to": "сумка кожаная"} in answer["query"][
        "corrections"
    ]
    assert answer["total"] > 0
    assert all("сумк" in t and "кожан" in t for t in titles(answer, 3))


def test_cyrillic_brand_finds_samsung_galaxy(client):
    answer = search(client, "самсунг галакси")
    assert answer["total"] > 0
    assert all("samsung galaxy" in t for t in titles(answer, 3))
    kinds = {c["kind"] for c in answer["query"]["corrections"]}
    assert kinds == {"translit"}


def test_typo_and_cyrillic_brand_find_nike_sneakers(client):
    answer = search(client, "кросовки найк")
    assert answer["total"] > 0
    assert all("кроссовки" in t and "nike" in t for t in titles(answer, 3))
    kinds = [c["kind"] for c in answer["query"]["corrections"]]
    assert "spelling" in kinds and "translit" in kinds


def test_correct_query_is_not_corrected(client):
    answer = search(client, "iphone 13")
    assert answer["query"]["corrections"] == []
    assert answer["query"]["did_you_mean"] is None
    assert "iphone 13" in titles(answer, 1)[0]


def test_russian_layout_typed_for_a_latin_brand(client):
    answer = search(client, "ыфьыгтп")
    assert answer["query"]["understood"] == "samsung"
    assert "samsung" in titles(answer, 1)[0]


def test_mixed_script_model_name(client):
    answer = search(client, "iPhоne")  # Cyrillic "о"
    assert answer["total"] > 0
    assert "iphone" in titles(answer, 1)[0]


def test_synonym_finds_other_words_for_the_same_thing(client):
    answer = search(client, "смартфон")
    assert answer["total"] >= search(client, "телефон")["total"] - 5
    # the catalog says "смартфон" itself, so the synonym is not what matched: not reported
    assert not any(c["kind"] == "synonym" for c in answer["query"]["corrections"])


def test_synonym_is_reported_where_it_makes_the_match(client):
    answer = search(client, "зарядник")  # the catalog never says "зарядник"
    assert answer["total"] > 0
    assert {"kind": "synonym", "from": "зарядник", "to": "зарядка"} in answer["query"][
        "corrections"
    ]


def test_unknown_gibberish_answers_empty_not_an_error(client):
    answer = search(client, "qzxqzxqzx")
    assert answer["total"] == 0
    assert answer["items"] == []


def test_russian_words_are_not_turned_into_latin_lookalikes(client):
    # "кеды" sounds a bit like "code", "ёлка" like "alca": neither is what was meant.
    for q, word in (("кеды", "кеды"), ("ёлка", "ёлка")):
        answer = search(client, q)
        assert not [c for c in answer["query"]["corrections"] if c["kind"] == "translit"]
        assert all(word in t for t in titles(answer, 3))
