"""The translators' workflow (locales/tooling.py) on a copy of the locales directory.

Each test copies locales/ (registry files and catalogs) into tmp_path and points
extraction at a small project of its own, so the template is under the test's
control while the registry is the real one.
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from locales import tooling
from locales.i18n import chained_translations
from locales.registry import LOCALES_DIR, RegistryError, load_registry

BABEL_CFG = "[python: app/**.py]\n[jinja2: templates/**.html]\n"
APP_SOURCE = """\
from locales.i18n import N_

CATEGORY = N_("Clothing")


def labels(gettext, ngettext, pgettext):
    return [
        gettext("Search"),
        gettext("Hello, %(name)s!") % {"name": "Ann"},
        gettext("Ships from {origin}").format(origin="CN"),
        ngettext("%(count)s product", "%(count)s products", 3) % {"count": 3},
        pgettext("menu", "Deals"),
    ]
"""
PAGE = '<h1>{{ _("Today\'s deals") }}</h1>\n'


def make_project(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of locales/ plus a tiny code base; every registered locale fully translated."""
    locales_dir = tmp_path / "locales"
    shutil.copytree(
        LOCALES_DIR,
        locales_dir,
        ignore=shutil.ignore_patterns("*.py", "__pycache__", "LC_MESSAGES"),
    )
    root = tmp_path / "project"
    (root / "app").mkdir(parents=True)
    (root / "templates").mkdir()
    (root / "babel.cfg").write_text(BABEL_CFG)
    (root / "app" / "strings.py").write_text(APP_SOURCE)
    (root / "templates" / "page.html").write_text(PAGE)
    tooling.extract(locales_dir, root)
    for code in tooling.registry_entries(locales_dir):
        catalog = tooling.read_catalog(tooling.template_path(locales_dir), code)
        catalog.fuzzy = False
        tooling.write_catalog(tooling.catalog_path(locales_dir, code), catalog)
        if code != "en":
            translate(locales_dir, code)
    tooling.compile_catalogs(locales_dir)
    return locales_dir, root


def translated_text(code: str, msgid: str) -> str:
    """A stand-in translation that keeps every placeholder: 'fr: Hello, %(name)s!'."""
    return f"{code}: {msgid}"


def translate(locales_dir: Path, code: str, skip: tuple[str, ...] = ()) -> None:
    """Fill in every msgstr of a catalog (`skip` ones left empty), as a translator's editor would."""
    path = tooling.catalog_path(locales_dir, code)
    catalog = tooling.read_catalog(path, code)
    for message in catalog:
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        if not message.id:
            continue
        if msgid in skip:
            message.string = ("",) * catalog.num_plurals if message.pluralizable else ""
        elif message.pluralizable:
            message.string = tuple(
                translated_text(code, message.id[1]) for _ in range(catalog.num_plurals)
            )
        else:
            message.string = translated_text(code, message.id)
        message.flags.discard("fuzzy")
    tooling.write_catalog(path, catalog)


def status_of(report: tooling.CheckReport, code: str) -> tooling.LocaleStatus:
    return next(s for s in report.locales if s.code == code)


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    return make_project(tmp_path)


def test_a_complete_project_passes_check(project):
    locales_dir, root = project
    report = tooling.check(locales_dir, root)
    assert report.general == []
    assert report.ok, [(s.code, s.blocking) for s in report.locales]
    assert {s.code for s in report.locales} >= {"en", "ru", "es", "pt", "de", "ar"}
    assert all(s.coverage == 100.0 for s in report.locales)


def test_extract_is_deterministic_and_keeps_its_date_when_strings_do_not_change(project):
    locales_dir, root = project
    pot = tooling.template_path(locales_dir)
    before = pot.read_bytes()
    # Moving code around changes line numbers but not the strings.
    (root / "app" / "strings.py").write_text("\n\n" + APP_SOURCE)
    _path, changed = tooling.extract(locales_dir, root)
    assert not changed
    assert pot.read_bytes() == before
    assert b"Clothing" in before and b"Today's deals" in before  # N_ and Jinja templates
    assert b'msgctxt "menu"' in before


def test_add_writes_cldr_plural_forms_and_registers_the_locale_disabled(tmp_path):
    locales_dir = tmp_path / "locales"
    locales_dir.mkdir()
    (locales_dir / "locales.toml").write_text(
        '# keep me\n[locales.en]\nname = "English"\nfallback = []\nenabled = true\n'
    )
    shutil.copy(LOCALES_DIR / "messages.pot", locales_dir / "messages.pot")
    for code, nplurals in (("ar", 6), ("ru", 3), ("fr", 3), ("de", 2)):
        path = tooling.add_locale(locales_dir, code)
        text = path.read_text(encoding="utf-8")
        assert f"Plural-Forms: nplurals={nplurals};" in text
        assert tooling.read_catalog(path, code).num_plurals == nplurals
    entries = tooling.registry_entries(locales_dir)
    assert entries["ar"] == {
        "name": "العربية",
        "direction": "rtl",
        "fallback": ["en"],
        "enabled": False,
    }
    assert entries["fr"]["name"] == "Français"
    assert (locales_dir / "locales.toml").read_text().startswith("# keep me\n")


def test_add_refuses_unknown_and_existing_locales(project):
    locales_dir, _root = project
    for code in ("xx", "klingon", "fr_ZZ"):
        with pytest.raises(tooling.LocaleToolError, match="not a locale CLDR knows"):
            tooling.add_locale(locales_dir, code)
    with pytest.raises(tooling.LocaleToolError, match="already exists"):
        tooling.add_locale(locales_dir, "ru")
    with pytest.raises(tooling.LocaleToolError, match="fallback zz"):
        tooling.add_locale(locales_dir, "fr", fallback=["zz"])
    assert "fr" not in tooling.registry_entries(locales_dir)


def test_new_locale_goes_live_only_when_fully_translated(project):
    locales_dir, root = project
    tooling.add_locale(locales_dir, "fr")
    # Disabled and untranslated: check reports 0 % but does not fail.
    report = tooling.check(locales_dir, root)
    assert report.ok
    assert status_of(report, "fr").coverage == 0.0
    with pytest.raises(tooling.LocaleNotReady) as refused:
        tooling.enable_locale(locales_dir, "fr")
    assert any('"Hello, %(name)s!"' in reason for reason in refused.value.reasons)

    translate(locales_dir, "fr")
    tooling.compile_catalogs(locales_dir)
    tooling.enable_locale(locales_dir, "fr")

    registry = load_registry(locales_dir)
    assert "fr" in registry.enabled_locales
    assert tooling.check(locales_dir, root).ok
    fr = chained_translations("fr", locales_dir, registry)
    assert fr.gettext("Search") == "fr: Search"
    assert (
        fr.ngettext("%(count)s product", "%(count)s products", 5) % {"count": 5} == "fr: 5 products"
    )
    assert fr.pgettext("menu", "Deals") == "fr: Deals"
    # The registry file keeps its comments.
    assert (locales_dir / "locales.toml").read_text().startswith("# The storefront's locales.")


def test_a_string_missing_in_pt_br_falls_back_to_pt_then_english(project):
    locales_dir, _root = project
    tooling.add_locale(locales_dir, "pt_BR")
    assert tooling.registry_entries(locales_dir)["pt_BR"]["fallback"] == ["pt", "en"]
    translate(locales_dir, "pt", skip=("Clothing",))  # pt lacks one more string
    translate(locales_dir, "pt_BR", skip=("Search", "Clothing"))
    tooling.compile_catalogs(locales_dir)
    tooling.mo_path(locales_dir, "pt_BR").unlink()  # a catalog never compiled still translates

    registry = load_registry(locales_dir)
    assert registry.locale_info("pt_BR").chain == ("pt_BR", "pt", "en")
    t = chained_translations("pt_BR", locales_dir, registry)
    assert t.gettext("Hello, %(name)s!") == "pt_BR: Hello, %(name)s!"
    assert t.gettext("Search") == "pt: Search"
    assert t.gettext("Clothing") == "Clothing"  # English, never a blank or a key

    status = next(s for s in tooling.locale_statuses(locales_dir) if s.code == "pt_BR")
    assert status.translated == status.total - 2
    assert status.untranslated == ['"Clothing"']  # "Search" is covered by pt


def test_half_translated_plural_falls_back_instead_of_showing_english(project):
    locales_dir, _root = project
    path = tooling.catalog_path(locales_dir, "ru")
    catalog = tooling.read_catalog(path, "ru")
    catalog.get(("%(count)s product", "%(count)s products")).string = (
        "ru: %(count)s товар",
        "",
        "",
    )
    tooling.write_catalog(path, catalog)
    tooling.compile_catalogs(locales_dir)
    t = chained_translations("ru", locales_dir, load_registry(locales_dir))
    assert t.ngettext("%(count)s product", "%(count)s products", 1) == "%(count)s product"


def test_update_adds_new_strings_untranslated_and_obsoletes_removed_ones(project):
    locales_dir, root = project
    source = root / "app" / "strings.py"
    source.write_text(source.read_text().replace('gettext("Search")', 'gettext("Find")'))
    tooling.extract(locales_dir, root)
    result = tooling.update(locales_dir)
    assert result["ru"] == (1, 1)
    catalog = tooling.read_catalog(tooling.catalog_path(locales_dir, "ru"), "ru")
    assert catalog.get("Find") is not None and not tooling.is_translated(catalog.get("Find"))
    assert "Search" in catalog.obsolete
    assert '#~ msgid "Search"' in tooling.catalog_path(locales_dir, "ru").read_text()


def test_registry_validation_names_every_contradiction(tmp_path):
    locales_dir = tmp_path / "locales"
    shutil.copytree(
        LOCALES_DIR,
        locales_dir,
        ignore=shutil.ignore_patterns("*.py", "__pycache__", "LC_MESSAGES"),
    )
    with open(locales_dir / "locales.toml", "a") as f:
        f.write('\n[locales.it]\nname = "Italiano"\nfallback = ["xx"]\nenabled = false\n')
    tooling.set_enabled(locales_dir, "de", False)
    rates = (locales_dir / "rates.toml").read_text().replace("KZT = 505.0\n", "")
    (locales_dir / "rates.toml").write_text(rates)
    with pytest.raises(RegistryError) as error:
        load_registry(locales_dir)
    message = str(error.value)
    assert "locale it: fallback 'xx' is not a locale" in message
    assert "country DE: locale 'de' is disabled" in message
    assert "country AT: locale 'de' is disabled" in message
    assert "country KZ: no exchange rate for KZT" in message


def test_disable_refuses_a_locale_a_country_needs(project):
    locales_dir, _root = project
    with pytest.raises(tooling.LocaleToolError, match="SA"):
        tooling.disable_locale(locales_dir, "ar")
    tooling.add_locale(locales_dir, "fr")
    translate(locales_dir, "fr")
    tooling.compile_catalogs(locales_dir)
    tooling.enable_locale(locales_dir, "fr")
    tooling.disable_locale(locales_dir, "fr")
    with open(locales_dir / "locales.toml", "rb") as f:
        assert tomllib.load(f)["locales"]["fr"]["enabled"] is False


def test_placeholder_checks(project):
    locales_dir, root = project
    path = tooling.catalog_path(locales_dir, "ar")
    catalog = tooling.read_catalog(path, "ar")
    catalog.get("Hello, %(name)s!").string = "مرحبا %(nom)s"
    catalog.get("Ships from {origin}").string = "يشحن من"
    forms = ["لا منتجات", "منتج واحد", "منتجان", "%(count)s منتجات", "%(count)s منتجا", "منتج"]
    catalog.get(("%(count)s product", "%(count)s products")).string = tuple(forms)
    tooling.write_catalog(path, catalog)
    tooling.compile_catalogs(locales_dir)
    errors = status_of(tooling.check(locales_dir, root), "ar").errors
    assert any('"Hello, %(name)s!"' in e and "nom" in e for e in errors)
    assert any('"Ships from {origin}"' in e and "{origin} is missing" in e for e in errors)
    # Arabic forms 0, 1 and 2 stand for one number each and may spell it out;
    # form 5 (100, 101, ...) must show the count.
    plural_errors = [e for e in errors if "%(count)s product" in e]
    assert plural_errors == ['"%(count)s product": placeholder %(count)s is missing']


def test_enabling_edits_one_value_and_keeps_the_rest_of_the_file(tmp_path):
    registry_file = tmp_path / "locales.toml"
    original = (
        "# Locales. Keep this comment.\n\n"
        '[locales.en]\nname = "English"  # the source language\nenabled = true\n\n'
        '[locales.pt_BR]\nname = "Português (Brasil)"\nfallback = [\n  "pt",\n]\n\n'
        '[locales.pt]\nname = "Português"\nenabled = false  # until reviewed\n'
    )
    registry_file.write_text(original)
    tooling.set_enabled(tmp_path, "pt_BR", True)  # no `enabled` line yet: one is added
    tooling.set_enabled(tmp_path, "pt", True)
    text = registry_file.read_text()
    assert text.startswith("# Locales. Keep this comment.\n")
    assert "enabled = true  # until reviewed" in text
    entries = tooling.registry_entries(tmp_path)
    assert entries["pt_BR"] == {"name": "Português (Brasil)", "fallback": ["pt"], "enabled": True}
    assert entries["en"]["enabled"] is True
    with pytest.raises(tooling.LocaleToolError, match="not in locales.toml"):
        tooling.set_enabled(tmp_path, "fr", True)
