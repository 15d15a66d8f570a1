"""The search log: every shopper's search, recorded without slowing it down.

`SearchLog.record` only appends a compact tuple (time, locale, country, query as
typed, understood query, result count; no shopper identity) to an in-process queue;
a background thread writes the queue in batches, half a second after the first
entry arrives, so a busy process writes one multi-row insert per batch. The queue
is bounded: when the database cannot keep up or is down, entries are dropped and
counted (`dropped`), never waited for. Entries older than the retention period are
deleted by the same thread, at most once an hour.

Reports over the log are read by merchandising/reports.py.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections import deque

from sqlalchemy import delete, insert

from storage import Database
from storage.schema import search_log

log = logging.getLogger("vitrina.search")

MAX_QUERY = 256
MAX_UNDERSTOOD = 512
RETENTION_DAYS = 90
PURGE_EVERY_S = 3600.0
WARN_EVERY_S = 60.0

Entry = tuple[int, str, str, str, str, int]  # at, locale, country, query, understood, results


def logged_query(text: str) -> str:
    """A query as the reports group it: case and spacing do not make another query."""
    return " ".join(text.split()).lower()[:MAX_QUERY]


class SearchLog:
    """A batched, bounded, asynchronous writer of the search log of one database."""

    def __init__(
        self,
        database: Database,
        *,
        delay_s: float = 0.5,
        max_queued: int = 10_000,
        batch: int = 1000,
        retention_days: int = RETENTION_DAYS,
    ) -> None:
        self.database = database
        self.delay_s = delay_s
        self.max_queued = max_queued
        self.batch = batch
        self.retention_days = retention_days
        self.dropped = 0  # entries lost to a full queue or a database that failed
        self.written = 0
        self._queue: deque[Entry] = deque()
        self._wake = threading.Event()
        self._write_lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._thread_pid: int | None = None
        self._next_purge = 0.0
        self._next_warning = 0.0

    def record(self, locale: str, country: str, query: str, understood: str, results: int) -> None:
        """Queue one search (a few microseconds; never touches the database)."""
        if len(self._queue) >= self.max_queued:
            self.dropped += 1
            return
        self._queue.append(
            (
                int(time.time()),
                locale[:16],
                country[:2],
                logged_query(query),
                understood[:MAX_UNDERSTOOD],
                results,
            )
        )
        if self._thread_pid != os.getpid():
            self._start()
        self._wake.set()

    def flush(self) -> int:
        """Write everything queued now, in the caller's thread; how many were written."""
        written = 0
        with self._write_lock:
            while self._queue:
                rows: list[Entry] = []
                while self._queue and len(rows) < self.batch:
                    rows.append(self._queue.popleft())
                written += self._write(rows)
            self._purge()
        return written

    def _write(self, rows: list[Entry]) -> int:
        try:
            with self.database.begin() as conn:
                conn.execute(
                    insert(search_log),
                    [
                        {"at": at, "locale": lo, "country": c, "query": q, "understood": u,
                         "results": n}
                        for at, lo, c, q, u, n in rows
                    ],
                )  # fmt: skip
        except Exception:
            self.dropped += len(rows)
            self._warn("could not write %d searches to the search log", len(rows))
            return 0
        self.written += len(rows)
        return len(rows)

    def _purge(self) -> None:
        now = time.monotonic()
        if now < self._next_purge:
            return
        self._next_purge = now + PURGE_EVERY_S
        oldest = int(time.time()) - self.retention_days * 86400
        try:
            with self.database.begin() as conn:
                conn.execute(delete(search_log).where(search_log.c.at < oldest))
        except Exception:
            self._warn("could not delete old searches from the search log")

    def _warn(self, message: str, *args: object) -> None:
        now = time.monotonic()
        if now >= self._next_warning:
            self._next_warning = now + WARN_EVERY_S
            log.warning(message + " (%d dropped so far)", *args, self.dropped, exc_info=True)

    def _start(self) -> None:
        """The writer thread of this process (a forked worker starts its own)."""
        with self._start_lock:
            pid = os.getpid()
            if self._thread_pid == pid:
                return
            if self._thread_pid is None:
                atexit.register(self.flush)
            self._thread_pid = pid
            threading.Thread(target=self._run, name="search-log", daemon=True).start()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            time.sleep(self.delay_s)  # let a batch gather
            self._wake.clear()
            self.flush()
