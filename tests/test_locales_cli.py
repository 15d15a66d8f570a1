"""`vitrina locales ...` as a translator and CI run it, on a copy of the locales directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from locales import tooling
from tests.test_locales_tooling import APP_SOURCE, make_project, translate
from vitrina.cli import main


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    return make_project(tmp_path)


def run(project: tuple[Path, Path], *args: str):
    locales_dir, root = project
    return CliRunner().invoke(
        main, ["locales", "--locales-dir", str(locales_dir), "--root", str(root), *args]
    )


def template_size(locales_dir: Path) -> int:
    """Strings in the project's template: its code's and the registry's labels."""
    return len(tooling.message_keys(tooling.read_catalog(tooling.template_path(locales_dir))))


def failing_lines(output: str, code: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(f"{code}: ")]


def edit_catalog(locales_dir: Path, code: str, old: str, new: str) -> None:
    """Change a catalog's text the way a hand edit in a PO editor would."""
    path = tooling.catalog_path(locales_dir, code)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_check_passes_with_a_summary_line(project):
    result = run(project, "check")
    assert result.exit_code == 0, result.output
    registered = tooling.registry_entries(project[0])
    enabled = sum(entry["enabled"] for entry in registered.values())
    strings = template_size(project[0])
    assert strings > 7  # the project's 7 strings and the registry's labels
    assert (
        f"locales check passed: {len(registered)} locales ({enabled} enabled), {strings} strings"
        in result.output
    )
    assert result.output.splitlines()[1].split()[:2] == ["en", "English"]


def test_list_shows_coverage_per_locale(project):
    locales_dir, _root = project
    translate(locales_dir, "de", skip=("Search",))
    result = run(project, "list")
    assert result.exit_code == 0
    de = next(line for line in result.output.splitlines() if line.startswith("de "))
    total = template_size(locales_dir)
    assert f"{total - 1}/{total}" in de and f"{100 * (total - 1) / total:.1f}%" in de
    assert "yes" in de
    ar = next(line for line in result.output.splitlines() if line.startswith("ar "))
    assert "rtl" in ar and "100.0%" in ar


def test_add_writes_plural_forms_and_refuses_twice(tmp_path):
    locales_dir = tmp_path / "locales"
    locales_dir.mkdir()
    (locales_dir / "locales.toml").write_text('[locales.en]\nname = "English"\nenabled = true\n')
    (locales_dir / "messages.pot").write_bytes((tooling.LOCALES_DIR / "messages.pot").read_bytes())
    project = (locales_dir, tmp_path)
    result = run(project, "add", "ar")
    assert result.exit_code == 0, result.output
    assert "nplurals=6" in result.output
    assert "nplurals=3" in run(project, "add", "ru", "--name", "Русский").output
    assert "Plural-Forms: nplurals=3;" in tooling.catalog_path(locales_dir, "ru").read_text()
    again = run(project, "add", "ru")
    assert again.exit_code == 2 and "already exists" in again.output
    unknown = run(project, "add", "xx")
    assert unknown.exit_code == 2 and "not a locale CLDR knows" in unknown.output


def test_broken_placeholder_fails_check_even_in_a_disabled_locale(project):
    locales_dir, _root = project
    edit_catalog(
        locales_dir, "es", 'msgstr "es: Hello, %(name)s!"', 'msgstr "es: Hola, %(nombre)s!"'
    )
    tooling.compile_catalogs(locales_dir)
    assert run(project, "disable", "es").exit_code == 2  # ES and MX need it
    result = run(project, "check")
    assert result.exit_code == 1
    assert any(
        "unknown named placeholder 'nombre'" in line for line in failing_lines(result.output, "es")
    )

    run(project, "add", "fr")  # disabled, untranslated: reported, not failing
    edit_catalog(
        locales_dir,
        "fr",
        'msgid "Ships from {origin}"\nmsgstr ""',
        'msgid "Ships from {origin}"\nmsgstr "Expédié depuis {pays}"',
    )
    tooling.compile_catalogs(locales_dir)
    result = run(project, "check")
    fr = failing_lines(result.output, "fr")
    assert fr == [
        'fr: "Ships from {origin}": unknown placeholder {pays}',
        'fr: "Ships from {origin}": placeholder {origin} is missing',
    ]


def test_missing_plural_form_fails_check(project):
    locales_dir, _root = project
    edit_catalog(locales_dir, "ru", 'msgstr[2] "ru: %(count)s products"\n', "")
    tooling.compile_catalogs(locales_dir)
    result = run(project, "check")
    assert result.exit_code == 1
    assert 'ru: "%(count)s product": 2 plural forms, needs 3' in result.output


def test_wrong_plural_header_fails_check(project):
    locales_dir, _root = project
    edit_catalog(locales_dir, "ar", "nplurals=6;", "nplurals=2;")
    result = run(project, "check")
    assert result.exit_code == 1
    assert "ar: Plural-Forms says nplurals=2, CLDR has 6 for ar" in result.output


def test_fuzzy_entry_fails_check_for_an_enabled_locale(project):
    locales_dir, _root = project
    edit_catalog(locales_dir, "de", 'msgid "Search"', '#, fuzzy\nmsgid "Search"')
    tooling.compile_catalogs(locales_dir)
    result = run(project, "check")
    assert result.exit_code == 1
    assert 'de: 1 fuzzy: "Search"' in result.output
    assert "FAIL" in next(line for line in result.output.splitlines() if line.startswith("de "))


def test_stale_template_fails_check(project):
    _locales_dir, root = project
    (root / "app" / "strings.py").write_text(APP_SOURCE + '\nNEW = N_("Free delivery")\n')
    result = run(project, "check")
    assert result.exit_code == 1
    assert (
        "error: template is stale: 1 new and 0 removed strings in the code or labels.toml"
        ' ("Free delivery")' in result.output
    )


def test_out_of_date_catalog_fails_check_until_update(project):
    locales_dir, root = project
    (root / "app" / "strings.py").write_text(APP_SOURCE + '\nNEW = N_("Free delivery")\n')
    assert run(project, "extract").exit_code == 0
    result = run(project, "check")
    assert result.exit_code == 1
    for code in ("ru", "es", "pt", "de", "ar", "en"):
        assert any(
            "out of date, 1 missing" in line for line in failing_lines(result.output, code)
        ), code

    assert "ru: 1 new, 0 obsolete" in run(project, "update").output
    result = run(project, "check")
    assert result.exit_code == 1  # enabled locales now lack one translation
    assert 'ru: 1 untranslated: "Free delivery"' in result.output
    assert not failing_lines(result.output, "en")  # English ids are the English text
    for code in ("ru", "es", "pt", "de", "ar"):
        translate(locales_dir, code)
    assert run(project, "compile").exit_code == 0
    assert run(project, "check").exit_code == 0


def test_uncompiled_change_fails_check(project):
    locales_dir, _root = project
    edit_catalog(locales_dir, "pt", 'msgstr "pt: Search"', 'msgstr "Buscar"')
    result = run(project, "check")
    assert result.exit_code == 1
    assert (
        "pt: messages.mo differs from messages.po (run `vitrina locales compile`)" in result.output
    )
    assert "pt: compiled" in run(project, "compile").output
    assert run(project, "check").exit_code == 0


def test_enable_refuses_with_the_missing_strings_then_succeeds(project):
    locales_dir, _root = project
    assert run(project, "add", "fr").exit_code == 0
    translate(locales_dir, "fr", skip=("Search", "Today's deals"))
    run(project, "compile")
    refused = run(project, "enable", "fr")
    assert refused.exit_code == 1
    assert '  untranslated: "Search"' in refused.output
    assert '  untranslated: "Today\'s deals"' in refused.output
    assert tooling.registry_entries(locales_dir)["fr"]["enabled"] is False

    translate(locales_dir, "fr")
    run(project, "compile")
    enabled = run(project, "enable", "fr")
    assert enabled.exit_code == 0, enabled.output
    assert tooling.registry_entries(locales_dir)["fr"]["enabled"] is True
    result = run(project, "check")
    assert result.exit_code == 0 and "locales check passed:" in result.output
    assert next(line for line in result.output.splitlines() if line.startswith("fr ")).endswith(
        "ok"
    )


def test_a_new_locale_is_served_at_its_url_with_no_code_change(
    tmp_path, demo_services, monkeypatch
):
    """The whole translator's path on a copy of the real catalogs: add fr, translate,
    compile, check, enable, then the storefront answers /fr/ in French."""
    import shutil

    import web.i18n
    from locales.i18n import chained_translations
    from locales.registry import load_registry
    from web.app import create_app

    locales_dir = tmp_path / "locales"
    shutil.copytree(
        tooling.LOCALES_DIR, locales_dir, ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    project = (locales_dir, tooling.PROJECT_ROOT)
    assert run(project, "add", "fr").exit_code == 0
    translate(locales_dir, "fr")
    assert run(project, "compile").exit_code == 0
    assert run(project, "enable", "fr").exit_code == 0
    # Point the app at the copy (it normally reads the bundled locales/ directory).
    monkeypatch.setattr(
        "vitrina.services.load_registry", lambda data_dir=None: load_registry(locales_dir, data_dir)
    )
    monkeypatch.setattr(
        web.i18n,
        "translations",
        lambda code: chained_translations(code, locales_dir, load_registry(locales_dir)),
    )

    from vitrina.services import Services

    client = create_app(Services(demo_services.settings), {"TESTING": True}).test_client()
    page = client.get("/fr/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="fr" dir="ltr">' in html
    assert "fr: Today&#39;s deals" in html or "fr: Today's deals" in html
    assert client.get("/it/").status_code == 404
