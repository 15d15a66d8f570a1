"""The translators' workflow as plain functions, built on Babel's message APIs.

`vitrina locales ...` (vitrina/commands/locales.py) is a thin shell over these.
Every function takes the locales directory (and, for extraction, the project
root holding babel.cfg), so tests work on copies in a temporary directory.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog

from .catalogs import (
    DOMAIN,
    PROJECT_ROOT,
    SOURCE_LANGUAGE,
    LocaleToolError,
    catalog_codes,
    catalog_path,
    compile_bytes,
    describe,
    extract_messages,
    is_translated,
    message_keys,
    mo_path,
    read_catalog,
    registry_entries,
    template_path,
    write_catalog,
)
from .checks import CheckReport, LocaleStatus, check, locale_statuses, placeholder_errors
from .registry import LOCALES_DIR

__all__ = [  # the workflow, and the catalog and check helpers it is built from
    "DOMAIN", "LOCALES_DIR", "PROJECT_ROOT", "SOURCE_LANGUAGE", "CheckReport", "LocaleNotReady",
    "LocaleStatus", "LocaleToolError", "add_locale", "catalog_codes", "catalog_path", "check",
    "cldr_locale", "compile_bytes", "compile_catalogs", "describe", "disable_locale", "enable_locale",
    "extract", "extract_messages", "is_translated", "locale_statuses", "message_keys", "mo_path",
    "placeholder_errors", "read_catalog", "registry_entries", "set_enabled", "template_path",
    "update", "write_catalog",
]  # fmt: skip


def extract(locales_dir: Path = LOCALES_DIR, root: Path = PROJECT_ROOT) -> tuple[Path, bool]:
    """Regenerate messages.pot; its creation date only moves when the set of strings does."""
    catalog = extract_messages(root, locales_dir)
    path = template_path(locales_dir)
    if path.exists():
        previous = read_catalog(path)
        catalog.version = previous.version
        catalog.msgid_bugs_address = previous.msgid_bugs_address
        if message_keys(previous) == message_keys(catalog):
            catalog.creation_date = previous.creation_date
    return path, write_catalog(path, catalog)


def _require_template(locales_dir: Path) -> Catalog:
    path = template_path(locales_dir)
    if not path.is_file():
        raise LocaleToolError(f"{path} not found: run `vitrina locales extract` first")
    return read_catalog(path)


def update(locales_dir: Path = LOCALES_DIR) -> dict[str, tuple[int, int]]:
    """Merge the template into every catalog: new strings arrive untranslated (or fuzzy
    when similar to an old one), removed ones become obsolete. Returns code -> (added, removed)."""
    template = _require_template(locales_dir)
    result = {}
    for code in catalog_codes(locales_dir):
        path = catalog_path(locales_dir, code)
        catalog = read_catalog(path, code)
        before = message_keys(catalog)
        catalog.update(template, update_header_comment=False)
        after = message_keys(catalog)
        write_catalog(path, catalog)
        result[code] = (len(after - before), len(before - after))
    return result


def compile_catalogs(locales_dir: Path = LOCALES_DIR) -> dict[str, bool]:
    """Compile every catalog next to its .po (the .mo files are committed). code -> rewritten."""
    written = {}
    for code in catalog_codes(locales_dir):
        data = compile_bytes(read_catalog(catalog_path(locales_dir, code), code))
        target = mo_path(locales_dir, code)
        written[code] = not (target.exists() and target.read_bytes() == data)
        if written[code]:
            target.write_bytes(data)
    return written


def cldr_locale(code: str) -> Locale:
    """The CLDR locale for `code` ("pt-BR" and "pt_BR" alike); refuses unknown or guessed ones."""
    wanted = code.replace("-", "_")
    try:
        locale = Locale.parse(wanted)
    except (UnknownLocaleError, ValueError) as exc:
        raise LocaleToolError(f"{code!r} is not a locale CLDR knows ({exc})") from None
    if str(locale).lower() != wanted.lower():
        raise LocaleToolError(f"{code!r} is not a locale CLDR knows (did you mean {locale}?)")
    return locale


def add_locale(
    locales_dir: Path,
    code: str,
    name: str | None = None,
    direction: str | None = None,
    fallback: Iterable[str] | None = None,
) -> Path:
    """Start a catalog for a new locale from the template, with CLDR's plural rules,
    and register it in locales.toml disabled (it is enabled once fully translated)."""
    locale = cldr_locale(code)
    code = str(locale)
    entries = registry_entries(locales_dir)
    path = catalog_path(locales_dir, code)
    if code in entries or path.exists():
        raise LocaleToolError(f"locale {code} already exists ({path})")
    _require_template(locales_dir)
    if fallback is None:
        base = locale.language
        fallback = [base] if base != code and base in entries else []
        fallback += (
            [] if base == SOURCE_LANGUAGE or SOURCE_LANGUAGE in fallback else [SOURCE_LANGUAGE]
        )
    fallback = list(fallback)
    unknown = [f for f in fallback if f not in entries]
    if unknown:
        raise LocaleToolError(f"fallback {', '.join(unknown)} is not a locale in locales.toml")
    direction = direction or locale.text_direction
    if direction not in ("ltr", "rtl"):
        raise LocaleToolError(f"direction must be ltr or rtl, got {direction!r}")
    display = locale.get_display_name(locale) or code
    name = name or display[:1].upper() + display[1:]

    catalog = read_catalog(template_path(locales_dir), code)  # as `pybabel init` does
    catalog.revision_date = datetime.now(UTC)
    catalog.fuzzy = False
    write_catalog(path, catalog)
    mo_path(locales_dir, code).write_bytes(compile_bytes(read_catalog(path, code)))

    table = (
        f"\n[locales.{code}]\nname = {json.dumps(name, ensure_ascii=False)}\n"
        f'direction = "{direction}"\nfallback = {json.dumps(fallback)}\nenabled = false\n'
    )
    registry_file = Path(locales_dir) / "locales.toml"
    text = registry_file.read_text(encoding="utf-8")
    registry_file.write_text(text.rstrip("\n") + "\n" + table, encoding="utf-8")
    return path


def _set_enabled_text(text: str, code: str, enabled: bool) -> str:
    header = re.compile(rf'^\[\s*locales\.(?:"{re.escape(code)}"|{re.escape(code)})\s*\]\s*$', re.M)
    match = header.search(text)
    if match is None:
        raise LocaleToolError(
            f"locale {code} is not in locales.toml: add it with `vitrina locales add {code}`"
        )
    nxt = re.compile(r"^\s*\[", re.M).search(text, match.end())
    end = nxt.start() if nxt else len(text)
    section = text[match.end() : end]
    value = "true" if enabled else "false"
    line = re.compile(r"^(\s*enabled\s*=\s*)(true|false)", re.M)
    if line.search(section):
        section = line.sub(rf"\g<1>{value}", section, count=1)
    else:
        body = section.rstrip("\n")
        section = f"{body}\nenabled = {value}\n" + section[len(body) :].lstrip("\n")
    return text[: match.end()] + section + text[end:]


def set_enabled(locales_dir: Path, code: str, enabled: bool) -> None:
    """Flip `enabled` for one locale in locales.toml, leaving the rest of the text alone."""
    registry_file = Path(locales_dir) / "locales.toml"
    expected = registry_entries(locales_dir)
    expected.setdefault(code, {})["enabled"] = enabled
    text = _set_enabled_text(registry_file.read_text(encoding="utf-8"), code, enabled)
    try:
        written = tomllib.loads(text).get("locales", {})
    except tomllib.TOMLDecodeError:
        written = None
    if written != expected:  # the edit must change that one value and nothing else
        raise LocaleToolError(
            f"could not set enabled = {enabled} for {code} in {registry_file}: edit it by hand"
        )
    registry_file.write_text(text, encoding="utf-8")


class LocaleNotReady(LocaleToolError):
    """`enable` refused: `reasons` lists every string or problem in the way."""

    def __init__(self, code: str, reasons: list[str]) -> None:
        super().__init__(f"locale {code} cannot be enabled: {len(reasons)} problems")
        self.code, self.reasons = code, reasons


def _status(locales_dir: Path, code: str) -> LocaleStatus:
    for status in locale_statuses(locales_dir):
        if status.code == code:
            if not status.registered:
                break
            return status
    raise LocaleToolError(
        f"locale {code} is not in locales.toml: add it with `vitrina locales add {code}`"
    )


def enable_locale(locales_dir: Path, code: str) -> None:
    """Put a locale live, only when it is fully translated and passes every check."""
    status = _status(locales_dir, code)
    reasons = list(status.errors)
    reasons += [f"untranslated: {msgid}" for msgid in status.untranslated]
    reasons += [
        f"fuzzy (review it, then remove the fuzzy flag): {msgid}" for msgid in status.fuzzy_ids
    ]
    if reasons:
        raise LocaleNotReady(code, reasons)
    set_enabled(locales_dir, code, True)


def disable_locale(locales_dir: Path, code: str) -> None:
    """Take a locale off the storefront, unless English or a country's default needs it."""
    _status(locales_dir, code)
    if code == SOURCE_LANGUAGE:
        raise LocaleToolError(
            f"{code} is the source language every chain ends in; it stays enabled"
        )
    with open(Path(locales_dir) / "countries.toml", "rb") as f:
        countries = tomllib.load(f).get("countries", {})
    users = sorted(cc for cc, entry in countries.items() if entry.get("locale") == code)
    if users:
        raise LocaleToolError(
            f"countries {', '.join(users)} default to {code}: point them at another locale in countries.toml first"
        )
    set_enabled(locales_dir, code, False)
