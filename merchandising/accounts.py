"""Merchandiser accounts: names, hashed passwords (werkzeug.security) and roles."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from storage import Database
from storage.schema import users

ROLES = ("merchandiser", "admin")
_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
MIN_PASSWORD_LENGTH = 8


class UserError(ValueError):
    """A user cannot be created as asked (bad name, role or password)."""


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str


class Accounts:
    """The accounts of the people who use /admin/, in one database."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def add(self, name: str, password: str, role: str = "merchandiser") -> User:
        """Create a user, or set the password and role of an existing one."""
        if not _NAME.match(name):
            raise UserError("name: 1..64 letters, digits or . _ @ -")
        if role not in ROLES:
            raise UserError(f"role must be one of {', '.join(ROLES)}")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise UserError(f"password: at least {MIN_PASSWORD_LENGTH} characters")
        hashed = generate_password_hash(password)
        with self.database.begin() as conn:
            row = conn.execute(select(users.c.id).where(users.c.name == name)).first()
            if row is None:
                user_id = conn.execute(
                    insert(users)
                    .values(name=name, password_hash=hashed, role=role, created_at=int(time.time()))
                    .returning(users.c.id)
                ).scalar_one()
            else:
                user_id = row.id
                conn.execute(
                    update(users)
                    .where(users.c.id == user_id)
                    .values(password_hash=hashed, role=role)
                )
        return User(user_id, name, role)

    def authenticate(self, name: str, password: str) -> User | None:
        """The user if the password matches, else None."""
        with self.database.connect() as conn:
            row = conn.execute(select(users).where(users.c.name == name)).first()
        if row is None or not check_password_hash(row.password_hash, password):
            return None
        return User(row.id, row.name, row.role)

    def get(self, user_id: int) -> User | None:
        with self.database.connect() as conn:
            row = conn.execute(select(users).where(users.c.id == user_id)).first()
        return User(row.id, row.name, row.role) if row else None
