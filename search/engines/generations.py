"""Index generations of the embedded engine: one directory per full rebuild, and the
`CURRENT` pointer that says which one serves.

A rebuild writes a new generation directory and, only when it is complete, points
`CURRENT` at it with one atomic rename; readers keep the generation they opened until
they see the new pointer. One older generation is kept beside the current one.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

POINTER = "CURRENT"
KEEP_OLD_GENERATIONS = 1


class Generations:
    """The generation directories under `directory` and their pointer."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def pointer_state(self) -> tuple[int, int] | None:
        """Changes whenever the pointer is replaced; None while there is no index."""
        try:
            st = (self.directory / POINTER).stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns)

    def current_path(self) -> Path:
        """The directory of the generation the pointer names."""
        return self.directory / (self.directory / POINTER).read_text(encoding="utf-8").strip()

    @contextlib.contextmanager
    def building(self) -> Iterator[Path]:
        """A new, empty generation directory; removed again if the block fails."""
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"gen-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
        path.mkdir()
        try:
            yield path
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise

    def swap(self, path: Path) -> None:
        """Point `CURRENT` at the complete generation `path`, then drop older ones."""
        self._point_to(path.name)
        self._remove_old_generations(keep=path.name)

    def _point_to(self, generation: str) -> None:
        tmp = self.directory / f".{POINTER}.{uuid.uuid4().hex}"
        tmp.write_text(generation + "\n", encoding="utf-8")
        os.replace(tmp, self.directory / POINTER)

    def _remove_old_generations(self, keep: str) -> None:
        old = sorted(p for p in self.directory.glob("gen-*") if p.name != keep)
        for path in old[: max(0, len(old) - KEEP_OLD_GENERATIONS)]:
            shutil.rmtree(path, ignore_errors=True)
