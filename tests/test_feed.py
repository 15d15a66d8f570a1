"""Catalog feed validation: every rule of SPEC.md, with line numbers and reasons."""

from __future__ import annotations

import json

import pytest

from indexer.feed import Deletion, Rejection, Upsert, read_feed

GOOD = {"id": "p1", "title": {"ru": "Сумка"}, "category": "luggage_bags", "price_usd": 12.5}


def records(*lines: str | dict) -> list:
    raw = [
        (line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)).encode() + b"\n"
        for line in lines
    ]
    return list(read_feed(raw))


def rejection_reason(line: str | dict) -> str:
    [record] = records(line)
    assert isinstance(record, Rejection), record
    return record.reason


def test_a_valid_product_with_every_field():
    product = {
        **GOOD,
        "description": {"ru": "Кожаная", "en": "Leather"},
        "subcategory": "Сумки",
        "brand": "Acme",
        "rating": 4.5,
        "orders": 10,
        "seller": {"id": "s1", "rating": 98.5},
        "ships_from": ["cn", "RU"],
        "ships_to": ["RU"],
        "attributes": {"color": "red"},
        "image_url": "https://example.org/1.jpg",
        "flags": ["new"],
        "title": {"ru": "Сумка", "pt-BR": "Bolsa"},
    }
    [record] = records(product)
    assert isinstance(record, Upsert)
    assert record.product.ships_from == ("CN", "RU")
    assert record.product.title == {"ru": "Сумка", "pt_BR": "Bolsa"}
    assert record.product.seller.rating == 98.5


def test_defaults():
    [record] = records(GOOD)
    assert record.product.ships_from == ("CN",)
    assert record.product.ships_to is None
    assert record.product.orders == 0


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"id": None}, "id"),
        ({"id": ""}, "id"),
        ({"id": "x" * 65}, "id"),
        ({"id": 5}, "id"),
        ({"title": None}, "title"),
        ({"title": {}}, "title"),
        ({"title": {"ru": "  "}}, "title"),
        ({"title": "Сумка"}, "title"),
        ({"title": {"ru": 5}}, "title"),
        ({"title": {"not a locale!": "x"}}, "title"),
        ({"category": "nope"}, "category"),
        ({"category": None}, "category"),
        ({"price_usd": 0}, "price_usd"),
        ({"price_usd": -1}, "price_usd"),
        ({"price_usd": "3"}, "price_usd"),
        ({"price_usd": True}, "price_usd"),
        ({"rating": 5.5}, "rating"),
        ({"rating": -1}, "rating"),
        ({"orders": -3}, "orders"),
        ({"orders": 1.5}, "orders"),
        ({"seller": {"rating": 50}}, "seller"),
        ({"seller": {"id": "s", "rating": 101}}, "rating"),
        ({"ships_from": "CN"}, "ships_from"),
        ({"ships_from": ["XX"]}, "ships_from"),
        ({"ships_to": ["RUS"]}, "ships_to"),
        ({"attributes": {"a": 1}}, "attributes"),
        ({"flags": "counterfeit_suspected"}, "flags"),
        ({"description": ["x"]}, "description"),
        ({"brand": 7}, "brand"),
        ({"deleted": False}, "deleted"),
    ],
)
def test_each_broken_rule_is_rejected_with_its_field(change, reason):
    product = {**GOOD, **change}
    product = {k: v for k, v in product.items() if v is not None}
    assert reason in rejection_reason(product)


def test_missing_required_fields():
    for field in ("id", "title", "category", "price_usd"):
        product = {k: v for k, v in GOOD.items() if k != field}
        assert field in rejection_reason(product)


@pytest.mark.parametrize("line", ["{broken", "[1, 2, 3]", '"text"', "null"])
def test_lines_that_are_not_objects(line):
    assert rejection_reason(line)


def test_not_utf8_is_rejected_not_fatal():
    result = list(read_feed([b'{"id": "\xff\xfe"}\n', json.dumps(GOOD).encode() + b"\n"]))
    assert isinstance(result[0], Rejection) and "UTF-8" in result[0].reason
    assert isinstance(result[1], Upsert)


def test_deletion_needs_only_an_id():
    [record] = records({"id": "p1", "deleted": True})
    assert record == Deletion(1, "p1")


def test_line_numbers_count_blank_lines():
    result = list(read_feed([b"\n", json.dumps(GOOD).encode(), b"   \n", b"{bad\n"]))
    assert [r.line for r in result] == [2, 4]


def test_counterfeit_flag_hides():
    [record] = records({**GOOD, "flags": ["counterfeit_suspected"]})
    assert record.product.hidden
