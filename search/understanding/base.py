"""What query understanding hands the search service: readings of a query."""

from __future__ import annotations

from dataclasses import dataclass

from ..engines.base import TextMatch

CORRECTION_KINDS = ("layout", "translit", "spelling", "synonym")


@dataclass(frozen=True)
class Correction:
    kind: str  # one of CORRECTION_KINDS
    source: str
    target: str

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "from": self.source, "to": self.target}


@dataclass(frozen=True)
class Interpretation:
    """One reading of the shopper's query, ready for any engine.

    `text` is the query as understood; `corrections` says how it differs from what
    was typed; `relaxed` marks readings that dropped required words.
    """

    text: str
    match: TextMatch
    corrections: tuple[Correction, ...] = ()
    relaxed: bool = False


@dataclass(frozen=True)
class QueryPlan:
    """Everything understood about one query: readings to try in order, and a hint.

    `did_you_mean` is the spelling-corrected query, offered to the shopper when the
    query as typed already finds products (so it is not applied automatically).
    """

    readings: tuple[Interpretation, ...] = ()
    did_you_mean: str | None = None
