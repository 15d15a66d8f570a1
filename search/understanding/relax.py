"""Relaxed matching that keeps what the shopper asked for: the head noun stays required.

When every word together finds nothing, the least informative word becomes optional
first: a modifier (adjective, participle, adverb) before a noun, a frequent word
before a rare one, never the head noun (the first Russian noun, the product type:
"дрель" in "дрель бош", not the brand). Readings whose remaining words the catalog
confirms together come first.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator, Sequence

from ..analysis.morphology import morph_analyzer
from ..analysis.text import is_cyrillic
from .lexicon import UNKNOWN
from .readings import Group, Unit

MODIFIERS = frozenset({"ADJF", "ADJS", "PRTF", "PRTS", "ADVB", "COMP", "NUMR"})
MODIFIER_DISCOUNT = 0.5  # a modifier carries half the information of a noun as rare
MAX_RELAXED = 6


@functools.lru_cache(maxsize=8192)  # ~200 bytes an entry in every serving process
def _pos(word: str) -> str | None:
    return morph_analyzer().parse(word)[0].tag.POS if is_cyrillic(word) else None


def head_index(units: Sequence[Unit]) -> int:
    """The unit naming the product type: the first Russian noun not read as a brand."""
    # A real noun typed right names the product surer than an unknown word or one a
    # spelling fix made up ("шины" in "мишлен шины", whatever "мишлен" became).
    for typed_right in (True, False):
        for i, unit in enumerate(units):
            if unit.kind != "word" or any(e.kind == "translit" for e in unit.extras):
                continue
            if typed_right and (unit.choice is not None or unit.evidence == UNKNOWN):
                continue
            if _pos(unit.base.surface) == "NOUN":
                return i
    for i, unit in enumerate(units):
        if unit.is_word:
            return i
    return 0


def information(unit: Unit, document_frequency: int, products: int) -> float:
    """How much a unit narrows the search: rarer is more, modifiers count half."""
    info = math.log((1 + products) / (1 + document_frequency))
    if unit.kind == "word" and _pos(unit.base.surface) in MODIFIERS:
        info *= MODIFIER_DISCOUNT
    return info


def relaxations(
    units: Sequence[Unit],
    groups: Sequence[list[Group]],
    frequency: Callable[[int], int],
    products: int,
    found: Callable[[list[Group]], bool],
) -> Iterator[tuple[list[Group], list[Group]]]:
    """(required, optional) groups with words dropped, the most promising first.

    `groups[i]` are unit i's groups, `frequency(i)` its document frequency and
    `found(groups)` whether any product matches the groups together.
    """
    if len(units) < 2:
        return
    head = head_index(units)
    others = sorted(
        (i for i in range(len(units)) if i != head),
        key=lambda i: information(units[i], frequency(i), products),
    )

    def split(dropped: set[int]) -> tuple[list[Group], list[Group]]:
        required = [g for i, gs in enumerate(groups) if i not in dropped for g in gs]
        optional = [g for i, gs in enumerate(groups) if i in dropped for g in gs]
        return required, optional

    singles = [split({i}) for i in others]
    confirmed = [s for s in singles if found(s[0])]
    seen: set[tuple] = set()
    produced = 0
    ordered = confirmed + [s for s in singles if s not in confirmed]
    # then progressively fewer words: drop the least informative ones cumulatively
    for n in range(2, len(others) + 1):
        ordered.append(split(set(others[:n])))
    for required, optional in ordered:
        key = (tuple(required), tuple(optional))
        if key in seen or not required:
            continue
        seen.add(key)
        yield required, optional
        produced += 1
        if produced >= MAX_RELAXED:
            return
