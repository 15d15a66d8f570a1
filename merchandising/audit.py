"""The audit log: who changed what, when, with the state before and after.

Every change merchandisers and admins make (pins, exclusions, query rules, synonyms,
brand aliases, accounts, list rebuilds) is recorded in the same transaction as the
change itself, so the log never misses one nor records one that did not happen.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from storage import Database
from storage.schema import audit_log

MAX_LIMIT = 1000


@dataclass(frozen=True)
class AuditEntry:
    at: int  # epoch seconds
    user: str
    action: str
    details: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The API's shape: `at` as an ISO 8601 UTC time."""
        return {
            "at": datetime.fromtimestamp(self.at, UTC).isoformat().replace("+00:00", "Z"),
            "user": self.user,
            "action": self.action,
            "details": self.details,
        }


def record(
    conn: Connection,
    user: str,
    action: str,
    *,
    before: Any = None,
    after: Any = None,
    **extra: Any,
) -> None:
    """Write one entry in the caller's transaction (`before`/`after`: the changed thing)."""
    details: dict[str, Any] = {"before": before, "after": after, **extra}
    conn.execute(
        insert(audit_log).values(at=int(time.time()), user=user, action=action, details=details)
    )


class AuditLog:
    """Reads the audit log of one database, newest first."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def note(self, user: str, action: str, *, before: Any = None, after: Any = None) -> None:
        """Record an action that changes nothing else in the database (a list rebuilt)."""
        with self.database.begin() as conn:
            record(conn, user, action, before=before, after=after)

    def recent(self, limit: int = 100) -> list[AuditEntry]:
        limit = max(1, min(limit, MAX_LIMIT))
        with self.database.connect() as conn:
            rows = conn.execute(
                select(audit_log)
                .order_by(audit_log.c.at.desc(), audit_log.c.id.desc())
                .limit(limit)
            )
            return [AuditEntry(r.at, r.user, r.action, r.details or {}) for r in rows]
