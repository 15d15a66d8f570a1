"""Relational storage: order events, recommendation lists, merchandising and accounts.

SQLite in the data dir by default, PostgreSQL via DATABASE_URL; the schema
(`storage/schema.py`) is managed by the Alembic migrations in `storage/migrations`.
"""

from .database import Database

__all__ = ["Database"]
