"""Opening JSON Lines inputs (catalog feeds, order events) and reading them with progress,
in numbered chunks of lines."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import IO

from tqdm import tqdm


def open_input(path: Path, unusable: type[Exception], what: str) -> IO[bytes]:
    """Open `path` for reading, or raise `unusable` with a reason a person can act on."""
    if not path.exists():
        raise unusable(f"{path}: no such file")
    if path.is_dir():
        raise unusable(f"{path}: is a directory, not {what}")
    try:
        return open(path, "rb")  # noqa: SIM115 - the caller closes it
    except OSError as exc:
        raise unusable(f"{path}: cannot read: {exc.strerror}") from exc


def counted_lines(stream: IO[bytes], bar: tqdm) -> Iterator[bytes]:
    """The stream's lines, advancing the progress bar by bytes (in 1 MB steps)."""
    if bar.disable:
        yield from stream
        return
    pending = 0
    for line in stream:
        pending += len(line)
        if pending >= 1 << 20:
            bar.update(pending)
            pending = 0
        yield line
    bar.update(pending)


def numbered_chunks(lines: Iterable[bytes], size: int) -> Iterator[tuple[int, list[bytes]]]:
    """Lines in chunks of `size`, each with the (1-based) number of its first line."""
    iterator = iter(lines)
    start = 1
    while chunk := list(islice(iterator, size)):
        yield start, chunk
        start += len(chunk)
