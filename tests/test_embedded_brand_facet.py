"""The embedded engine counts brands by number (brand_id, a brand's place in the
generation's brands file), and reads the file again for a brand another process added."""

from __future__ import annotations

import pytest
import tantivy

from search.analysis.analyzer import default_analyzer
from search.catalog import Product
from search.documents import index_document
from search.engines import embedded
from search.engines.base import EngineQuery
from search.engines.embedded import EmbeddedEngine

ANALYZER = default_analyzer()
BAGS = [
    Product("a", {"ru": "Сумка"}, "luggage_bags", 10.0, brand="Kanzler"),
    Product("b", {"ru": "Сумка"}, "luggage_bags", 10.0, brand="Kanzler"),
    Product("c", {"ru": "Сумка"}, "luggage_bags", 10.0, brand="Demix"),
    Product("d", {"ru": "Сумка"}, "luggage_bags", 10.0),
]


def brands(engine: EmbeddedEngine) -> list[tuple[str, int, str | None]]:
    facet = engine.search(EngineQuery(text=None)).facets["brand"]
    return [(b.value, b.count, b.label) for b in facet]


def test_a_serving_engine_counts_a_brand_another_process_added(tmp_path):
    writer = EmbeddedEngine(tmp_path / "index")
    writer.rebuild(index_document(p, ANALYZER) for p in BAGS)
    serving = EmbeddedEngine(tmp_path / "index")
    assert brands(serving) == [("kanzler", 2, "Kanzler"), ("demix", 1, "Demix")]
    new = Product("e", {"ru": "Сумка"}, "luggage_bags", 10.0, brand="Puma")
    writer.apply_changes([index_document(new, ANALYZER)])
    assert brands(serving) == [
        ("kanzler", 2, "Kanzler"),
        ("demix", 1, "Demix"),
        ("puma", 1, "Puma"),
    ]


def test_a_generation_built_before_brand_ids_counts_brand_keys(tmp_path, monkeypatch):
    def schema_without_brand_ids() -> tantivy.Schema:
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("id", stored=False, tokenizer_name="raw", index_option="basic")
        for name in embedded.FIELD_BOOSTS:
            builder.add_text_field(name, tokenizer_name="whitespace", index_option="freq")
        for name in ("category", "brand_key", "ships_from", "ships_to"):
            builder.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
        for name in ("price_usd", "rating", "seller_rating", "boost"):
            builder.add_float_field(name, indexed=True, fast=True)
        builder.add_unsigned_field("orders", indexed=True, fast=True)
        builder.add_bytes_field("payload", stored=True, indexed=False, fast=False)
        builder.add_bytes_field("marks", stored=True, indexed=False, fast=False)
        return builder.build()

    with monkeypatch.context() as patched:
        patched.setattr(embedded, "build_schema", schema_without_brand_ids)
        EmbeddedEngine(tmp_path / "index").rebuild(index_document(p, ANALYZER) for p in BAGS)
    engine = EmbeddedEngine(tmp_path / "index")
    assert not engine._generation().has_brand_ids
    assert brands(engine) == [("kanzler", 2, "Kanzler"), ("demix", 1, "Demix")]
    new = Product("e", {"ru": "Сумка"}, "luggage_bags", 10.0, brand="Puma")
    engine.apply_changes([index_document(new, ANALYZER)])
    assert brands(engine)[-1] == ("puma", 1, "Puma")


def test_a_brand_id_stays_its_brands_after_a_failed_commit(tmp_path, monkeypatch):
    writer = EmbeddedEngine(tmp_path / "index")
    writer.rebuild(index_document(p, ANALYZER) for p in BAGS)

    def full_disk(_writer):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(EmbeddedEngine, "_commit", staticmethod(full_disk))
        puma = Product("e", {"ru": "Сумка"}, "luggage_bags", 10.0, brand="Puma")
        with pytest.raises(OSError):
            writer.apply_changes([index_document(puma, ANALYZER)])
    serving = EmbeddedEngine(tmp_path / "index")  # started in between: reads Puma's id
    assert brands(serving) == [("kanzler", 2, "Kanzler"), ("demix", 1, "Demix")]
    nike = Product("f", {"ru": "Сумка"}, "luggage_bags", 10.0, brand="Nike")
    writer.apply_changes([index_document(nike, ANALYZER)])
    assert brands(serving)[-1] == ("nike", 1, "Nike")
