"""The relational database: one SQLAlchemy engine, migrated to the latest schema on first use.

The composition root (`vitrina.services`) makes one Database per process for the
configured URL. A fresh machine needs no manual step: the first command, task or
request that touches the database runs the Alembic migrations (under a lock, so
concurrent starters agree).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import math
import threading
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_PG_MIGRATION_LOCK = 0x76697472  # "vitr": advisory lock id held while migrating


def _sqlite_power(base: float | None, exponent: float | None) -> float | None:
    if base is None or exponent is None:
        return None
    return math.pow(base, exponent)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA cache_size=-131072")  # 128 MB: bulk event loads stay fast
        try:
            cursor.execute("SELECT power(2, 2)")
        except Exception:  # SQLite built without math functions: provide power() in Python
            dbapi_connection.create_function("power", 2, _sqlite_power, deterministic=True)
        cursor.close()


class Database:
    """The engine for one URL, plus migrations and transactions."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            path = url.split("///", 1)[1] if "///" in url else ""
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_engine(url, connect_args={"timeout": 30})
            _configure_sqlite(self.engine)
        else:
            self.engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
        self._migrated = False
        self._lock = threading.Lock()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def migrate(self) -> None:
        """Bring the schema to the latest migration (idempotent, safe across processes)."""
        logging.getLogger("alembic").setLevel(logging.WARNING)
        with self._lock, self.engine.begin() as conn, self._migration_lock(conn):
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
        self._migrated = True

    @contextlib.contextmanager
    def _migration_lock(self, conn: Connection) -> Iterator[None]:
        if self.dialect == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
            yield
            return
        path = self.url.split("///", 1)[1] if "///" in self.url else ""
        if not path or path == ":memory:":
            yield
            return
        with open(path + ".migrate.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def ready(self) -> Database:
        if not self._migrated:
            self.migrate()
        return self

    @contextlib.contextmanager
    def begin(self) -> Iterator[Connection]:
        """A transaction on a migrated database: commits on success, rolls back on error."""
        self.ready()
        with self.engine.begin() as conn:
            yield conn

    @contextlib.contextmanager
    def connect(self) -> Iterator[Connection]:
        self.ready()
        with self.engine.connect() as conn:
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()
