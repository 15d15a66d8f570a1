"""Accounts of the people who use /admin/: names, roles, hashed passwords and API tokens.

Passwords are hashed with werkzeug's scrypt; an API token is 256 random bits shown
once, of which only the SHA-256 is stored (a random token needs no slow hash: there
is nothing to guess). A disabled account can neither sign in nor use its token.

Roles: a merchandiser curates (pins, exclusions, query rules, synonyms, reports,
previews); an admin does all of that and also manages accounts and reads the audit
log (`can`).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import insert, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from storage import Database
from storage.schema import users

from . import audit

ROLES = ("merchandiser", "admin")
# What each role may do beyond curating.
RIGHTS = {"merchandiser": frozenset(), "admin": frozenset({"accounts", "audit"})}
_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
TOKEN_PREFIX = "vt_"
PASSWORD_METHOD = "scrypt"


@cache
def _dummy_hash() -> str:
    """Checked against when the name is unknown: a wrong name costs what a wrong password does."""
    return generate_password_hash(secrets.token_hex(16), method=PASSWORD_METHOD)


class UserError(ValueError):
    """A user cannot be created or changed as asked (bad name, role or password)."""


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    disabled: bool = False
    created_at: int = 0
    has_token: bool = False

    def can(self, right: str) -> bool:
        """Whether the role has `right` ("accounts", "audit") beyond curating."""
        return right in RIGHTS.get(self.role, frozenset())

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role, "disabled": self.disabled}


def _user(row: Any) -> User:
    return User(
        row.id, row.name, row.role, bool(row.disabled), row.created_at, row.token_hash is not None
    )


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Accounts:
    """The accounts of the people who use /admin/, in one database."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def add(self, name: str, password: str, role: str = "merchandiser", *, by: str = "cli") -> User:
        """Create a user, or set the password and role of an existing one (enabling it)."""
        if not _NAME.match(name):
            raise UserError("name: 1..64 letters, digits or . _ @ -")
        if role not in ROLES:
            raise UserError(f"role must be one of {', '.join(ROLES)}")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise UserError(f"password: at least {MIN_PASSWORD_LENGTH} characters")
        if len(password) > MAX_PASSWORD_LENGTH:
            raise UserError(f"password: at most {MAX_PASSWORD_LENGTH} characters")
        hashed = generate_password_hash(password, method=PASSWORD_METHOD)
        with self.database.begin() as conn:
            row = conn.execute(select(users).where(users.c.name == name)).first()
            if row is None:
                user_id = conn.execute(
                    insert(users)
                    .values(name=name, password_hash=hashed, role=role, created_at=int(time.time()))
                    .returning(users.c.id)
                ).scalar_one()
                before = None
            else:
                user_id = row.id
                before = _user(row).to_dict()
                conn.execute(
                    update(users)
                    .where(users.c.id == user_id)
                    .values(password_hash=hashed, role=role, disabled=False)
                )
            user = _user(conn.execute(select(users).where(users.c.id == user_id)).one())
            audit.record(conn, by, "user.save", before=before, after=user.to_dict())
        return user

    def set_disabled(self, name: str, disabled: bool = True, *, by: str = "cli") -> User:
        """Disable (or enable again) an account; a disabled one keeps its history."""
        with self.database.begin() as conn:
            row = conn.execute(select(users).where(users.c.name == name)).first()
            if row is None:
                raise UserError(f"no user {name!r}")
            conn.execute(update(users).where(users.c.id == row.id).values(disabled=disabled))
            user = _user(conn.execute(select(users).where(users.c.id == row.id)).one())
            action = "user.disable" if disabled else "user.enable"
            audit.record(conn, by, action, before=_user(row).to_dict(), after=user.to_dict())
        return user

    def new_token(self, name: str, *, by: str = "cli") -> str:
        """A new API token for the user (replacing any older one); only its hash is kept."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.database.begin() as conn:
            row = conn.execute(select(users).where(users.c.name == name)).first()
            if row is None:
                raise UserError(f"no user {name!r}")
            if row.disabled:
                raise UserError(f"user {name!r} is disabled")
            conn.execute(
                update(users)
                .where(users.c.id == row.id)
                .values(token_hash=token_digest(token), token_created_at=int(time.time()))
            )
            audit.record(
                conn, by, "user.token", after={"name": name, "replaced": row.token_hash is not None}
            )
        return token

    def list(self) -> list[User]:
        with self.database.connect() as conn:
            return [_user(r) for r in conn.execute(select(users).order_by(users.c.name))]

    def authenticate(self, name: str, password: str) -> User | None:
        """The enabled user if the password matches, else None."""
        with self.database.connect() as conn:
            row = conn.execute(select(users).where(users.c.name == name)).first()
        if row is None:
            check_password_hash(_dummy_hash(), password)
            return None
        if not check_password_hash(row.password_hash, password) or row.disabled:
            return None
        return _user(row)

    def by_token(self, token: str) -> User | None:
        """The enabled user holding this API token, else None."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        digest = token_digest(token)
        with self.database.connect() as conn:
            row = conn.execute(select(users).where(users.c.token_hash == digest)).first()
        if row is None or row.disabled:
            return None
        return _user(row)

    def get(self, user_id: int) -> User | None:
        """The enabled user with this id (None when gone or disabled)."""
        with self.database.connect() as conn:
            row = conn.execute(select(users).where(users.c.id == user_id)).first()
        return _user(row) if row is not None and not row.disabled else None
