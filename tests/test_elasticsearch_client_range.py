"""The oldest `elasticsearch` client pyproject.toml allows really works.

The suite normally runs with the newest client pip picks (9.x). Here the lowest
release of the declared range (8.18.x: where `elasticsearch.dsl` joined the client)
is installed into pytest's cache and the Elasticsearch tests that need no server run
again on it: request bodies, the bulk loader and its retries, the rebuild protocol,
the vocabulary shared between hosts, credentials, and every request validated against the 9.5 specification (a 9.x server accepts an
8.x client's `compatible-with=8` requests). See docs/deployment.md for the pairs.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.es_fake import require_es_spec

ROOT = Path(__file__).resolve().parents[1]
SUITE = [
    "tests/test_elasticsearch_queries.py",
    "tests/test_elasticsearch_engine.py",
    "tests/test_elasticsearch_bulk.py",
    "tests/test_elasticsearch_rebuild_changes.py",
    "tests/test_elasticsearch_spec.py",
    "tests/test_elasticsearch_hosts.py",
    "tests/test_elasticsearch_credentials.py",
]


def declared_floor() -> str:
    """The lowest client version pyproject.toml allows, e.g. "8.18"."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirement = next(d for d in project["dependencies"] if d.startswith("elasticsearch"))
    found = re.search(r">=\s*(\d+\.\d+)", requirement)
    assert found, f"the elasticsearch requirement has no lower bound: {requirement}"
    return found.group(1)


def install_floor_client(target: Path, floor: str) -> None:
    """The newest patch release of the floor minor, with the transport it requires."""
    if (target / "elasticsearch").is_dir():
        return
    major = floor.split(".")[0]
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
               "--no-deps", "--target", str(target), f"elasticsearch~={floor}.0",
               f"elastic-transport>={major},<{int(major) + 1}"]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)
    if result.returncode != 0:
        pytest.skip(f"cannot install elasticsearch~={floor}.0 from the package index: "
                    f"{result.stderr.strip()[-300:]}")  # fmt: skip


def test_the_lowest_declared_client_passes_the_elasticsearch_suite(pytestconfig, tmp_path_factory):
    require_es_spec()
    floor = declared_floor()
    assert floor == "8.18", "elasticsearch.dsl exists from 8.18 on: the floor cannot go lower"
    # Kept in pytest's cache between runs when the cache plugin is on (-p no:cacheprovider
    # turns it off); a fresh temporary folder otherwise.
    cache = getattr(pytestconfig, "cache", None)
    name = f"elasticsearch-client-{floor}"
    target = Path(cache.mkdir(name)) if cache is not None else tmp_path_factory.mktemp(name)
    install_floor_client(target, floor)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), str(ROOT)])}
    version = subprocess.run(
        [sys.executable, "-c", "import elasticsearch; print(elasticsearch.__versionstr__)"],
        capture_output=True, text=True, check=True, env=env, cwd=ROOT,
    ).stdout.strip()  # fmt: skip
    assert version.startswith(f"{floor}."), version
    suite = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *SUITE],
        capture_output=True, text=True, check=False, env=env, cwd=ROOT, timeout=1200,
    )  # fmt: skip
    report = f"client {version}:\n{suite.stdout[-5000:]}{suite.stderr[-2000:]}"
    assert suite.returncode == 0, report
    assert "passed" in suite.stdout and "skipped" not in suite.stdout, report
