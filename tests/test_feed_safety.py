"""Feed safety: a full reindex never swaps in an empty or much smaller catalog by
accident (issue 13, defect 1), and lines that are too big, carry NULs or repeat a key
are rejected with their reason (defect 10)."""

from __future__ import annotations

import json
from pathlib import Path

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
