"""Indexing feeds: rejects with reasons, later lines win, atomic swaps, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.indexing import FeedUnusable, index_feed
from search.engines.base import EngineQuery, EngineUnavailable, TextMatch
from search.engines.embedded import EmbeddedEngine
from tests.conftest import make_product, write_feed
from vitrina.cli import main


def titles(engine: EmbeddedEngine, term: str) -> set[str]:
    result = engine.search(EngineQuery(text=TextMatch(((term,),)), with_facets=False))
    return {h.product["title"]["ru"] for h in result.hits}


def test_rejects_go_to_the_file_and_the_rest_is_indexed(tmp_path, settings):
    feed = write_feed(
        tmp_path / "feed.jsonl",
        [
            make_product("a", "Сумка кожаная"),
            '{"id": "b", "title": {"ru": "Сумка"}, "category": "luggage_bags"}',
            "{not json",
            make_product("c", "Рюкзак городской"),
        ],
    )
    engine = EmbeddedEngine(settings.index_dir)
    report = index_feed(feed, engine, settings.data_dir, rejects_path=tmp_path / "rejects.jsonl")
    assert (report.upserts, report.rejected, report.exit_code) == (2, 2, 1)
    rejects = [json.loads(line) for line in (tmp_path / "rejects.jsonl").read_text().splitlines()]
    assert [r["line"] for r in rejects] == [2, 3]
    assert "price_usd" in rejects[0]["reason"]
    assert rejects[1]["text"] == "{not json"
    assert engine.product_count() == 2


def test_default_rejects_path_is_in_the_data_dir(tmp_path, settings):
    feed = write_feed(tmp_path / "feed.jsonl", [make_product("a", "Сумка"), "[1]"])
    report = index_feed(feed, EmbeddedEngine(settings.index_dir), settings.data_dir)
    assert report.rejects_path.parent == settings.data_dir / "rejects"
    assert report.rejects_path.read_text().count("\n") == 1


def test_later_lines_replace_earlier_and_deleted_removes(tmp_path, settings):
    feed = write_feed(
        tmp_path / "feed.jsonl",
        [
            make_product("a", "Сумка старая"),
            make_product("b", "Рюкзак"),
            make_product("a", "Сумка новая"),
            {"id": "b", "deleted": True},
            make_product("c", "Кошелёк", flags=["counterfeit_suspected"]),
        ],
    )
    engine = EmbeddedEngine(settings.index_dir)
    report = index_feed(feed, engine, settings.data_dir)
    assert engine.product_count() == 1
    assert titles(engine, "сумка") == {"Сумка новая"}
    assert (report.deletions, report.hidden) == (1, 1)


def test_incremental_changes_keep_the_rest(tmp_path, settings):
    engine = EmbeddedEngine(settings.index_dir)
    index_feed(
        write_feed(
            tmp_path / "full.jsonl", [make_product("a", "Сумка"), make_product("b", "Рюкзак")]
        ),
        engine,
        settings.data_dir,
    )
    changes = write_feed(
        tmp_path / "changes.jsonl",
        [{"id": "a", "deleted": True}, make_product("c", "Сумка дорожная")],
    )
    index_feed(changes, engine, settings.data_dir, full=False)
    assert engine.product_count() == 2
    assert titles(engine, "сумка") == {"Сумка дорожная"}
    assert titles(engine, "рюкзак") == {"Рюкзак"}


def test_a_rebuild_swaps_only_when_complete(tmp_path, settings):
    engine = EmbeddedEngine(settings.index_dir)
    index_feed(
        write_feed(tmp_path / "v1.jsonl", [make_product("a", "Сумка")]), engine, settings.data_dir
    )
    reader = EmbeddedEngine(settings.index_dir)  # another process's view
    assert titles(reader, "сумка") == {"Сумка"}

    def failing_changes():
        yield from ()
        raise RuntimeError("feed storage went away mid-way")

    with pytest.raises((KeyError, ValueError)):
        engine.rebuild(iter([{"bad": "document"}]))  # a document without fields fails
    with pytest.raises(RuntimeError):
        engine.rebuild(failing_changes())
    assert titles(reader, "сумка") == {"Сумка"}
    assert len(list(settings.index_dir.glob("gen-*"))) == 1

    index_feed(
        write_feed(tmp_path / "v2.jsonl", [make_product("b", "Рюкзак")]), engine, settings.data_dir
    )
    assert titles(reader, "рюкзак") == {"Рюкзак"}
    assert titles(reader, "сумка") == set()


def test_a_feed_with_nothing_valid_leaves_the_index_alone(tmp_path, settings):
    engine = EmbeddedEngine(settings.index_dir)
    index_feed(
        write_feed(tmp_path / "v1.jsonl", [make_product("a", "Сумка")]), engine, settings.data_dir
    )
    with pytest.raises(FeedUnusable):
        index_feed(write_feed(tmp_path / "bad.jsonl", ["{", "[]"]), engine, settings.data_dir)
    assert engine.product_count() == 1


def test_no_index_yet_is_unavailable(settings):
    with pytest.raises(EngineUnavailable):
        EmbeddedEngine(settings.index_dir).product_count()


def test_large_feed_indexes_in_parallel_in_order(tmp_path, settings):
    """Above the parallel threshold, worker processes analyze and order is kept."""
    products = [
        make_product(f"p{i}", f"Сумка модель {i} " + "кожаная " * 40, price_usd=1 + i % 50)
        for i in range(6000)
    ]
    products.append(make_product("p5", "Рюкзак заменивший сумку"))
    feed = write_feed(tmp_path / "big.jsonl", products)
    assert feed.stat().st_size > 2_000_000
    engine = EmbeddedEngine(settings.index_dir)
    report = index_feed(feed, engine, settings.data_dir)
    assert report.upserts == 6001 and engine.product_count() == 6000
    assert engine.get_products(["p5"])["p5"]["title"]["ru"] == "Рюкзак заменивший сумку"


class TestCommand:
    def test_exit_codes(self, runner, tmp_path, settings):
        good = write_feed(tmp_path / "good.jsonl", [make_product("a", "Сумка")])
        mixed = write_feed(tmp_path / "mixed.jsonl", [make_product("a", "Сумка"), "{"])
        assert runner.invoke(main, ["index", str(good)]).exit_code == 0
        result = runner.invoke(main, ["index", str(mixed), "--rejects", str(tmp_path / "r.jsonl")])
        assert result.exit_code == 1, result.output
        assert (tmp_path / "r.jsonl").read_text().count("\n") == 1
        missing = runner.invoke(main, ["index", str(tmp_path / "missing.jsonl")])
        assert missing.exit_code == 2 and "no such file" in missing.output
        assert runner.invoke(main, ["index", str(tmp_path)]).exit_code == 2

    def test_search_json(self, runner, tmp_path, settings):
        runner.invoke(
            main,
            [
                "index",
                str(
                    write_feed(
                        tmp_path / "f.jsonl", [make_product("a", "Сумка кожаная", price_usd=14.04)]
                    )
                ),
            ],
        )
        result = runner.invoke(main, ["search", "кожаные", "сумки", "--json"])
        answer = json.loads(result.output)
        assert answer["items"][0]["id"] == "a"
        assert answer["items"][0]["price"]["formatted"].endswith("₽")

    def test_read_only_feed_location(self, runner, tmp_path, settings):
        folder = tmp_path / "ro"
        folder.mkdir()
        feed = write_feed(folder / "feed.jsonl", [make_product("a", "Сумка"), "{"])
        folder.chmod(0o555)
        try:
            result = runner.invoke(main, ["index", str(feed)])
        finally:
            folder.chmod(0o755)
        assert result.exit_code == 1
        assert list(Path(settings.data_dir, "rejects").glob("*.jsonl"))


def test_readers_see_incremental_changes_at_once(tmp_path, settings):
    writer = EmbeddedEngine(settings.index_dir)
    index_feed(
        write_feed(tmp_path / "full.jsonl", [make_product("a", "Сумка")]), writer, settings.data_dir
    )
    reader = EmbeddedEngine(settings.index_dir)  # e.g. a web worker
    assert titles(reader, "сумка") == {"Сумка"}
    changes = write_feed(
        tmp_path / "changes.jsonl", [{"id": "a", "deleted": True}, make_product("b", "Сумка новая")]
    )
    index_feed(changes, writer, settings.data_dir, full=False)
    assert titles(reader, "сумка") == {"Сумка новая"}
