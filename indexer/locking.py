"""One lock guards full and incremental indexing, across processes on this host."""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path


class LockTimeout(RuntimeError):
    """Another indexing run held the lock for longer than we were willing to wait."""


@contextlib.contextmanager
def indexing_lock(data_dir: Path, timeout_s: float = 600.0, poll_s: float = 0.2) -> Iterator[None]:
    """Hold the data dir's indexing lock; waits up to `timeout_s` for it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "indexing.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise LockTimeout(f"indexing is busy (lock {path})") from None
                time.sleep(poll_s)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
