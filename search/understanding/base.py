"""What query understanding hands the search service: readings of a query."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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


class QueryPlan:
    """Everything understood about one query, the costly parts computed on demand.

    `first` is the most plausible reading. `fallbacks` are the readings to try in
    order when it finds too little; `did_you_mean` is the spelling-corrected query,
    offered (not applied) when the query as typed already finds products. Both are
    computed on first use, so a query that finds products never pays for them.
    """

    def __init__(
        self,
        first: Interpretation | None = None,
        fallbacks: Callable[[], tuple[Interpretation, ...]] | None = None,
        did_you_mean: Callable[[], str | None] | None = None,
    ) -> None:
        self.first = first
        self._fallbacks = fallbacks
        self._did_you_mean = did_you_mean
        self._computed: dict[str, Any] = {}
        self.seconds = 0.0  # time spent understanding this query, for benchmarks

    def _lazy(self, name: str, compute: Callable[[], Any] | None, empty: Any) -> Any:
        if name not in self._computed:
            started = time.perf_counter()
            self._computed[name] = compute() if compute is not None else empty
            self.seconds += time.perf_counter() - started
        return self._computed[name]

    @property
    def fallbacks(self) -> tuple[Interpretation, ...]:
        return self._lazy("fallbacks", self._fallbacks, ())

    @property
    def did_you_mean(self) -> str | None:
        return self._lazy("did_you_mean", self._did_you_mean, None)

    @property
    def readings(self) -> tuple[Interpretation, ...]:
        """Every reading, most plausible first."""
        return ((self.first,) if self.first else ()) + self.fallbacks
