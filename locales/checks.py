"""`vitrina locales check`: everything that would ship a stale, broken or half-translated storefront.

Coverage counts what a shopper sees in the locale's language: its own
translations plus those of fallbacks before English (pt_BR borrows from pt).
"""

from __future__ import annotations

import gettext as stdlib_gettext
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from string import Formatter

from babel.messages.catalog import PYTHON_FORMAT, Catalog, Message
from babel.messages.plurals import get_plural

from .catalogs import (
    DOMAIN,
    PROJECT_ROOT,
    SOURCE_LANGUAGE,
    Key,
    LocaleToolError,
    RecordingParser,
    catalog_codes,
    catalog_path,
    compile_bytes,
    describe,
    extract_messages,
    is_translated,
    message_key,
    message_keys,
    mo_content,
    mo_path,
    parse_catalog,
    read_catalog,
    registry_entries,
    template_path,
)
from .registry import LOCALES_DIR, RegistryError, load_registry, resolve_fallbacks


def _named_placeholders(text: str, brace: bool) -> set[str]:
    if not brace:
        return {m.group(1) for m in PYTHON_FORMAT.finditer(text) if m.group(1)}
    names = set()
    for _literal, name, _spec, _conv in Formatter().parse(text):
        if name is not None:
            names.add(re.split(r"[.\[]", name, maxsplit=1)[0])
    return names


def _single_number_forms(catalog: Catalog) -> set[int]:
    """Plural forms that only ever stand for one number (Arabic's 0, 1 and 2):
    those may spell the number out instead of using the placeholder."""
    try:
        plural = stdlib_gettext.c2py(catalog.plural_expr)
    except (ValueError, SyntaxError):
        return set()
    counts: dict[int, int] = {}
    for n in range(1000):
        counts[plural(n)] = counts.get(plural(n), 0) + 1
    return {form for form, count in counts.items() if count == 1}


def placeholder_errors(catalog: Catalog, message: Message) -> list[str]:
    """Placeholders a translation drops, renames or breaks (%(name)s and {name} alike)."""
    errors = [str(e) for e in message.check(catalog)]  # Babel's checkers: %-format kinds and types
    ids = (message.id,) if isinstance(message.id, str) else tuple(message.id)
    strings = (message.string,) if isinstance(message.string, str) else tuple(message.string or ())
    single = _single_number_forms(catalog) if message.pluralizable else set()
    for brace, flag in ((False, "python-format"), (True, "python-brace-format")):
        if flag not in message.flags:
            continue
        for form, text in enumerate(strings):
            if not text:
                continue
            source = ids[min(form, len(ids) - 1)] if message.pluralizable else ids[0]
            try:
                have = _named_placeholders(text, brace)
            except ValueError as exc:
                errors.append(f"form {form}: broken braces ({exc})")
                continue
            expected = _named_placeholders(source, brace)
            if message.pluralizable:
                expected |= _named_placeholders(ids[-1], brace)
            wrap = "{%s}" if brace else "%%(%s)s"
            if brace:  # Babel's python_format checker already reports unknown %(name)s
                errors.extend(
                    f"unknown placeholder {wrap % name}" for name in sorted(have - expected)
                )
            if form not in single:
                for name in sorted(expected - have):
                    errors.append(f"placeholder {wrap % name} is missing")
    return errors


@dataclass
class LocaleStatus:
    """One locale's standing: coverage for `list`, problems for `check` and `enable`."""

    code: str
    name: str = ""
    direction: str = "ltr"
    enabled: bool = False
    registered: bool = True
    total: int = 0
    translated: int = 0
    fuzzy: int = 0
    coverage: float = 0.0
    untranslated: list[str] = field(default_factory=list)
    fuzzy_ids: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def blocking(self) -> list[str]:
        """What stops this locale from being live: errors, plus gaps when it is enabled."""
        gaps = []
        if self.enabled and self.untranslated:
            gaps.append(
                f"{len(self.untranslated)} untranslated: " + ", ".join(self.untranslated[:5])
            )
        if self.enabled and self.fuzzy_ids:
            gaps.append(f"{len(self.fuzzy_ids)} fuzzy: " + ", ".join(self.fuzzy_ids[:5]))
        return self.errors + gaps


def _translated_keys(catalog: Catalog) -> set[Key]:
    return {message_key(m) for m in catalog if m.id and is_translated(m)}


def locale_statuses(locales_dir: Path = LOCALES_DIR) -> list[LocaleStatus]:
    """Every registered locale and every catalog on disk, with coverage and problems."""
    locales_dir = Path(locales_dir)
    entries = registry_entries(locales_dir)
    template_file = template_path(locales_dir)
    template = read_catalog(template_file) if template_file.is_file() else None
    codes = list(entries) + [c for c in catalog_codes(locales_dir) if c not in entries]
    catalogs, translated = {}, {}
    for code in codes:
        path = catalog_path(locales_dir, code)
        if path.is_file():
            catalogs[code] = parse_catalog(path, code)
            translated[code] = _translated_keys(catalogs[code][0])
    statuses = []
    for code in codes:
        entry = entries.get(code, {})
        status = LocaleStatus(
            code, name=entry.get("name", ""), direction=entry.get("direction", "ltr"),
            enabled=bool(entry.get("enabled", False)), registered=code in entries,
        )  # fmt: skip
        if not status.registered:
            status.errors.append("has a catalog but is not in locales.toml")
        if code in catalogs:
            catalog, parser = catalogs[code]
            _check_catalog(status, catalog, parser, template, mo_path(locales_dir, code))
            keys = message_keys(template) if template else message_keys(catalog)
        elif code.split("_")[0] != SOURCE_LANGUAGE:
            status.errors.append(f"no catalog at {catalog_path(locales_dir, code)}")
            keys = message_keys(template) if template else set()
        else:
            keys = message_keys(template) if template else set()
        own = translated.get(code, set()) & keys
        status.total, status.translated = len(keys), len(own)
        covered = set(own)
        if code.split("_")[0] == SOURCE_LANGUAGE:
            covered = set(keys)  # message ids are the English text
        for other in resolve_fallbacks(code, entries):
            if other.split("_")[0] == SOURCE_LANGUAGE:
                break  # English shows through: not translated into this language
            covered |= translated.get(other, set()) & keys
        status.coverage = 100.0 * len(covered) / len(keys) if keys else 100.0
        order = [message_key(m) for m in (template or catalogs.get(code, (Catalog(),))[0]) if m.id]
        status.untranslated = [describe(k) for k in order if k in keys and k not in covered]
        statuses.append(status)
    return statuses


def _check_catalog(
    status: LocaleStatus,
    catalog: Catalog,
    parser: RecordingParser,
    template: Catalog | None,
    mo_file: Path,
) -> None:
    """Fill `status` with everything wrong in one catalog (see `check`)."""
    code = status.code
    status.errors.extend(f"syntax: {w}" for w in parser.warnings)
    cldr = get_plural(code)
    if catalog.num_plurals != cldr.num_plurals:
        status.errors.append(
            f"Plural-Forms says nplurals={catalog.num_plurals}, CLDR has {cldr.num_plurals} for {code}"
        )
    for key, count in parser.plural_counts.items():
        if count != catalog.num_plurals:
            status.errors.append(
                f"{describe(key)}: {count} plural forms, needs {catalog.num_plurals}"
            )
    if template is not None:
        missing = message_keys(template) - message_keys(catalog)
        extra = message_keys(catalog) - message_keys(template)
        for label, keys in (("missing", missing), ("no longer in the template", extra)):
            if keys:
                sample = ", ".join(describe(k) for k in sorted(keys, key=str)[:5])
                status.errors.append(
                    f"out of date, {len(keys)} {label}: {sample} (run `vitrina locales update`)"
                )
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy:
            status.fuzzy += 1
            if code.split("_")[0] != SOURCE_LANGUAGE:  # English falls back to its own ids
                status.fuzzy_ids.append(describe(message_key(message)))
        for error in placeholder_errors(catalog, message):
            status.errors.append(f"{describe(message_key(message))}: {error}")
    if not mo_file.is_file():
        status.errors.append("not compiled (run `vitrina locales compile`)")
    elif mo_content(mo_file.read_bytes()) != mo_content(compile_bytes(catalog)):
        status.errors.append(
            f"{mo_file.name} differs from {DOMAIN}.po (run `vitrina locales compile`)"
        )


@dataclass
class CheckReport:
    """`vitrina locales check`: problems with the template and registry, then per locale."""

    general: list[str]
    locales: list[LocaleStatus]

    @property
    def ok(self) -> bool:
        return not self.general and not any(s.blocking for s in self.locales)


def check(locales_dir: Path = LOCALES_DIR, root: Path = PROJECT_ROOT) -> CheckReport:
    """Everything that would ship a broken or half-translated storefront.

    Fails on: a template stale against the code, a registry that contradicts
    itself, catalogs out of date with the template, broken placeholders, plural
    forms that disagree with CLDR, .mo files that differ from their .po, and
    untranslated or fuzzy strings in an enabled locale (disabled ones only report
    their coverage).
    """
    general = []
    try:
        load_registry(Path(locales_dir))
    except (RegistryError, KeyError, OSError, tomllib.TOMLDecodeError) as exc:
        general.append(f"registry: {exc}")
    template_file = template_path(locales_dir)
    try:
        code_keys = message_keys(extract_messages(root, Path(locales_dir)))
        if not template_file.is_file():
            general.append(f"{template_file} is missing (run `vitrina locales extract`)")
        else:
            pot_keys = message_keys(read_catalog(template_file))
            new, gone = code_keys - pot_keys, pot_keys - code_keys
            if new or gone:
                sample = ", ".join(describe(k) for k in sorted(new | gone, key=str)[:5])
                general.append(
                    f"template is stale: {len(new)} new and {len(gone)} removed strings in the code"
                    f" or labels.toml"
                    f" ({sample}); run `vitrina locales extract` then `update`"
                )
    except LocaleToolError as exc:
        general.append(str(exc))
    return CheckReport(general, locale_statuses(locales_dir))
