"""The command line's one error boundary: one line per failure, the same exit codes everywhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from indexer.locking import LockTimeout
from search.engines.base import EngineUnavailable
from tests.conftest import make_product, write_feed
from vitrina.boundary import ExitCode, exit_code_for
from vitrina.cli import main
from vitrina.config import ConfigError

VITRINA = Path(sys.executable).with_name("vitrina")


def vitrina(*args: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The installed `vitrina` in a process of its own, as an operator runs it."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("VITRINA_", "ELASTIC"))}
    environ.pop("CELERY_BROKER_URL", None)
    environ.pop("DATABASE_URL", None)
    environ.update(VITRINA_DATA_DIR=str(data_dir), **env)
    return subprocess.run(
        [str(VITRINA), *args], env=environ, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def elasticsearch_down(unused_port) -> dict[str, str]:
    return {
        "VITRINA_SEARCH_BACKEND": "elasticsearch",
        "ELASTICSEARCH_URL": f"http://127.0.0.1:{unused_port}",
    }


def test_search_with_elasticsearch_down_prints_one_line_and_exits_3(tmp_path, elasticsearch_down):
    result = vitrina("search", "x", data_dir=tmp_path, **elasticsearch_down)
    assert result.returncode == ExitCode.UNAVAILABLE == 3
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("vitrina search: ") and "Elasticsearch unreachable" in line


def test_debug_adds_the_traceback(tmp_path, elasticsearch_down):
    result = vitrina("--debug", "search", "x", data_dir=tmp_path, **elasticsearch_down)
    assert result.returncode == 3
    assert "Traceback (most recent call last)" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith("vitrina search: ")


def test_demo_with_elasticsearch_down_exits_3_with_one_line(tmp_path, elasticsearch_down):
    result = vitrina("demo", "--no-serve", data_dir=tmp_path, **elasticsearch_down)
    assert result.returncode == 3
    assert [line for line in result.stderr.splitlines() if line.strip()] == [
        line for line in result.stderr.splitlines() if line.startswith("vitrina demo: ")
    ]
    assert "Traceback" not in result.stderr


def test_bad_configuration_is_bad_input(tmp_path):
    result = vitrina("search", "x", data_dir=tmp_path, VITRINA_SEARCH_BACKEND="solr")
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("vitrina search: configuration error: VITRINA_SEARCH_BACKEND")


def test_usage_errors_are_one_line_too(runner, settings):
    result = runner.invoke(main, ["recommend", "--date", "tomorrow"])
    assert result.exit_code == 2
    [line] = result.output.splitlines()
    assert "YYYY-MM-DD" in line and "vitrina recommend --help" in line


def test_busy_indexing_is_a_service_state_not_bad_input(runner, settings, tmp_path, monkeypatch):
    """Another run holding the indexing lock (or an engine that is down) exits 3, as
    `search` does when its engine is down."""

    def busy(*args, **kwargs):
        raise LockTimeout("indexing is busy (lock var/indexing.lock)")

    monkeypatch.setattr("vitrina.commands.catalog.index_feed", busy)
    feed = write_feed(tmp_path / "feed.jsonl", [make_product("a", "Сумка")])
    result = runner.invoke(main, ["index", str(feed)])
    assert result.exit_code == 3
    assert result.output == "vitrina index: indexing is busy (lock var/indexing.lock)\n"


def test_an_unexpected_error_exits_4_and_points_to_debug(runner, settings, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the unexpected")

    monkeypatch.setattr("vitrina.commands.catalog.parse_search_params", broken)
    result = runner.invoke(main, ["search", "x"])
    assert result.exit_code == 4
    [line] = result.output.splitlines()
    assert "RuntimeError: the unexpected" in line and "--debug" in line


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (EngineUnavailable("down"), 3),
        (LockTimeout("busy"), 3),
        (ConnectionRefusedError(), 3),
        (OSError(28, "No space left on device"), 3),
        (FileNotFoundError("feed.jsonl"), 2),
        (PermissionError("rejects"), 2),
        (ConfigError("bad"), 2),
        (OperationalError("SELECT 1", {}, Exception("connection refused")), 3),
        (ValueError("a bug"), 4),
    ],
)
def test_every_command_maps_failures_to_the_same_codes(error, code):
    assert exit_code_for(error) == code


def test_help_documents_the_exit_codes(runner):
    text = runner.invoke(main, ["--help"]).output
    for line in ("0  done", "1  done, but some input was rejected", "2  bad input",
                 "3  a service is down or busy", "4  an unexpected error"):  # fmt: skip
        assert line in text


def test_demo_will_not_replace_a_bigger_catalog_unless_asked(tmp_path):
    """The demo's 469 products in place of a 1,000-product catalog: refused, nothing
    changed, and the message names the demo's own way through."""
    big = write_feed(
        tmp_path / "big.jsonl", [make_product(f"big-{n}", title=f"Товар {n}") for n in range(1000)]
    )
    data_dir = tmp_path / "var"
    assert vitrina("index", str(big), data_dir=data_dir).returncode == 0

    refused = vitrina("demo", "--no-serve", data_dir=data_dir)
    assert refused.returncode == 2, refused.stderr
    assert "--allow-shrink" in refused.stderr
    found = vitrina("search", "товар", "--json", data_dir=data_dir)
    assert json.loads(found.stdout)["total"] == 1000

    allowed = vitrina("demo", "--no-serve", "--allow-shrink", data_dir=data_dir)
    assert allowed.returncode == 0, allowed.stderr
    assert "demo catalog:" in allowed.stdout


@pytest.mark.parametrize(
    ("total", "locale", "said"),
    [
        (21, "ru", "Найдено 21 товар"),
        (22, "ru", "Найдено 22 товара"),
        (25, "ru", "Найдено 25 товаров"),
        (1299, "ru", "Найдено 1\xa0299 товаров"),
        (1, "en", "1 product found"),
        (1299, "en", "1,299 products found"),
        (3, "de", "3 Produkte gefunden"),
    ],
)
def test_a_terminal_search_counts_in_the_locale(total, locale, said):
    from vitrina.commands.catalog import found

    assert found(total, locale) == said


def test_a_terminal_search_says_what_it_found_in_the_shoppers_words(runner, settings, tmp_path):
    products = [make_product(f"bag-{n}", title=f"Сумка кожаная {n}") for n in range(22)]
    assert (
        runner.invoke(main, ["index", str(write_feed(tmp_path / "f.jsonl", products))]).exit_code
        == 0
    )
    result = runner.invoke(main, ["search", "сумка", "--locale", "ru"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "Найдено 22 товара"
