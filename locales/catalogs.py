"""Reading and writing the message catalogs with Babel: paths, PO/POT/MO files, extraction.

The low layer under `locales.tooling` (the workflow) and `locales.checks`.
"""

from __future__ import annotations

import copy
import json
import tomllib
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import PoFileParser, write_po

from .registry import LOCALES_DIR, registry_messages

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


def template_path(locales_dir: Path) -> Path:
    return Path(locales_dir) / f"{DOMAIN}.pot"


def catalog_path(locales_dir: Path, code: str) -> Path:
    return Path(locales_dir) / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(locales_dir: Path, code: str) -> Path:
    return catalog_path(locales_dir, code).with_suffix(".mo")


def catalog_codes(locales_dir: Path) -> list[str]:
    """Codes of the locales that have a catalog on disk, sorted."""
    return sorted(p.parts[-3] for p in Path(locales_dir).glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


class RecordingParser(PoFileParser):
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


def parse_catalog(path: Path, locale: str | None) -> tuple[Catalog, RecordingParser]:
    """A catalog and what its parser noticed (real plural-form counts, syntax warnings)."""
    catalog = Catalog(locale=locale, domain=DOMAIN)
    parser = RecordingParser(catalog)
    try:
        with open(path, "rb") as f:
            parser.parse(f)
    except (OSError, ValueError) as exc:
        raise LocaleToolError(f"{path}: cannot read: {exc}") from None
    return catalog, parser


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    """A PO/POT file as a Babel Catalog (`locale` None for the template)."""
    return parse_catalog(Path(path), locale)[0]


def write_catalog(path: Path, catalog: Catalog) -> bool:
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


def is_translated(message: Message) -> bool:
    """Usable at run time: not fuzzy, and every plural form filled in."""
    strings = [message.string] if isinstance(message.string, str) else list(message.string or ())
    return not message.fuzzy and all(strings)


def registry_entries(locales_dir: Path) -> dict[str, dict]:
    """The `[locales.*]` tables of locales.toml, as written."""
    path = Path(locales_dir) / "locales.toml"
    try:
        with open(path, "rb") as f:
            return tomllib.load(f).get("locales", {})
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise LocaleToolError(f"{path}: cannot read: {exc}") from None


def extract_messages(root: Path = PROJECT_ROOT, locales_dir: Path | None = None) -> Catalog:
    """The strings of the code and templates that babel.cfg maps, as an in-memory template,
    plus the registry's labels (payment methods, ...) of `locales_dir` when given."""
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
    if locales_dir is not None:
        for text, comment, filename in registry_messages(Path(locales_dir)):
            known = catalog.get(text)
            comments = [*known.auto_comments, comment] if known is not None else [comment]
            locations = [*known.locations, (filename, 0)] if known is not None else [(filename, 0)]
            catalog.add(text, None, locations, auto_comments=comments)
    return catalog


def compile_bytes(catalog: Catalog) -> bytes:
    """The .mo for a catalog. Fuzzy entries and half-translated plurals are left out,
    so at run time they fall back along the locale chain instead of showing English."""
    catalog = copy.deepcopy(catalog)
    for message in list(catalog):
        if message.id and message.pluralizable and not all(message.string or ("",)):
            catalog.delete(message.id, context=message.context)
    buf = BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def mo_content(data: bytes) -> tuple[str, dict]:
    mo = read_mo(BytesIO(data))
    return mo.plural_forms, {message_key(m): m.string for m in mo if m.id}
