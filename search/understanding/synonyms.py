"""Synonyms merchandisers can edit: one group of interchangeable words per line.

Each query word whose terms belong to a group also matches the group's other
words (as extra alternatives of the same word, never as required words), in
Russian and English alike: "смартфон" finds "телефон" and "smartphone".
"""

from __future__ import annotations

from pathlib import Path

from ..analysis.analyzer import Analyzer

SYNONYMS_FILE = Path(__file__).with_name("data") / "synonyms.txt"


class Synonyms:
    def __init__(self, analyzer: Analyzer, path: Path = SYNONYMS_FILE) -> None:
        self.analyzer = analyzer
        # term -> the other members of its groups: (word as written, its terms)
        self._by_term: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        if path.exists():
            self._load(path)

    def _load(self, path: Path) -> None:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            members = []
            for word in (w.strip() for w in line.split(",")):
                tokens = self.analyzer.analyze(word)
                if len(tokens) != 1:
                    raise ValueError(f"{path}:{number}: {word!r} must be one word")
                members.append((tokens[0].surface, tokens[0].terms))
            if len(members) < 2:
                raise ValueError(f"{path}:{number}: a synonym group needs two words or more")
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
