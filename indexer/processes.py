"""Worker processes that never outlive the run that started them.

The indexer's and the events ingest's worker pools (indexer/pipeline.py) fork helper
processes. Without care they outlive their parent: SIGKILL the parent and each helper
waits forever on a queue whose other end it holds itself. So:

- every worker asks the kernel (Linux `prctl(PR_SET_PDEATHSIG)`) to be SIGKILLed when
  its parent dies, however it dies, and exits at once if the parent is already gone;
- workers ignore Ctrl-C (the whole process group gets it): the parent handles it;
- while a pool runs, SIGTERM in the parent interrupts it like Ctrl-C, so the run
  unwinds (its half-built generation is removed, its rejects file closed) instead of
  vanishing mid-write;
- a pool left by an error or an interruption drops its pending chunks and lets each
  worker finish the one in hand, for a few seconds at most. Terminating a worker while
  it writes its result would leave a half-written message in the pool's result pipe,
  which the pool's own thread then waits on for ever (and the run with it, at exit).
  Only a worker still busy after the grace period, or a second signal, is terminated.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing.connection
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.context import BaseContext
from types import FrameType

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
STOP_GRACE_S = 15.0  # how long a stopped pool's workers may take to finish their chunk
REAP_S = 5.0  # how long to wait for a terminated worker, and for the pool's thread


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
        stop(pool)
        raise
    pool.shutdown(wait=True)


def stop(pool: ProcessPoolExecutor, grace_s: float = STOP_GRACE_S) -> None:
    """Stop the pool soon: pending work cancelled, the chunks in hand finished (see the
    module's docstring), workers still alive after `grace_s` (or at a second Ctrl-C or
    SIGTERM) terminated.

    Workers are watched through their sentinels, never `Process.join`: the pool's own
    thread reaps them at the same time, and of two threads calling waitpid on one child
    the loser is told the child is still alive."""
    # The executor has no public way to reach its workers or its thread before 3.14.
    workers = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)  # idle workers get their stop sentinel
    running = {process.sentinel: process for process in workers}
    deadline = time.monotonic() + grace_s
    try:
        while running and (left := deadline - time.monotonic()) > 0:
            for ended in multiprocessing.connection.wait(list(running), left):
                running.pop(ended)
    except KeyboardInterrupt:  # asked twice: no more waiting
        pass
    finally:
        for process in running.values():
            with contextlib.suppress(Exception):
                process.terminate()
        if manager is not None:  # it reaps the workers and settles every future
            manager.join(REAP_S)
        for process in workers:
            process.join(REAP_S if process.sentinel in running else 0)


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
