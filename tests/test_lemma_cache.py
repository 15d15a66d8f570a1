"""The indexer keeps its lemmas in the data dir, so the next reindex starts warm."""

from __future__ import annotations

import orjson

from indexer.indexing import (
    LEMMA_CACHE_FILE,
    READINGS_CACHE_FILE,
    index_feed,
    load_readings,
    save_readings,
)
from search.analysis.analyzer import Analyzer
from search.analysis.morphology import WordNormalizer
from search.engines.embedded import EmbeddedEngine
from search.understanding import transcription
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


def test_a_reindex_starts_with_the_readings_of_the_last_one(tmp_path, monkeypatch):
    monkeypatch.setattr(transcription, "_MEMO", {})
    engine = EmbeddedEngine(tmp_path / "index")
    index_feed(demo_catalog_path(), engine, tmp_path, analyzer=Analyzer())
    first = (tmp_path / "vocabulary" / "vocabulary.json").read_bytes()
    assert (tmp_path / READINGS_CACHE_FILE).exists()
    transcription._MEMO.clear()  # a new process
    read: list[str] = []
    compute = transcription._read
    monkeypatch.setattr(transcription, "_read", lambda w, s: read.append(w) or compute(w, s))
    index_feed(demo_catalog_path(), engine, tmp_path, analyzer=Analyzer())
    assert read == []  # every reading came from the file
    again = orjson.loads((tmp_path / "vocabulary" / "vocabulary.json").read_bytes())
    assert again["readings"].keys() == orjson.loads(first)["readings"].keys()


def test_outdated_readings_are_ignored(tmp_path, monkeypatch):
    monkeypatch.setattr(transcription, "_MEMO", {})
    path = tmp_path / READINGS_CACHE_FILE
    path.write_bytes(orjson.dumps({"version": "old", "readings": [["nike", "cyrillic", ["x"]]]}))
    assert load_readings(path) == 0
    assert transcription.readings("nike") != ["x"]
    path.write_bytes(b"{broken")
    assert load_readings(path) == 0
    save_readings(path)
    transcription._MEMO.clear()
    assert load_readings(path) > 0
    assert transcription._MEMO[("nike", "cyrillic")] == tuple(transcription.readings("nike"))
