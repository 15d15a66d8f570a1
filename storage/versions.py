"""Version counters of data that serving processes cache (query rules, synonyms, aliases).

A change bumps its counter in the same transaction; every process polls the counters
(one small query, at most once a second, see `VersionPoll`) and reloads only what
changed, so an edit is in effect on the next search everywhere without a restart.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import Connection, select, update

from .database import Database
from .schema import data_versions
from .upsert import upsert

log = logging.getLogger("vitrina.storage")


def bump(conn: Connection, name: str) -> int:
    """Increase the counter `name` in the caller's transaction; the new version."""
    changed = conn.execute(
        update(data_versions)
        .where(data_versions.c.name == name)
        .values(version=data_versions.c.version + 1)
    ).rowcount
    if not changed:
        upsert(conn, data_versions, {"name": name}, {"version": 1})
    return conn.execute(
        select(data_versions.c.version).where(data_versions.c.name == name)
    ).scalar_one()


def read_versions(conn: Connection) -> dict[str, int]:
    return {row.name: row.version for row in conn.execute(select(data_versions))}


class VersionPoll:
    """The database's data versions, read at most every `interval_s` seconds.

    `current()` is what the hot path calls: a clock read when the last poll is recent;
    otherwise one query (by one thread at a time; the others keep the last answer).
    When the database cannot answer, the last versions stand and the next try waits
    `retry_s`, so a database outage never slows every search.
    """

    def __init__(self, database: Database, interval_s: float = 1.0, retry_s: float = 10.0) -> None:
        self.database = database
        self.interval_s = interval_s
        self.retry_s = retry_s
        self._versions: dict[str, int] | None = None
        self._next = 0.0
        self._lock = threading.Lock()

    def current(self) -> dict[str, int] | None:
        """The versions (None until the database first answered)."""
        now = time.monotonic()
        if now >= self._next and self._lock.acquire(blocking=self._versions is None):
            try:
                if now >= self._next:
                    self._poll(now)
            finally:
                self._lock.release()
        return self._versions

    def expire(self) -> None:
        """Poll on the next call (this process just changed something)."""
        self._next = 0.0

    def _poll(self, now: float) -> None:
        try:
            with self.database.connect() as conn:
                self._versions = read_versions(conn)
            self._next = now + self.interval_s
        except Exception:
            log.warning("could not read data versions; keeping what is loaded", exc_info=True)
            self._next = now + self.retry_s
