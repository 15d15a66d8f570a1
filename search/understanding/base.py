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
    order when it finds too little; `did_you_mean_for(found)` is a rewrite the catalog
    supports much better than the `found` products the query got, offered (not
    applied). Both are computed on first use, so a query that finds enough never pays
    for them.
    """

    def __init__(
        self,
        first: Interpretation | None = None,
        fallbacks: Callable[[], tuple[Interpretation, ...]] | None = None,
        did_you_mean: Callable[[int], str | None] | None = None,
    ) -> None:
        self.first = first
        self._fallbacks = fallbacks
        self._did_you_mean = did_you_mean
        self._computed: dict[str, Any] = {}
        self.seconds = 0.0  # time spent understanding this query, for benchmarks
        # The same in this thread's CPU time: what it costs, whatever else the machine runs.
        self.cpu_seconds = 0.0

    def _lazy(self, name: str, compute: Callable[[], Any] | None, empty: Any) -> Any:
        if name not in self._computed:
            started, cpu = time.perf_counter(), time.thread_time()
            self._computed[name] = compute() if compute is not None else empty
            self.seconds += time.perf_counter() - started
            self.cpu_seconds += time.thread_time() - cpu
        return self._computed[name]

    @property
    def fallbacks(self) -> tuple[Interpretation, ...]:
        return self._lazy("fallbacks", self._fallbacks, ())

    def did_you_mean_for(self, found: int) -> str | None:
        """A better-supported rewrite of the query, given it found `found` products."""
        compute = self._did_you_mean
        return self._lazy(
            f"did_you_mean:{found}", (lambda: compute(found)) if compute else None, None
        )

    @property
    def did_you_mean(self) -> str | None:
        """did_you_mean_for a query that found nothing."""
        return self.did_you_mean_for(0)

    @property
    def readings(self) -> tuple[Interpretation, ...]:
        """Every reading, most plausible first."""
        return ((self.first,) if self.first else ()) + self.fallbacks
