"""Worker processes that never outlive the run that started them.

The indexer's and the events ingest's worker pools (indexer/pipeline.py) fork helper
processes. Without care they outlive their parent: SIGKILL the parent and each helper
waits forever on a queue whose other end it holds itself. So:

- every worker asks the kernel (Linux `prctl(PR_SET_PDEATHSIG)`) to be SIGKILLed when
  its parent dies, however it dies, and exits at once if the parent is already gone;
- workers ignore Ctrl-C (the whole process group gets it): the parent handles it;
- while a pool runs, SIGTERM in the parent interrupts it like Ctrl-C, so the run
  unwinds (its half-built generation is removed, its rejects file closed) instead of
  vanishing mid-write; a pool left by an error or an interruption has its workers
  terminated rather than waited for.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.context import BaseContext
from types import FrameType

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(parent: int) -> None:
    """Pool initializer: this worker dies with `parent` (on Linux) and leaves Ctrl-C to it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before prctl: no signal will come
        os._exit(1)


@contextlib.contextmanager
def worker_processes(workers: int, context: BaseContext) -> Iterator[ProcessPoolExecutor]:
    """A process pool whose workers die with this process, shut down on SIGTERM too.

    Create it (and submit to it first) from the thread that will outlive the pool: the
    kernel signals a worker when the thread that forked it ends.
    """
    pool = ProcessPoolExecutor(
        workers, mp_context=context, initializer=die_with_parent, initargs=(os.getpid(),)
    )
    try:
        with sigterm_interrupts():
            yield pool
    except BaseException:
        _terminate(pool)
        raise
    pool.shutdown(wait=True)


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Stop the pool now: pending work cancelled, workers terminated, not waited for."""
    # The executor has no public way to reach its workers before Python 3.14.
    workers = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in workers:
        with contextlib.suppress(Exception):
            process.terminate()
    for process in workers:
        with contextlib.suppress(Exception):
            process.join(5)


@contextlib.contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt in the block, so a run that is asked to stop
    unwinds like one stopped with Ctrl-C (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
