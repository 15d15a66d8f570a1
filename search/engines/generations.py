"""Index generations of the embedded engine: one directory per full rebuild, and the
`CURRENT` pointer that says which one serves.

A rebuild writes a new generation directory and, only when it is complete, points
`CURRENT` at it with one atomic rename; readers keep the generation they opened until
they see the new pointer. The generation that served before is kept as the previous
one (named by `PREVIOUS`); anything else is debris of a failed or killed run and is
removed, but never a generation that a live run is still building (each holds an
exclusive flock on its directory while it builds, which the kernel drops when its
process dies, however it dies).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

POINTER = "CURRENT"
PREVIOUS = "PREVIOUS"
_OS_ERROR = re.compile(r"\(os error (\d+)\)")
_WRITER_DIED = "io::Error most likely"
NEARLY_FULL_BYTES = 1 << 20  # a write that failed for want of space leaves less than this


class Generations:
    """The generation directories under `directory` and their pointers."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._pointer = str(self.directory / POINTER)  # stat'ed on every search

    def pointer_state(self) -> tuple[int, int] | None:
        """Changes whenever the pointer is replaced; None while there is no index."""
        try:
            st = os.stat(self._pointer)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns)

    def current_path(self) -> Path:
        """The directory of the generation the pointer names."""
        return self.directory / self._read(POINTER)

    def current(self) -> str | None:
        """The name of the serving generation, None while there is none."""
        return self._read(POINTER) or None

    def previous(self) -> str | None:
        """The name of the generation that served before the current one."""
        name = self._read(PREVIOUS)
        return name if name and name != self.current() else None

    def _read(self, pointer: str) -> str:
        try:
            return (self.directory / pointer).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return ""

    @contextlib.contextmanager
    def building(self) -> Iterator[Path]:
        """A new, empty generation directory, locked while the block runs; removed again
        if the block fails. The block ends with `swap` once the generation is complete."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self.remove_debris()  # a killed run's partial generation would only take disk space
        path = self.directory / f"gen-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
        path.mkdir()
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            with os_errors(path):
                yield path
        except BaseException:
            if self.current() != path.name:
                shutil.rmtree(path, ignore_errors=True)
            raise
        finally:
            os.close(fd)

    def swap(self, path: Path) -> None:
        """Point `CURRENT` at the complete generation `path`; the one it named becomes the
        previous generation, and every other one is removed."""
        serving = self.current()
        if serving:
            self._write(PREVIOUS, serving)
        self._write(POINTER, path.name)
        self.remove_debris()

    def _write(self, pointer: str, generation: str) -> None:
        tmp = self.directory / f".{pointer}.{uuid.uuid4().hex}"
        try:
            tmp.write_text(generation + "\n", encoding="utf-8")
            os.replace(tmp, self.directory / pointer)
        finally:
            tmp.unlink(missing_ok=True)

    def remove_debris(self) -> None:
        """Remove generations that neither serve nor served last, unless a live run is
        building them, and pointer files a killed run left half-written."""
        keep = {self.current(), self.previous()}
        for path in self.directory.glob("gen-*"):
            if path.name not in keep and not _being_built(path):
                shutil.rmtree(path, ignore_errors=True)
        for tmp in self.directory.glob(".*.*"):
            if tmp.name.startswith((f".{POINTER}.", f".{PREVIOUS}.")):
                tmp.unlink(missing_ok=True)


def _being_built(path: Path) -> bool:
    """Whether a live process holds the generation's build lock."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops the lock if we took it
    return False


@contextlib.contextmanager
def os_errors(directory: Path) -> Iterator[None]:
    """tantivy's file-system failures in `directory` as the OSError they are (a full disk
    is ENOSPC, exit status 3, not an internal error). tantivy reports them as ValueError:
    "… (os error 28)", or, when a writer thread died of one, only "io::Error most
    likely"; that one is ENOSPC when the disk is (nearly) full, EIO otherwise."""
    try:
        yield
    except ValueError as exc:
        found = _OS_ERROR.search(str(exc))
        if found is not None:
            code = int(found.group(1))
        elif _WRITER_DIED in str(exc):
            code = errno.ENOSPC if _nearly_full(directory) else errno.EIO
        else:
            raise
        raise OSError(code, os.strerror(code), str(directory)) from exc


def _nearly_full(directory: Path) -> bool:
    try:
        st = os.statvfs(directory)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < NEARLY_FULL_BYTES
