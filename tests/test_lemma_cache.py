"""The indexer keeps its lemmas in the data dir, so the next reindex starts warm."""

from __future__ import annotations

import orjson

from indexer.indexing import LEMMA_CACHE_FILE, index_feed
from search.analysis.analyzer import Analyzer
from search.analysis.morphology import WordNormalizer
from search.engines.embedded import EmbeddedEngine
from vitrina.commands.demo import demo_catalog_path


def test_a_reindex_starts_with_the_lemmas_of_the_last_one(tmp_path):
    index_feed(
        demo_catalog_path(), EmbeddedEngine(tmp_path / "index"), tmp_path, analyzer=Analyzer()
    )
    saved = tmp_path / LEMMA_CACHE_FILE
    assert saved.exists()
    words = WordNormalizer()
    assert words.load_cache(saved) > 100
    assert words._cache["сумки"] == WordNormalizer().lemmas("сумки")


def test_lemmas_read_by_the_worker_processes_are_kept(tmp_path, monkeypatch):
    monkeypatch.setattr("indexer.indexing.PARALLEL_MIN_BYTES", 0)
    analyzer = Analyzer()
    index_feed(demo_catalog_path(), EmbeddedEngine(tmp_path / "index"), tmp_path, analyzer=analyzer)
    words = WordNormalizer()
    words.load_cache(tmp_path / LEMMA_CACHE_FILE)
    assert "сумки" in words._cache


def test_an_outdated_cache_is_ignored(tmp_path):
    path = tmp_path / LEMMA_CACHE_FILE
    path.write_bytes(orjson.dumps({"version": "0/old", "lemmas": {"сумки": ["неверно"]}}))
    words = WordNormalizer()
    assert words.load_cache(path) == 0
    assert words.lemmas("сумки") != ("неверно",)
    path.write_bytes(b"{broken")
    assert words.load_cache(path) == 0
