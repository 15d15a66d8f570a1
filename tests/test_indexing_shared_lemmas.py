"""Workers pass on the lemmas they read (indexer/indexing.py SharedLemmas); the feed's
quick checks of repeated values (country lists, locale codes) reject what they did."""

from __future__ import annotations

import orjson

from indexer import indexing
from indexer.feed import Rejection, Upsert, parse_line
from indexer.indexing import SharedLemmas, analyze_chunk, analyzed_lines
from indexer.pipeline import worker_pool
from search.analysis.analyzer import Analyzer
from search.vocabulary import VocabularyBuilder
from vitrina.commands.demo import demo_catalog_path


def test_what_a_worker_read_goes_out_with_the_next_chunks_one_per_worker():
    news = SharedLemmas(workers=2)
    assert news.take() == {}
    news.add({"сумки": ("сумка",)})
    news.add({})
    news.add({"кольца": ("кольцо",)})
    assert news.take() == {"сумки": ("сумка",), "кольца": ("кольцо",)}
    assert news.take() == {"сумки": ("сумка",), "кольца": ("кольцо",)}
    assert news.take() == {}


def test_a_worker_keeps_what_it_is_given_and_does_not_send_it_back():
    line = orjson.dumps(
        {"id": "p1", "title": {"ru": "Сумки и кольца"}, "category": "jewelry", "price_usd": 5}
    )
    given = {"сумки": Analyzer().words.lemmas("сумки")}
    analyzer = Analyzer()
    analyzer.words.journal()
    outcomes, _, _ = analyze_chunk(1, [line], analyzer, learnt=given)
    assert outcomes[0][0] == "doc"
    assert analyzer.words._cache["сумки"] == given["сумки"]
    fresh = analyzer.words.fresh_lemmas()
    assert "кольца" in fresh
    assert "сумки" not in fresh


def test_worker_processes_make_the_documents_made_in_process(monkeypatch):
    monkeypatch.setattr(indexing, "CHUNK_LINES", 7)  # many chunks: lemmas are passed on
    lines = demo_catalog_path().read_bytes().splitlines(keepends=True)
    here = list(analyzed_lines(lines, Analyzer(), VocabularyBuilder()))
    analyzer = Analyzer()
    analyzer.words.journal()
    with worker_pool(1, min_bytes=0, workers=2, inherit=analyzer) as pool:
        assert pool is not None
        there = list(
            analyzed_lines(lines, analyzer, VocabularyBuilder(), pool, window=3, workers=2)
        )
    assert there == here
    assert len(here) > 50


def test_documents_packed_for_the_trip_from_a_worker_come_back_the_same():
    product = {"id": "p1", "title": {"ru": "Сумки и кольца"}, "category": "jewelry"}
    lines = [
        b"{broken",
        orjson.dumps({"id": "p0", "deleted": True}),
        orjson.dumps(product | {"price_usd": 5}),
        orjson.dumps(product | {"id": "p2", "price_usd": 6, "flags": ["counterfeit_suspected"]}),
        orjson.dumps(product | {"id": "p3", "price_usd": 7.25, "brand": "Zara"}),
    ]
    expected, _, _ = analyze_chunk(1, lines, Analyzer())
    packed, _, _ = indexing._analyze_packed(1, lines, Analyzer())
    assert [kind for kind, _, _ in packed] == [
        "keys", "reject", "removal", "values", "hidden", "values"
    ]  # fmt: skip
    assert indexing._unpacked(packed) == expected
    assert [kind for kind, _, _ in expected] == ["reject", "removal", "doc", "hidden", "doc"]
    nothing_indexed = lines[:2]
    packed, _, _ = indexing._analyze_packed(1, nothing_indexed, Analyzer())
    assert indexing._unpacked(packed) == analyze_chunk(1, nothing_indexed, Analyzer())[0]


def test_checked_once_values_still_reject_what_they_rejected():
    base = {"id": "p1", "title": {"ru": "Сумка"}, "category": "jewelry", "price_usd": 5}
    for _ in range(2):  # the second time from the quick checks
        assert isinstance(
            parse_line(1, orjson.dumps(base | {"ships_from": ["cn"]}).decode()), Upsert
        )
    wrong = [
        ({"ships_from": {"CN": 1}}, "ships_from: must be a list of country codes"),
        ({"ships_from": "CN"}, "ships_from: must be a list of country codes"),
        ({"ships_from": [["CN"]]}, "ships_from: must be a list of country codes"),
        ({"ships_to": ["CN", "XX"]}, "ships_to: not ISO 3166 alpha-2 codes: XX"),
        ({"title": {"ru": 5}}, "title.ru: must be a string"),
        ({"title": {"r u": "Сумка"}}, "title: 'r u' is not a locale code"),
        ({"title": {"ru": "С" * 1001}}, "title.ru: longer than 1,000 characters (1,001)"),
        ({"price_usd": True}, "price_usd: must be a number"),
        ({"price_usd": 0}, "price_usd: must be > 0, got 0"),
        ({"rating": 6}, "rating: must be <= 5, got 6"),
    ]
    for change, reason in wrong:
        record = parse_line(1, orjson.dumps(base | change).decode())
        assert isinstance(record, Rejection), change
        assert record.reason == reason


def test_a_run_collects_garbage_seldom_and_puts_the_thresholds_back():
    import gc

    import pytest

    before = gc.get_threshold()
    with indexing.collecting_seldom():
        assert gc.get_threshold()[0] >= indexing.RUN_GC_THRESHOLDS[0]
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), indexing.collecting_seldom():
        raise RuntimeError("a failed run")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_run_leaves_what_the_process_froze_itself_frozen():
    import gc

    kept = [object() for _ in range(10)]  # what a preloaded server's master froze
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with indexing.collecting_seldom():
            pass
        assert gc.get_freeze_count() >= frozen, kept
    finally:
        gc.unfreeze()


def test_chunks_start_small_and_double_up_to_their_size_keeping_line_numbers():
    from indexer.inputs import numbered_chunks

    lines = [f"{n}".encode() for n in range(1, 31)]
    chunks = list(numbered_chunks(lines, 8, first=2))
    assert [len(chunk) for _, chunk in chunks] == [2, 4, 8, 8, 8]
    assert all(chunk[0] == str(start).encode() for start, chunk in chunks)
    assert [line for _, chunk in chunks for line in chunk] == lines
    assert [len(c) for _, c in numbered_chunks(lines, 8)] == [8, 8, 8, 6]
    assert [len(c) for _, c in numbered_chunks(lines, 8, first=50)] == [8, 8, 8, 6]
    assert list(numbered_chunks([], 8, first=2)) == []
