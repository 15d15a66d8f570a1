"""A stopped worker pool (indexer/processes.py): the chunks in hand finish, the rest is
dropped, and only a worker stuck past the grace period is terminated. Killing a worker
while it writes its result could leave the pool's reader waiting on a half-written
message for ever, and the interrupted run with it."""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

import pytest

from indexer.processes import stop, worker_processes

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="worker pools fork")


def chunk(folder: str, name: str, seconds: float) -> bytes:
    """A chunk of work that says when it starts and when it is done, with a big result."""
    (Path(folder) / f"{name}.started").touch()
    time.sleep(seconds)
    (Path(folder) / f"{name}.done").touch()
    return b"r" * 4_000_000  # bigger than a pipe's buffer: written in many parts


def wait_for(path: Path) -> None:
    deadline = time.monotonic() + 60
    while not path.exists():
        assert time.monotonic() < deadline, f"gave up waiting for {path.name}"
        time.sleep(0.01)


def test_an_interrupted_pool_lets_the_chunk_in_hand_finish_and_drops_the_rest(tmp_path):
    with (
        pytest.raises(KeyboardInterrupt),
        worker_processes(1, multiprocessing.get_context("fork")) as pool,
    ):
        in_hand = pool.submit(chunk, str(tmp_path), "first", 0.5)
        workers = list(pool._processes.values())
        queued = [pool.submit(chunk, str(tmp_path), f"later{i}", 0) for i in range(5)]
        wait_for(tmp_path / "first.started")
        raise KeyboardInterrupt  # what SIGTERM or Ctrl-C raises in the run
    assert (tmp_path / "first.done").exists()  # finished, not killed mid-way
    assert len(in_hand.result(timeout=0)) == 4_000_000
    # The pool hands its workers up to workers + 1 calls ahead; those run, the rest do not.
    assert sum(f.cancelled() for f in queued) >= len(queued) - 2
    assert workers and not any(p.is_alive() for p in workers)


def test_a_worker_stuck_past_the_grace_period_is_terminated(tmp_path):
    with worker_processes(1, multiprocessing.get_context("fork")) as pool:
        pool.submit(os.getpid).result()
        workers = list(pool._processes.values())
        stuck = pool.submit(chunk, str(tmp_path), "stuck", 3600)
        wait_for(tmp_path / "stuck.started")
        stop(pool, grace_s=0.2)
        assert not any(p.is_alive() for p in workers)
        assert not (tmp_path / "stuck.done").exists()
        with pytest.raises(Exception, match="terminated abruptly"):
            stuck.result(timeout=30)
