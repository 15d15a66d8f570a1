"""TRANSLATING.md shows what `vitrina locales` really prints (scripts/translating_doc.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_generator():
    spec = importlib.util.spec_from_file_location(
        "translating_doc", ROOT / "scripts" / "translating_doc.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_guide_s_examples_are_what_the_tool_prints_today():
    generator = load_generator()
    guide = (ROOT / "TRANSLATING.md").read_text(encoding="utf-8")
    produced = generator.examples()
    assert generator.render(guide, produced) == guide, (
        "TRANSLATING.md is stale: run python scripts/translating_doc.py"
    )
    strings = len(generator.tooling.message_keys(generator.tooling.read_catalog(
        generator.tooling.template_path(generator.tooling.LOCALES_DIR)
    )))  # fmt: skip
    assert f"({6} enabled), {strings} strings" in produced["check"]
    assert "payment method 'carte_bancaire' has no name" in produced["payment-unnamed"]
    assert 'ru: 1 untranslated: "Carte Bancaire"' in produced["payment-untranslated"]
