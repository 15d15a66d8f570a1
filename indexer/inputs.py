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


def counted_lines(
    stream: IO[bytes], bar: tqdm, max_line_bytes: int | None = None
) -> Iterator[bytes]:
    """The stream's lines, advancing the progress bar by bytes (in 1 MB steps).

    With `max_line_bytes`, a longer line (not counting its line end) comes as its first
    `max_line_bytes + 2` bytes, without a line end, and the rest of it is skipped
    unread into memory: the parser rejects it by its length, under its own number.
    """
    lines = capped_lines(stream, max_line_bytes) if max_line_bytes is not None else stream
    if bar.disable:
        yield from lines
        return
    pending = 0
    for line in lines:
        pending += len(line)
        if pending >= 1 << 20:
            bar.update(pending)
            pending = 0
        yield line
    bar.update(pending)


def capped_lines(stream: IO[bytes], max_bytes: int) -> Iterator[bytes]:
    """The stream's lines; one longer than `max_bytes` cut short (see counted_lines)."""
    limit = max_bytes + 2  # room for "\r\n"
    readline = stream.readline
    while line := readline(limit):
        if len(line) == limit and not line.endswith(b"\n"):
            while (rest := readline(1 << 20)) and not rest.endswith(b"\n"):
                pass
        yield line


def numbered_chunks(
    lines: Iterable[bytes], size: int, first: int | None = None
) -> Iterator[tuple[int, list[bytes]]]:
    """Lines in chunks of `size`, each with the (1-based) number of its first line.

    `first`: the first chunk's size, doubled chunk after chunk up to `size` (whoever
    waits for the first chunk's results starts sooner).
    """
    iterator = iter(lines)
    start = 1
    step = min(first or size, size)
    while chunk := list(islice(iterator, step)):
        yield start, chunk
        start += len(chunk)
        step = min(2 * step, size)
