"""The translators' workflow as plain functions, built on Babel's message APIs.

`vitrina locales ...` (vitrina/commands/locales.py) is a thin shell over these.
Every function takes the locales directory (and, for extraction, the project
root holding babel.cfg), so tests work on copies in a temporary directory.
"""

from __future__ import annotations

import copy
import gettext as stdlib_gettext
import json
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from string import Formatter

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import PoFileParser, write_po

from .registry import LOCALES_DIR, RegistryError, load_registry, resolve_fallbacks

PROJECT_ROOT = LOCALES_DIR.parent
PROJECT = "Vitrina"
DOMAIN = "messages"
# Message ids are English text, so English needs no translation to be complete.
SOURCE_LANGUAGE = "en"
KEYWORDS = {
    **DEFAULT_KEYWORDS,  # _, gettext, ngettext, pgettext, npgettext, N_, ...
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
    "_l": None,
}
TEMPLATE_HEADER = (
    "# Vitrina storefront strings, the template every catalog is updated from.\n"
    "# Written by `vitrina locales extract`: do not edit by hand."
)

Key = tuple[str | None, str | tuple[str, ...]]


class LocaleToolError(Exception):
    """A workflow step cannot go ahead; the message says why and what to do."""


# -- files -------------------------------------------------------------------


def template_path(locales_dir: Path) -> Path:
    return Path(locales_dir) / f"{DOMAIN}.pot"


def catalog_path(locales_dir: Path, code: str) -> Path:
    return Path(locales_dir) / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def catalog_codes(locales_dir: Path) -> list[str]:
    """Codes of the locales that have a catalog on disk, sorted."""
    return sorted(p.parts[-3] for p in Path(locales_dir).glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


class _RecordingParser(PoFileParser):
    """Babel's PO parser, also noting how many msgstr[n] each plural entry really has
    (Babel pads them to nplurals) and collecting syntax warnings instead of printing them."""

    def __init__(self, catalog: Catalog) -> None:
        super().__init__(catalog, ignore_obsolete=False, abort_invalid=False)
        self.plural_counts: dict[Key, int] = {}
        self.warnings: list[str] = []

    def _add_message(self) -> None:
        if len(self.messages) > 1 and not self.obsolete:
            msgid = tuple(m.denormalize() for m in self.messages)
            context = self.context.denormalize() if self.context else None
            self.plural_counts[(context, msgid)] = len(self.translations)
        super()._add_message()

    def _invalid_pofile(self, line, lineno, msg) -> None:
        self.warnings.append(f"line {lineno + 1}: {msg}")


def _parse(path: Path, locale: str | None) -> tuple[Catalog, _RecordingParser]:
    catalog = Catalog(locale=locale, domain=DOMAIN)
    parser = _RecordingParser(catalog)
    try:
        with open(path, "rb") as f:
            parser.parse(f)
    except (OSError, ValueError) as exc:
        raise LocaleToolError(f"{path}: cannot read: {exc}") from None
    return catalog, parser


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    """A PO/POT file as a Babel Catalog (`locale` None for the template)."""
    return _parse(Path(path), locale)[0]


def write_catalog(path: Path, catalog: Catalog, template: bool = False) -> bool:
    """Write a PO/POT file without line numbers (they churn on every edit); True if it changed."""
    buf = BytesIO()
    write_po(buf, catalog, width=76, include_lineno=False, omit_header=False)
    data = buf.getvalue()
    path = Path(path)
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def message_key(message: Message) -> Key:
    msgid = message.id if isinstance(message.id, str) else tuple(message.id)
    return (message.context, msgid)


def message_keys(catalog: Catalog) -> set[Key]:
    """The message ids (with plural ids and contexts) a catalog holds, header excluded."""
    return {message_key(m) for m in catalog if m.id}


def describe(key: Key) -> str:
    context, msgid = key
    text = msgid if isinstance(msgid, str) else msgid[0]
    text = text if len(text) <= 60 else text[:57] + "..."
    return json.dumps(text, ensure_ascii=False) + (f" (context {context!r})" if context else "")


# -- extract / update / compile ------------------------------------------------


def extract_messages(root: Path = PROJECT_ROOT) -> Catalog:
    """The strings of the code and templates that babel.cfg maps, as an in-memory template."""
    mapping_file = Path(root) / "babel.cfg"
    if not mapping_file.is_file():
        raise LocaleToolError(f"{mapping_file} not found: it maps source files to extractors")
    with open(mapping_file, encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, str(mapping_file))
    catalog = Catalog(project=PROJECT, header_comment=TEMPLATE_HEADER, fuzzy=False, domain=DOMAIN)
    found = extract_from_dir(
        str(root), method_map, options_map, keywords=KEYWORDS,
        comment_tags=("TRANSLATORS:",), strip_comment_tags=True,
    )  # fmt: skip
    for filename, lineno, message, comments, context in found:
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def extract(locales_dir: Path = LOCALES_DIR, root: Path = PROJECT_ROOT) -> tuple[Path, bool]:
    """Regenerate messages.pot; its creation date only moves when the set of strings does."""
    catalog = extract_messages(root)
    path = template_path(locales_dir)
    if path.exists():
        previous = read_catalog(path)
        catalog.version = previous.version
        catalog.msgid_bugs_address = previous.msgid_bugs_address
        if message_keys(previous) == message_keys(catalog):
            catalog.creation_date = previous.creation_date
    return path, write_catalog(path, catalog, template=True)


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


def compile_bytes(catalog: Catalog) -> bytes:
    """The .mo for a catalog. Fuzzy entries and half-translated plurals are left out,
    so at run time they fall back along the locale chain instead of showing English."""
    catalog = copy.deepcopy(catalog)
    for message in list(catalog):
        if message.id and message.pluralizable and not all(message.string):
            catalog.delete(message.id, context=message.context)
    buf = BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def mo_path(locales_dir: Path, code: str) -> Path:
    return catalog_path(locales_dir, code).with_suffix(".mo")


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


def _mo_content(data: bytes) -> tuple[str, dict]:
    mo = read_mo(BytesIO(data))
    return mo.plural_forms, {message_key(m): m.string for m in mo if m.id}


# -- the registry file (locales.toml), edited as text to keep its comments --------


def registry_entries(locales_dir: Path) -> dict[str, dict]:
    with open(Path(locales_dir) / "locales.toml", "rb") as f:
        return tomllib.load(f).get("locales", {})


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
        fallback += [] if base == SOURCE_LANGUAGE or SOURCE_LANGUAGE in fallback else [SOURCE_LANGUAGE]
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
        raise LocaleToolError(f"locale {code} is not in locales.toml: add it with `vitrina locales add {code}`")
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
    text = _set_enabled_text(registry_file.read_text(encoding="utf-8"), code, enabled)
    parsed = tomllib.loads(text).get("locales", {}).get(code, {})
    if parsed.get("enabled") is not enabled:  # never write a file we cannot read back
        raise LocaleToolError(f"could not set enabled = {enabled} for {code} in {registry_file}")
    registry_file.write_text(text, encoding="utf-8")


# -- checks --------------------------------------------------------------------


def _named_placeholders(text: str, brace: bool) -> set[str]:
    if not brace:
        from babel.messages.catalog import PYTHON_FORMAT

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
    strings = (message.string,) if isinstance(message.string, str) else tuple(message.string)
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
                errors.extend(f"unknown placeholder {wrap % name}" for name in sorted(have - expected))
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
            gaps.append(f"{len(self.untranslated)} untranslated: " + ", ".join(self.untranslated[:5]))
        if self.enabled and self.fuzzy_ids:
            gaps.append(f"{len(self.fuzzy_ids)} fuzzy: " + ", ".join(self.fuzzy_ids[:5]))
        return self.errors + gaps


def is_translated(message: Message) -> bool:
    """Usable at run time: not fuzzy, and every plural form filled in."""
    strings = [message.string] if isinstance(message.string, str) else list(message.string)
    return not message.fuzzy and all(strings)


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
            catalogs[code] = _parse(path, code)
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
    status: LocaleStatus, catalog: Catalog, parser: _RecordingParser, template: Catalog | None, mo_file: Path
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
            status.errors.append(f"{describe(key)}: {count} plural forms, needs {catalog.num_plurals}")
    if template is not None:
        missing = message_keys(template) - message_keys(catalog)
        extra = message_keys(catalog) - message_keys(template)
        for label, keys in (("missing", missing), ("no longer in the template", extra)):
            if keys:
                sample = ", ".join(describe(k) for k in sorted(keys, key=str)[:5])
                status.errors.append(f"out of date, {len(keys)} {label}: {sample} (run `vitrina locales update`)")
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
    elif _mo_content(mo_file.read_bytes()) != _mo_content(compile_bytes(catalog)):
        status.errors.append(f"{mo_file.name} differs from {DOMAIN}.po (run `vitrina locales compile`)")


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
        code_keys = message_keys(extract_messages(root))
        if not template_file.is_file():
            general.append(f"{template_file} is missing (run `vitrina locales extract`)")
        else:
            pot_keys = message_keys(read_catalog(template_file))
            new, gone = code_keys - pot_keys, pot_keys - code_keys
            if new or gone:
                sample = ", ".join(describe(k) for k in sorted(new | gone, key=str)[:5])
                general.append(
                    f"template is stale: {len(new)} new and {len(gone)} removed strings in the code"
                    f" ({sample}); run `vitrina locales extract` then `update`"
                )
    except LocaleToolError as exc:
        general.append(str(exc))
    return CheckReport(general, locale_statuses(locales_dir))


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
    raise LocaleToolError(f"locale {code} is not in locales.toml: add it with `vitrina locales add {code}`")


def enable_locale(locales_dir: Path, code: str) -> None:
    """Put a locale live, only when it is fully translated and passes every check."""
    status = _status(locales_dir, code)
    reasons = list(status.errors)
    reasons += [f"untranslated: {msgid}" for msgid in status.untranslated]
    reasons += [f"fuzzy (review it, then remove the fuzzy flag): {msgid}" for msgid in status.fuzzy_ids]
    if reasons:
        raise LocaleNotReady(code, reasons)
    set_enabled(locales_dir, code, True)


def disable_locale(locales_dir: Path, code: str) -> None:
    """Take a locale off the storefront, unless English or a country's default needs it."""
    _status(locales_dir, code)
    if code == SOURCE_LANGUAGE:
        raise LocaleToolError(f"{code} is the source language every chain ends in; it stays enabled")
    with open(Path(locales_dir) / "countries.toml", "rb") as f:
        countries = tomllib.load(f).get("countries", {})
    users = sorted(cc for cc, entry in countries.items() if entry.get("locale") == code)
    if users:
        raise LocaleToolError(
            f"countries {', '.join(users)} default to {code}: point them at another locale in countries.toml first"
        )
    set_enabled(locales_dir, code, False)
