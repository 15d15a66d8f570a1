"""Synonyms merchandisers can edit: groups of interchangeable words.

Each query word whose terms belong to a group also matches the group's other
words (as extra alternatives of the same word, never as required words), in
Russian and English alike: "смартфон" finds "телефон" and "smartphone".

Merchandisers edit the groups in the admin (stored in the database, see
`search/tuning.py`); `data/synonyms.txt` is the seed used until the first save,
one comma-separated group per line (parsed and validated by `editable.py`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from ..analysis.analyzer import Analyzer

SYNONYMS_FILE = Path(__file__).with_name("data") / "synonyms.txt"


class Synonyms:
    def __init__(self, analyzer: Analyzer, path: Path | None = SYNONYMS_FILE) -> None:
        """The groups of the file at `path` (None: no groups); a malformed line raises
        ValueError naming the file and line."""
        self.analyzer = analyzer
        # term -> the other members of its groups: (word as written, its terms)
        self._by_term: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        if path is not None and path.exists():
            from .editable import read_synonyms_file

            self._add_groups(read_synonyms_file(path, analyzer))

    @classmethod
    def from_groups(cls, analyzer: Analyzer, groups: Iterable[Sequence[str]]) -> Synonyms:
        """Synonyms of groups already validated (`editable.validate_synonyms`)."""
        synonyms = cls(analyzer, None)
        synonyms._add_groups(groups)
        return synonyms

    def _add_groups(self, groups: Iterable[Sequence[str]]) -> None:
        for group in groups:
            members = []
            for word in group:
                token = self.analyzer.analyze(word)[0]
                members.append((token.surface, token.terms))
            for surface, terms in members:
                others = [m for m in members if m[0] != surface]
                for term in terms:
                    self._by_term.setdefault(term, []).extend(others)

    def expand(self, terms: tuple[str, ...]) -> list[tuple[str, tuple[str, ...]]]:
        """The synonyms of a word with these terms: (word, its terms), new terms only."""
        found: dict[str, tuple[str, ...]] = {}
        for term in terms:
            for surface, synonym_terms in self._by_term.get(term, ()):
                new = tuple(t for t in synonym_terms if t not in terms)
                if new:
                    found.setdefault(surface, new)
        return list(found.items())
