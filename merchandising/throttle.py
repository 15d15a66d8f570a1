"""Login throttling shared by every serving process (SPEC.md: five failed logins for one
account or one client within 15 minutes answer 429 for 15 minutes).

Failures and lockouts live in the database, so the limit holds however many workers
serve /admin/. A lockout is decided when a failure is recorded; while it lasts no
password is checked at all. Signing in successfully clears the account's failures,
never the client's (or one valid account would reset a client spraying guesses).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select

from storage import Database
from storage.schema import login_failures, login_lockouts
from storage.upsert import upsert

MAX_FAILURES = 5
WINDOW_S = 15 * 60
LOCKOUT_S = 15 * 60


@dataclass(frozen=True)
class Lockout:
    until: int  # epoch seconds

    def retry_after(self, now: float | None = None) -> int:
        return max(1, int(self.until - (time.time() if now is None else now)))


def keys(account: str, client: str) -> tuple[str, str]:
    """The two things a failed login counts against."""
    return f"account:{account.strip().lower()[:120]}", f"client:{client[:64]}"


class LoginThrottle:
    def __init__(
        self,
        database: Database,
        max_failures: int = MAX_FAILURES,
        window_s: int = WINDOW_S,
        lockout_s: int = LOCKOUT_S,
    ) -> None:
        self.database = database
        self.max_failures = max_failures
        self.window_s = window_s
        self.lockout_s = lockout_s

    def locked(self, account: str, client: str, now: float | None = None) -> Lockout | None:
        """The lockout in force for this account or client, if any."""
        moment = int(time.time() if now is None else now)
        with self.database.connect() as conn:
            until = conn.execute(
                select(func.max(login_lockouts.c.until)).where(
                    login_lockouts.c.key.in_(keys(account, client)),
                    login_lockouts.c.until > moment,
                )
            ).scalar()
        return Lockout(until) if until else None

    def failed(self, account: str, client: str, now: float | None = None) -> Lockout | None:
        """Record a failed login; the lockout it causes (the fifth in the window), if any."""
        moment = int(time.time() if now is None else now)
        since = moment - self.window_s
        caused = None
        with self.database.begin() as conn:
            for key in keys(account, client):
                conn.execute(
                    delete(login_failures).where(
                        login_failures.c.key == key, login_failures.c.at <= since
                    )
                )
                conn.execute(insert(login_failures).values(key=key, at=moment))
                count = conn.execute(
                    select(func.count()).where(
                        login_failures.c.key == key, login_failures.c.at > since
                    )
                ).scalar_one()
                if count >= self.max_failures:
                    until = moment + self.lockout_s
                    upsert(conn, login_lockouts, {"key": key}, {"until": until})
                    caused = Lockout(until)
        return caused

    def succeeded(self, account: str) -> None:
        """A correct login clears the account's failures (the client's stay counted)."""
        account_key, _ = keys(account, "")
        with self.database.begin() as conn:
            conn.execute(delete(login_failures).where(login_failures.c.key == account_key))
