"""Feed safety: a full reindex never swaps in an empty or much smaller catalog by
accident (issue 13, defect 1), and lines that are too big, carry NULs or repeat a key
are rejected with their reason (defect 10)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.feed import MAX_LINE_BYTES, Rejection, Upsert, parse_line
from indexer.inputs import capped_lines
from indexer.jobs import run_index
from search.engines.embedded import EmbeddedEngine
from search.vocabulary import vocabulary_path
from tests.conftest import make_product, write_feed
from vitrina.cli import main
from vitrina.services import Services


def catalog(tmp_path: Path, name: str, count: int, start: int = 0) -> Path:
    products = [make_product(f"p{i}", f"Сумка модель {i}") for i in range(start, start + count)]
    return write_feed(tmp_path / name, products)


def served(settings) -> int:
    return EmbeddedEngine(settings.index_dir).product_count()


class TestShrinkingCatalog:
    def test_a_feed_of_only_deletions_is_refused_and_changes_nothing(
        self, runner, tmp_path, settings
    ):
        assert runner.invoke(main, ["index", str(catalog(tmp_path, "v1.jsonl", 10))]).exit_code == 0
        vocabulary_before = vocabulary_path(settings.data_dir).read_bytes()
        pointer_before = (settings.index_dir / "CURRENT").read_text()
        deletions = write_feed(
            tmp_path / "deletions.jsonl", [{"id": f"p{i}", "deleted": True} for i in range(10)]
        )
        result = runner.invoke(main, ["index", str(deletions)])
        assert result.exit_code == 2, result.output
        assert "no products" in result.output and "index is unchanged" in result.output
        assert served(settings) == 10
        assert (settings.index_dir / "CURRENT").read_text() == pointer_before
        assert vocabulary_path(settings.data_dir).read_bytes() == vocabulary_before
        assert len(list(settings.index_dir.glob("gen-*"))) == 1  # the refused one is gone

    def test_an_empty_catalog_is_refused_even_with_allow_shrink(self, runner, tmp_path, settings):
        runner.invoke(main, ["index", str(catalog(tmp_path, "v1.jsonl", 3))])
        hidden = write_feed(
            tmp_path / "hidden.jsonl",
            [
                make_product("x", "Сумка", flags=["counterfeit_suspected"]),
                {"id": "p1", "deleted": True},
            ],
        )
        result = runner.invoke(main, ["index", str(hidden), "--allow-shrink"])
        assert result.exit_code == 2, result.output
        assert served(settings) == 3

    def test_almost_all_lines_bad_is_refused_not_exit_1(self, runner, tmp_path, settings):
        runner.invoke(main, ["index", str(catalog(tmp_path, "v1.jsonl", 10))])
        mostly_bad = write_feed(
            tmp_path / "bad.jsonl", [make_product("p0", "Сумка")] + ["{broken"] * 9
        )
        result = runner.invoke(main, ["index", str(mostly_bad)])
        assert result.exit_code == 2, result.output
        assert "1 products, 90% fewer than the 10 in service" in result.output
        assert "--allow-shrink" in result.output
        assert served(settings) == 10

    def test_shrinking_by_more_than_the_share_needs_allow_shrink(self, runner, tmp_path, settings):
        runner.invoke(main, ["index", str(catalog(tmp_path, "v1.jsonl", 10))])
        smaller = catalog(tmp_path, "v2.jsonl", 7)
        refused = runner.invoke(main, ["index", str(smaller)])
        assert refused.exit_code == 2 and "30% fewer" in refused.output
        assert served(settings) == 10
        allowed = runner.invoke(main, ["index", str(smaller), "--allow-shrink"])
        assert allowed.exit_code == 0, allowed.output
        assert served(settings) == 7

    def test_shrinking_within_the_share_swaps(self, runner, tmp_path, settings):
        runner.invoke(main, ["index", str(catalog(tmp_path, "v1.jsonl", 10))])
        assert runner.invoke(main, ["index", str(catalog(tmp_path, "v2.jsonl", 8))]).exit_code == 0
        assert served(settings) == 8

    def test_the_share_is_a_setting(self, runner, tmp_path, settings, monkeypatch):
        runner.invoke(main, ["index", str(catalog(tmp_path, "v1.jsonl", 10))])
        monkeypatch.setenv("VITRINA_INDEX_MAX_SHRINK", "50%")
        assert runner.invoke(main, ["index", str(catalog(tmp_path, "v2.jsonl", 6))]).exit_code == 0
        monkeypatch.setenv("VITRINA_INDEX_MAX_SHRINK", "0")
        result = runner.invoke(main, ["index", str(catalog(tmp_path, "v3.jsonl", 5))])
        assert result.exit_code == 2 and served(settings) == 6
        monkeypatch.setenv("VITRINA_INDEX_MAX_SHRINK", "1.5")
        result = runner.invoke(main, ["index", str(catalog(tmp_path, "v3.jsonl", 5))])
        assert result.exit_code == 2 and "VITRINA_INDEX_MAX_SHRINK" not in result.output
        assert "between 0 and 1" in result.output

    def test_incremental_changes_may_delete_freely(self, runner, tmp_path, settings):
        runner.invoke(main, ["index", str(catalog(tmp_path, "v1.jsonl", 10))])
        deletions = write_feed(
            tmp_path / "deletions.jsonl", [{"id": f"p{i}", "deleted": True} for i in range(6)]
        )
        assert runner.invoke(main, ["index", str(deletions), "--changes"]).exit_code == 0
        assert served(settings) == 4

    def test_the_celery_reindex_refuses_too(self, tmp_path, settings):
        services = Services(settings)
        run_index(services, str(catalog(tmp_path, "v1.jsonl", 10)), full=True)
        deletions = write_feed(tmp_path / "d.jsonl", [{"id": "p1", "deleted": True}])
        try:
            run_index(services, str(deletions), full=True)
        except Exception as exc:  # the task fails with the reason, the index stays
            assert "no products" in str(exc)
        else:
            raise AssertionError("an empty catalog was swapped in by the reindex task")
        assert served(settings) == 10


def test_rejected_lines_still_reach_the_rejects_file_when_the_swap_is_refused(
    runner, tmp_path, settings
):
    runner.invoke(main, ["index", str(catalog(tmp_path, "v1.jsonl", 10))])
    bad = write_feed(tmp_path / "bad.jsonl", ["{", "[]"] + [{"id": "p1", "deleted": True}])
    result = runner.invoke(main, ["index", str(bad), "--rejects", str(tmp_path / "r.jsonl")])
    assert result.exit_code == 2
    rejects = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert [r["line"] for r in rejects] == [1, 2]


# -- defect 10: line and field caps, NULs, repeated keys ---------------------------------


def line(**fields) -> str:
    return json.dumps({**make_product("a", "Сумка"), **fields}, ensure_ascii=False)


def reason(text: str) -> str:
    record = parse_line(1, text)
    assert isinstance(record, Rejection), f"accepted: {text[:200]}"
    return record.reason


class TestLineRules:
    def test_repeated_keys_are_rejected_at_any_depth(self):
        top = '{"id": "a", "price_usd": 10, "price_usd": 0.01, "title": {"ru": "Сумка"}, '
        top += '"category": "luggage_bags"}'
        assert reason(top) == "duplicate key 'price_usd': a key may appear once per object"
        nested = '{"id": "a", "price_usd": 10, "title": {"ru": "Сумка", "ru": "Ложь"}, '
        nested += '"category": "luggage_bags"}'
        assert "duplicate key 'ru'" in reason(nested)
        spaced = '{"id" : "a", "id" :"b", "price_usd": 1, "title": {"ru": "x"}, '
        spaced += '"category": "luggage_bags"}'
        assert "duplicate key 'id'" in reason(spaced)

    def test_a_text_that_looks_like_a_key_is_not_a_repeat(self):
        text = line(description={"ru": 'размер": 42, "id": "b'})
        assert isinstance(parse_line(1, text), Upsert)

    def test_nul_in_an_id_or_any_text_is_rejected(self):
        assert reason(line(id="a\u0000b")) == "id: contains a NUL character (\\u0000)"
        assert reason(line(title={"ru": "Сумка\u0000"})).startswith("title.ru: contains a NUL")
        assert reason(line(attributes={"цвет\u0000": "x"})).startswith("attributes.цвет")
        assert reason(line(flags=["new", "\u0000"])).startswith("flags[1]")
        literal = line(description={"ru": "backslash-u: \\u0000 is text"})
        assert isinstance(parse_line(1, literal), Upsert)

    def test_control_characters_in_ids_are_rejected(self):
        for bad in ("a\tb", "a\nb", "a\u0085"):
            assert reason(line(id=bad)).startswith("id: must not contain control characters")

    @pytest.mark.parametrize(
        ("fields", "expected"),
        [
            ({"title": {"ru": "x" * 1001}}, "title.ru: longer than 1,000 characters (1,001)"),
            ({"description": {"ru": "x" * 20_001}}, "description.ru: longer than 20,000"),
            ({"brand": "b" * 201}, "brand: longer than 200"),
            ({"subcategory": "s" * 201}, "subcategory: longer than 200"),
            ({"image_url": "https://x/" + "i" * 2048}, "image_url: longer than 2,048"),
            ({"attributes": {f"k{i}": "v" for i in range(201)}}, "more than 200 entries"),
            ({"attributes": {"k": "v" * 1001}}, "attributes.k: longer than 1,000"),
            ({"flags": ["f"] * 33}, "flags: more than 32 entries"),
            ({"ships_to": ["RU"] * 301}, "ships_to: more than 300 entries"),
            ({"seller": {"id": "s" * 201}}, "seller.id: longer than 200"),
            ({"title": {f"x{i:02}": "t" for i in range(33)}}, "title: more than 32 locales"),
        ],
    )
    def test_field_caps(self, fields, expected):
        assert expected in reason(line(**fields))

    def test_fields_at_their_caps_are_accepted(self):
        text = line(
            title={"ru": "x" * 1000},
            description={"ru": "y" * 20_000},
            brand="b" * 200,
            attributes={f"k{i}": "v" * 1000 for i in range(200)},
        )
        assert isinstance(parse_line(1, text), Upsert)


def test_a_line_over_1_mb_is_rejected_unread_and_the_rest_indexed(runner, tmp_path, settings):
    feed = tmp_path / "huge.jsonl"
    with open(feed, "w", encoding="utf-8") as f:
        f.write(json.dumps(make_product("a", "Сумка")) + "\n")
        f.write(line(id="huge", description={"ru": "слово " * 9_000_000}) + "\n")  # ~50 MB
        f.write(json.dumps(make_product("b", "Рюкзак")) + "\n")
        f.write("x" * (MAX_LINE_BYTES + 1) + "\r\n")
        f.write("y" * MAX_LINE_BYTES + "\r\n")  # at the limit: invalid JSON, not too long
    result = runner.invoke(main, ["index", str(feed), "--rejects", str(tmp_path / "r.jsonl")])
    assert result.exit_code == 1, result.output
    rejects = [json.loads(r) for r in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert [r["line"] for r in rejects] == [2, 4, 5]
    assert rejects[0]["reason"] == "line longer than 1,048,576 bytes (the limit)"
    assert rejects[1]["reason"] == rejects[0]["reason"]
    assert rejects[2]["reason"].startswith("invalid JSON")
    assert len(rejects[0]["text"]) <= 1001 and rejects[0]["text"].startswith('{"id": "huge"')
    engine = EmbeddedEngine(settings.index_dir)
    assert engine.product_count() == 2 and not engine.get_products(["huge"])


def test_the_reader_never_holds_a_long_line(tmp_path):
    path = tmp_path / "f.jsonl"
    path.write_bytes(b"short\n" + b"z" * 5_000_000 + b"\nlast")
    with open(path, "rb") as stream:
        lines = list(capped_lines(stream, 1000))
    assert [len(x) for x in lines] == [6, 1002, 4]


PEAK_RSS = """
import resource, sys
from vitrina.cli import run
sys.argv = ["vitrina", "index", sys.argv[1], "--rejects", sys.argv[2]]
try:
    run()
except SystemExit:
    pass
peaks = [resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
print(max(peaks), file=sys.stderr)
"""


def peak_rss_kb(feed: Path, tmp_path: Path, settings) -> int:
    env = {**os.environ, "VITRINA_DATA_DIR": str(tmp_path / feed.stem)}
    done = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, str(feed), str(tmp_path / f"{feed.stem}.rejects")],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stderr.strip().splitlines()[-1])


def test_a_50_mb_line_costs_no_50_mb_of_memory(tmp_path, settings):
    products = [json.dumps(make_product(f"p{i}", f"Сумка {i}")) for i in range(200)]
    plain = write_feed(tmp_path / "plain.jsonl", products)
    huge = write_feed(
        tmp_path / "huge.jsonl",
        [*products, line(id="huge", description={"ru": "слово " * 9_000_000})],
    )
    growth_mb = (
        peak_rss_kb(huge, tmp_path, settings) - peak_rss_kb(plain, tmp_path, settings)
    ) / 1024
    assert growth_mb < 30, f"peak RSS grew by {growth_mb:.0f} MB for one rejected 50 MB line"


def test_elasticsearch_refuses_a_shrinking_catalog_before_its_alias_swap(tmp_path):
    """The same guard in front of the other engine: its new index is dropped, the alias stays."""
    from elasticsearch import Elasticsearch

    from indexer.indexing import FeedUnusable, index_feed
    from search.engines.elasticsearch import ElasticsearchEngine
    from tests.es_fake import FakeCluster

    cluster = FakeCluster()
    try:
        client = Elasticsearch(cluster.url, request_timeout=10, max_retries=0)
        engine = ElasticsearchEngine(client, "shop")
        index_feed(catalog(tmp_path, "v1.jsonl", 10), engine, tmp_path / "var")
        served = set(cluster.live_documents("shop"))
        with pytest.raises(FeedUnusable, match="70% fewer than the 10 in service"):
            index_feed(catalog(tmp_path, "v2.jsonl", 3), engine, tmp_path / "var")
        assert set(cluster.live_documents("shop")) == served and len(served) == 10
        assert engine.product_count() == 10
        report = index_feed(
            catalog(tmp_path, "v2.jsonl", 3), engine, tmp_path / "var", max_shrink=None
        )
        assert report.products == 3
    finally:
        cluster.close()


def test_a_shrink_just_over_the_share_is_not_shown_as_the_share():
    from indexer.safeguards import CatalogShrinks, SwapGuard

    with pytest.raises(CatalogShrinks, match="796 products, 20.4% fewer than the 1,000"):
        SwapGuard(Path("f.jsonl"), lambda: 1000, 0.2).check(796)
    SwapGuard(Path("f.jsonl"), lambda: 1000, 0.2).check(800)  # exactly the share: allowed
    SwapGuard(Path("f.jsonl"), lambda: None, 0.2).check(1)  # nothing in service yet


def test_a_count_that_fails_at_the_start_does_not_skip_the_guard(tmp_path, settings):
    """The catalog in service is counted right before the swap, not once at the start
    (where a timed-out count of a remote engine would have let any shrink through)."""
    from indexer.indexing import FeedUnusable, index_feed
    from search.engines.base import EngineUnavailable

    class TimesOutOnce(EmbeddedEngine):
        """Counts time out until the rebuild has loaded its new index."""

        loaded = False

        def product_count(self) -> int:
            if not self.loaded:
                raise EngineUnavailable("count: read timed out")
            return super().product_count()

        def rebuild(self, changes, check=None):
            def counting(live: int) -> None:
                self.loaded = True
                if check is not None:
                    check(live)

            return super().rebuild(changes, counting)

    index_feed(
        catalog(tmp_path, "v1.jsonl", 10), EmbeddedEngine(settings.index_dir), settings.data_dir
    )
    with pytest.raises(FeedUnusable, match="70% fewer"):
        index_feed(
            catalog(tmp_path, "v2.jsonl", 3), TimesOutOnce(settings.index_dir), settings.data_dir
        )
    assert served(settings) == 10
