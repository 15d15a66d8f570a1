"""What happened to one input (a catalog feed or an events file), and its rejects file.

Both inputs report the same way: lines read, lines rejected with their number and
reason (written as JSON Lines to the rejects file, a few kept as samples for the
terminal), and an exit status of 1 when anything was rejected.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO

from .feed import Rejection

SAMPLES = 5


def default_rejects_path(data_dir: Path, source: Path) -> Path:
    """Rejects go to the data dir (inputs may sit in read-only places), one file per run."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    return data_dir / "rejects" / f"{source.stem}-{stamp}.rejects.jsonl"


@dataclass
class InputReport:
    """Counts of one input; subclasses add what their input stores."""

    path: str
    lines: int = 0
    rejected: int = 0
    seconds: float = 0.0
    rejects_path: Path | None = None
    rejection_samples: list[Rejection] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 all lines accepted, 1 some rejected (the rest stored)."""
        return 1 if self.rejected else 0

    @property
    def rate(self) -> float:
        return self.lines / self.seconds if self.seconds else 0.0

    def rejects_note(self) -> str:
        if self.rejected and self.rejects_path:
            return f"\nrejected lines written to {self.rejects_path}"
        return ""


class RejectsWriter:
    """Counts rejections in the report and writes them to its rejects file.

    The file is created on the first rejection (a clean input leaves none behind), or
    at once when the caller named it (the caller expects it to exist).
    """

    def __init__(self, report: InputReport, path: Path, *, always_create: bool = False) -> None:
        self.report = report
        self.path = path
        report.rejects_path = path
        self._file: IO[str] | None = None
        if always_create:
            self._open()

    def _open(self) -> IO[str]:
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "w", encoding="utf-8")  # noqa: SIM115
        return self._file

    def reject(self, rejection: Rejection) -> None:
        self.report.rejected += 1
        self._open().write(rejection.to_json() + "\n")
        if len(self.report.rejection_samples) < SAMPLES:
            self.report.rejection_samples.append(rejection)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> RejectsWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
