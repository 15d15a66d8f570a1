"""One lock guards full and incremental indexing.

Two kinds, chosen by the composition root through `Jobs.indexing_lock` (indexer/jobs.py):
- `indexing_lock(data_dir)`, a file lock: the embedded engine's index lives in the data
  dir, so the processes that write it share that dir (and nothing else needs to wait).
- `RedisIndexingLock`, when the index is shared by several hosts (Elasticsearch) and a
  Redis broker is configured: a redis-py Lock with an expiry and an owner token. The
  holder extends the expiry while it indexes (a rebuild of 54M products takes hours),
  so a crashed holder's lock expires within `ttl_s`, and only the owner's token can
  release it: a run whose lock expired cannot release the next holder's. Elasticsearch
  takes changes while a rebuild loads (journaled, replayed before the swap), so there
  rebuilds and change runs hold separate locks, and a rebuild takes the change runs'
  lock only to publish its vocabulary.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import redis
    from redis.lock import Lock

log = logging.getLogger("vitrina.indexer")

WAIT_S = 600.0  # how long an indexing run waits for the lock before giving up (and retrying)
LOCK_TTL_S = 60.0  # a crashed holder's Redis lock is free again after at most this long
LOCK_NAME = "vitrina:indexing-lock"

# What index_feed takes: a fresh context manager for each indexing run.
IndexingLock = Callable[[], AbstractContextManager[object]]


class LockTimeout(RuntimeError):
    """Another indexing run held the lock for longer than we were willing to wait."""


@contextlib.contextmanager
def indexing_lock(data_dir: Path, timeout_s: float = WAIT_S, poll_s: float = 0.2) -> Iterator[None]:
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


class RedisIndexingLock:
    """The indexing lock of every host, in Redis: `with lock(): ...` holds it.

    The key holds the owner's token (`host:pid:random`, so an operator can see who
    indexes); a keeper thread extends the expiry every `ttl_s / 3` while the run lasts.
    """

    def __init__(
        self,
        client: redis.Redis,
        name: str = LOCK_NAME,
        *,
        ttl_s: float = LOCK_TTL_S,
        wait_s: float = WAIT_S,
        poll_s: float = 0.2,
    ) -> None:
        self.client = client
        self.name = name
        self.ttl_s = ttl_s
        self.wait_s = wait_s
        self.poll_s = poll_s

    def holder(self) -> str | None:
        """The token of the run holding the lock now, if any."""
        value = self.client.get(self.name)
        return value.decode() if isinstance(value, bytes) else value

    @contextlib.contextmanager
    def __call__(self) -> Iterator[None]:
        lock = self.client.lock(
            self.name, timeout=self.ttl_s, sleep=self.poll_s, thread_local=False
        )
        token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex}"
        if not lock.acquire(blocking=True, blocking_timeout=self.wait_s, token=token):
            raise LockTimeout(f"indexing is busy (Redis lock {self.name}: {self.holder()})")
        stop = threading.Event()
        keeper = threading.Thread(
            target=self._keep, args=(lock, stop), name="indexing-lock-keeper", daemon=True
        )
        keeper.start()
        try:
            yield
        finally:
            stop.set()
            keeper.join()
            self._release(lock)

    def _keep(self, lock: Lock, stop: threading.Event) -> None:
        """Extend the expiry until `stop`; a lost lock is logged (the run goes on: the
        Elasticsearch rebuild record still refuses a second concurrent rebuild)."""
        from redis.exceptions import LockNotOwnedError, RedisError

        while not stop.wait(self.ttl_s / 3):
            try:
                lock.reacquire()
            except LockNotOwnedError:
                log.error("the indexing lock %s expired and was taken by %s while this run "
                          "held it", self.name, self.holder())  # fmt: skip
                return
            except RedisError as exc:  # a passing outage: try again before the expiry
                log.warning("could not extend the indexing lock %s: %s", self.name, exc)

    def _release(self, lock: Lock) -> None:
        from redis.exceptions import LockError, RedisError

        try:
            lock.release()
        except LockError:  # expired (and perhaps taken): the owner token kept it safe
            log.warning("the indexing lock %s had expired before this run released it", self.name)
        except RedisError as exc:  # it expires on its own within ttl_s
            log.warning("could not release the indexing lock %s: %s", self.name, exc)
