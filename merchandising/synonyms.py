"""Synonym groups and brand aliases, edited by merchandisers and stored in the database.

Each set is validated whole before it is saved (search/understanding/editable.py): a
bad group or alias is refused with its position and words, and nothing changes.
Until the first save the seed files under search/understanding/data/ are the current
sets. A save writes the audit log (before and after) and bumps the set's version in
the same transaction; every serving process reloads it on its next search
(search/tuning.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from search.analysis.analyzer import Analyzer
from search.tuning import BRAND_ALIASES, SYNONYMS
from search.understanding.editable import (
    DataError,
    read_aliases_file,
    read_synonyms_file,
    validate_aliases,
    validate_synonyms,
)
from search.understanding.synonyms import SYNONYMS_FILE
from search.understanding.translit import ALIASES_FILE
from storage import Database
from storage.schema import understanding_data
from storage.upsert import upsert
from storage.versions import bump

from . import audit


class Wording:
    """The synonym groups and brand aliases search uses, as merchandisers edit them."""

    def __init__(
        self,
        database: Database,
        analyzer: Analyzer,
        *,
        synonyms_file: Path = SYNONYMS_FILE,
        aliases_file: Path = ALIASES_FILE,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self.database = database
        self.analyzer = analyzer
        self.synonyms_file = synonyms_file
        self.aliases_file = aliases_file
        self.on_change = on_change

    # -- reading ------------------------------------------------------------------

    def synonyms(self) -> list[list[str]]:
        """The groups in force: as saved, or the seed file's until the first save."""
        with self.database.connect() as conn:
            stored = self._stored(conn, SYNONYMS)
        if stored is not None:
            return [list(group) for group in stored.get("groups", [])]
        try:
            return (
                read_synonyms_file(self.synonyms_file, self.analyzer)
                if self.synonyms_file.exists()
                else []
            )
        except DataError:
            return []  # search refuses the broken seed too; the first save replaces it

    def aliases(self) -> dict[str, str]:
        with self.database.connect() as conn:
            stored = self._stored(conn, BRAND_ALIASES)
        if stored is not None:
            return dict(stored.get("aliases", {}))
        try:
            return read_aliases_file(self.aliases_file) if self.aliases_file.exists() else {}
        except DataError:
            return {}

    # -- saving -------------------------------------------------------------------

    def save_synonyms(self, groups: Any, *, user: str) -> list[list[str]]:
        """Replace every group (DataError, and nothing changes, if any group is bad)."""
        valid = validate_synonyms(groups, self.analyzer)
        before = self.synonyms()
        self._save(SYNONYMS, {"groups": valid}, user, "synonyms.save", before, valid)
        return valid

    def add_synonym(self, word: str, synonym: str, *, user: str) -> list[list[str]]:
        """Make `synonym` mean `word`: join the group `word` is in, or start one."""
        groups = self.synonyms()
        probe = validate_synonyms([[word, synonym]], self.analyzer)[0]
        for group in groups:
            if probe[0] in group:
                if probe[1] not in group:
                    group.append(probe[1])
                break
        else:
            groups.append(probe)
        return self.save_synonyms(groups, user=user)

    def save_aliases(self, aliases: Any, *, user: str) -> dict[str, str]:
        """Replace every brand alias (DataError, and nothing changes, if any is bad)."""
        valid = validate_aliases(aliases)
        before = self.aliases()
        self._save(BRAND_ALIASES, {"aliases": valid}, user, "brand_aliases.save", before, valid)
        return valid

    def _save(self, kind: str, body: dict, user: str, action: str, before: Any, after: Any) -> None:
        with self.database.begin() as conn:
            upsert(
                conn,
                understanding_data,
                {"kind": kind},
                {"body": body, "updated_by": user, "updated_at": int(time.time())},
            )
            audit.record(conn, user, action, before=before, after=after)
            bump(conn, kind)
        if self.on_change is not None:
            self.on_change()

    @staticmethod
    def _stored(conn: Connection, kind: str) -> dict | None:
        row = conn.execute(
            select(understanding_data.c.body).where(understanding_data.c.kind == kind)
        ).first()
        return row.body if row is not None else None
