"""Synonym groups and brand aliases as merchandisers edit them, validated whole.

The same rules hold for the seed files under `data/` and for what the admin and the
API save: a synonym group is two or more distinct words (one searchable word each);
a brand alias maps one word as shoppers type it ("сяоми") to one word as the catalog
spells it ("xiaomi"). A set is checked as a whole before anything uses it: a bad
line of a file is refused with its file and line number, a bad group or alias of an
edit with its position and words, and nothing of that set is taken.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..analysis.analyzer import Analyzer
from ..analysis.text import normalize
from .expansions import (
    ABBREVIATIONS_FILE,
    COMPOUNDS_FILE,
    PRODUCT_WORDS_FILE,
    TRANSLATIONS_FILE,
    Expansions,
)

log = logging.getLogger("vitrina.search")

MAX_GROUPS = 5000
MAX_GROUP_SIZE = 30
MAX_ALIASES = 5000
MAX_WORD_LENGTH = 64


class DataError(ValueError):
    """A synonym group or brand alias that cannot be used; the message names it.

    `reason` (a code: not_word, too_long, not_searchable, one_word, twice, size, sides,
    same), `word` and `number` (the group's or alias's place, from 1) let a page say
    the same in its own language.
    """

    def __init__(self, message: str, reason: str = "", word: str = "", number: int = 0) -> None:
        super().__init__(message)
        self.reason = reason
        self.word = word
        self.number = number

    def at(self, number: int, message: str) -> DataError:
        """The same problem, placed at group or alias `number`."""
        return DataError(message, self.reason, self.word, number)


def _described(group: Sequence[Any]) -> str:
    return ", ".join(str(word) for word in group)[:200]


def validate_synonyms(groups: Any, analyzer: Analyzer) -> list[list[str]]:
    """The groups, each word normalized as search reads it; DataError names the first bad group."""
    if not isinstance(groups, list):
        raise DataError("groups must be a list of lists of words")
    if len(groups) > MAX_GROUPS:
        raise DataError(f"at most {MAX_GROUPS} groups")
    valid = []
    for number, group in enumerate(groups, 1):
        try:
            valid.append(_group(group, analyzer))
        except DataError as exc:
            shown = _described(group) if isinstance(group, list) else repr(group)
            raise exc.at(number, f"group {number} [{shown}]: {exc}") from None
    return valid


def _group(group: Any, analyzer: Analyzer) -> list[str]:
    if not isinstance(group, list):
        raise DataError("a group is a list of words")
    if not 2 <= len(group) <= MAX_GROUP_SIZE:
        raise DataError(f"a group needs 2 to {MAX_GROUP_SIZE} words", "size")
    words: list[str] = []
    for word in group:
        if not isinstance(word, str) or not word.strip():
            raise DataError(f"{word!r} is not a word", "not_word", str(word))
        if len(word) > MAX_WORD_LENGTH:
            raise DataError(
                f"{word[:20]!r}… is longer than {MAX_WORD_LENGTH} characters", "too_long", word[:20]
            )
        tokens = analyzer.analyze(word)
        if len(tokens) != 1:
            reason = "not_searchable" if not tokens else "one_word"
            problem = "is not a searchable word" if not tokens else "must be one word"
            raise DataError(f"{word.strip()!r} {problem}", reason, word.strip())
        surface = tokens[0].surface
        if surface in words:
            raise DataError(f"{word.strip()!r} appears twice", "twice", word.strip())
        words.append(surface)
    return words


def validate_aliases(aliases: Any) -> dict[str, str]:
    """`{typed word: catalog word}` normalized; DataError names the first bad alias."""
    if not isinstance(aliases, Mapping):
        raise DataError("aliases must be an object of 'typed word': 'catalog word'")
    if len(aliases) > MAX_ALIASES:
        raise DataError(f"at most {MAX_ALIASES} aliases")
    valid: dict[str, str] = {}
    for number, (source, target) in enumerate(aliases.items(), 1):
        try:
            key, value = _alias(source, target)
            if key in valid:
                raise DataError(f"{key!r} is given twice", "twice", key)
        except DataError as exc:
            shown = f"{source!s:.40} = {target!s:.40}"
            raise exc.at(number, f"alias {number} ({shown}): {exc}") from None
        valid[key] = value
    return valid


def _alias(source: Any, target: Any) -> tuple[str, str]:
    if not isinstance(source, str) or not isinstance(target, str):
        raise DataError("both sides must be words", "sides")
    key, value = normalize(source).strip(), normalize(target).strip()
    if not key or not value:
        raise DataError("both sides must be words", "sides")
    if len(key) > MAX_WORD_LENGTH or len(value) > MAX_WORD_LENGTH:
        raise DataError(f"a word is at most {MAX_WORD_LENGTH} characters", "too_long", key[:20])
    if any(len(side.split()) != 1 or not any(c.isalnum() for c in side) for side in (key, value)):
        raise DataError("each side must be one word", "sides")
    if key == value:
        raise DataError("an alias must differ from the word it stands for", "same", key)
    return key, value


def _lines(path: Path) -> list[tuple[int, str]]:
    text = path.read_text(encoding="utf-8")
    numbered = enumerate(text.splitlines(), 1)
    return [(n, stripped) for n, line in numbered if (stripped := line.split("#", 1)[0].strip())]


def read_synonyms_file(path: Path, analyzer: Analyzer) -> list[list[str]]:
    """Comma-separated groups, one per line ('#' starts a comment); a bad line raises
    DataError with its file and line number."""
    groups = []
    for number, line in _lines(path):
        try:
            groups.append(_group([w.strip() for w in line.split(",")], analyzer))
        except DataError as exc:
            raise DataError(f"{path}:{number}: {exc}") from None
    return groups


def read_aliases_file(path: Path) -> dict[str, str]:
    """`typed = catalog` lines ('#' starts a comment); a bad line raises DataError with
    its file and line number."""
    aliases: dict[str, str] = {}
    for number, line in _lines(path):
        source, sep, target = line.partition("=")
        try:
            if not sep:
                raise DataError(f"expected 'word = catalogword', got {line!r}")
            key, value = _alias(source, target)
        except DataError as exc:
            raise DataError(f"{path}:{number}: {exc}") from None
        aliases[key] = value
    return aliases


def checked_expansions(analyzer: Analyzer) -> Expansions:
    """Abbreviations, compounds and translations from their files; a file with a bad line
    is refused (logged with its file and line number) and search goes on without it,
    never failing for it."""
    files = {
        "abbreviations": ABBREVIATIONS_FILE,
        "compounds": COMPOUNDS_FILE,
        "translations": TRANSLATIONS_FILE,
        "product_words": PRODUCT_WORDS_FILE,
    }
    empty = Path(os.devnull)
    while True:
        try:
            return Expansions(analyzer, **files)
        except (ValueError, OSError) as exc:
            kept = {name: path for name, path in files.items() if path != empty}
            broken = [name for name, path in kept.items() if str(path) in str(exc)] or list(kept)
            log.error("%s; search goes on without %s", exc, ", ".join(broken))
            for name in broken:
                files[name] = empty
