"""How the packages depend on each other: one composition root, layers, no cycles.

Only `vitrina` (the composition root and the command line) may import everything;
each package below imports only the packages beneath it, so a reader can tell from
the folders which way knowledge flows.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

# Lowest first: a package may import the packages before it, never those after it.
LAYERS = ("storage", "locales", "search", "merchandising", "indexer", "web", "vitrina")


def imported_packages(path: Path) -> set[str]:
    """Top-level project packages a module imports (anywhere in it, typing-only included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found.update(name.split(".")[0] for name in names if name.split(".")[0] in LAYERS)
    return found


@pytest.mark.parametrize("package", LAYERS)
def test_each_package_imports_only_the_layers_below_it(package):
    allowed = set(LAYERS[: LAYERS.index(package) + 1])
    offending = {
        f"{path.relative_to(ROOT)} imports {', '.join(sorted(wrong))}"
        for path in sorted((ROOT / package).rglob("*.py"))
        if (wrong := imported_packages(path) - allowed)
    }
    assert not offending


def test_nothing_below_the_root_imports_it():
    for package in LAYERS[:-1]:
        for path in (ROOT / package).rglob("*.py"):
            assert "vitrina" not in imported_packages(path), path


@pytest.mark.parametrize(
    "module",
    ["web.api", "web.app", "indexer.tasks", "indexer.celery_app", "merchandising.service",
     "search.service", "storage", "vitrina.cli"],
)  # fmt: skip
def test_each_entry_module_imports_on_its_own(module):
    """No import cycle hides behind import order: each imports first, alone."""
    result = subprocess.run(
        [sys.executable, "-c", f"import {module}"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
