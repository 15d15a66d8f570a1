"""Relational storage for order events, recommendation lists, merchandising and users.

SQLite in the data dir by default, PostgreSQL via DATABASE_URL; the schema is
managed by the Alembic migrations in `indexer/migrations`.
"""

from .database import Database, database_for

__all__ = ["Database", "database_for"]
