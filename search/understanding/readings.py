"""The pieces a reading is made of: query units, their alternatives, and the evidence.

A query is a row of units (a word, a number, or a multi-word brand written in
Cyrillic). Each unit means its typed terms, or a replacement (a spelling fix), plus
extra alternatives joined with OR (a brand's Latin spelling, a synonym, a
translation, an abbreviation). An alternative may itself need several words
("электрический чайник" for "электрочайник"): a unit's meaning is then turned into
the AND of OR-groups engines understand, by (A) OR (B AND C) = (A|B) AND (A|C).

`Evidence` counts how many products match a set of groups, from the co-occurrence
lists of the vocabulary: the catalog's own answer to "do these words go together?".
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..vocabulary import Vocabulary

Group = tuple[str, ...]
MAX_GROUPS_PER_UNIT = 8
EVIDENCE_WEIGHT = 0.35  # score per decade of matching products


@dataclass(frozen=True)
class Alternative:
    """One way to read a unit: its shown text, the AND of its groups, how it was found."""

    surface: str
    groups: tuple[Group, ...]
    kind: str | None = None  # a Correction kind, None for what was typed
    cost: float = 0.0


@dataclass
class Unit:
    """One word (or brand phrase) of the query and what it may mean."""

    start: int
    end: int
    surface: str
    kind: str  # "word", "phrase", "number", "measure", "model"
    typed: Alternative
    evidence: int  # lexicon.IN_CATALOG / IN_DICTIONARY / UNKNOWN
    choice: Alternative | None = None  # a replacement of the typed word
    extras: list[Alternative] = field(default_factory=list)

    @property
    def base(self) -> Alternative:
        return self.choice or self.typed

    @property
    def is_word(self) -> bool:
        return self.kind in ("word", "phrase")

    def groups(self, base: Alternative | None = None) -> list[Group]:
        """The unit's meaning as AND-ed groups: its base OR each extra alternative."""
        alternatives = [(base or self.base).groups] + [e.groups for e in self.extras]
        alternatives = [a for a in alternatives if a]
        if not alternatives:
            return []
        if all(len(a) == 1 for a in alternatives):
            return [tuple(dict.fromkeys(t for a in alternatives for t in a[0]))]
        combined = []
        for choice in itertools.islice(itertools.product(*alternatives), MAX_GROUPS_PER_UNIT):
            combined.append(tuple(dict.fromkeys(t for g in choice for t in g)))
        return list(dict.fromkeys(combined))


class Evidence:
    """How many catalog products match groups of terms (title and brand), cached."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self._cache: dict[tuple[Group, ...], float] = {}

    def count(self, groups: Sequence[Group]) -> float:
        key = tuple(sorted(set(groups)))
        if not key:
            return 0.0
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = self._count(key)
        return cached

    def exists(self, groups: Sequence[Group]) -> bool:
        """Whether any product matches the groups (stops at the first it finds)."""
        key = tuple(sorted(set(groups)))
        if not key:
            return False
        cached = self._cache.get(key)
        if cached is not None:
            return cached > 0
        index = self.vocabulary.cooccurrence
        if index is None:
            return self.count(groups) > 0
        known = self.vocabulary.term_ids.known
        return index.count([known(g) for g in key], enough=1) > 0

    def _count(self, groups: tuple[Group, ...]) -> float:
        vocabulary = self.vocabulary
        index = vocabulary.cooccurrence
        if index is None:
            # No co-occurrence lists (an old vocabulary file): the rarest word bounds it.
            return float(min(sum(vocabulary.term_df(t) for t in g) for g in groups))
        known = vocabulary.term_ids.known
        return index.count([known(g) for g in groups])


def support(count: float) -> float:
    """What the catalog's agreement is worth in a reading's score."""
    return EVIDENCE_WEIGHT * math.log10(1 + count)
