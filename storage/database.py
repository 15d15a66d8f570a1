"""The relational database: one SQLAlchemy engine, migrated to the latest schema on first use.

The composition root (`vitrina.services`) makes one Database per process for the
configured URL. A fresh machine needs no manual step: the first command, task or
request that touches the database runs the Alembic migrations (under a lock, so
concurrent starters agree). A process first reads the schema's revision with one
query and imports Alembic only when there is something to migrate (Alembic and what
it loads cost every serving process ~11 MB).
"""

from __future__ import annotations

import ast
import contextlib
import fcntl
import logging
import math
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, exc, text

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_PG_MIGRATION_LOCK = 0x76697472  # "vitr": advisory lock id held while migrating


def head_revisions(migrations: Path = MIGRATIONS) -> frozenset[str]:
    """The head revisions of the migration scripts, read from their `revision` and
    `down_revision` assignments (what Alembic reads) without importing Alembic."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (migrations / "versions").glob("*.py"):
        found: dict[str, object] = {}
        for node in ast.parse(script.read_text(encoding="utf-8")).body:
            target: ast.expr
            if isinstance(node, ast.AnnAssign) and node.value is not None:
                target, value = node.target, node.value
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            else:
                continue
            if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                found[target.id] = ast.literal_eval(value)
        if isinstance(found.get("revision"), str):
            revisions.add(str(found["revision"]))
            down = found.get("down_revision")
            parents.update([down] if isinstance(down, str) else down or ())  # type: ignore[arg-type]
    return frozenset(revisions - parents)


def _sqlite_power(base: float | None, exponent: float | None) -> float | None:
    if base is None or exponent is None:
        return None
    return math.pow(base, exponent)


# SQLite's page cache per connection: large for batch work (bulk event loads stay fast);
# SQLite's own default in serving processes, whose every search appends to the search log:
# a large cache kept each page written since the start, growing a worker for good.
SQLITE_CACHE_MB = 128
SERVING_SQLITE_CACHE_MB = 2


def _configure_sqlite(engine: Engine, cache_mb: int) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute(f"PRAGMA cache_size=-{int(cache_mb * 1024)}")  # in KiB when negative
        try:
            cursor.execute("SELECT power(2, 2)")
        except Exception:  # SQLite built without math functions: provide power() in Python
            dbapi_connection.create_function("power", 2, _sqlite_power, deterministic=True)
        cursor.close()


CONNECT_TIMEOUT_S = 2  # psycopg's least (it raises anything below to 2 s)
FAIL_FAST_S = 5.0  # after a failed connect, new connects fail at once for this long


def _server_timeouts(connect_timeout_s: float, statement_timeout_s: float | None) -> dict:
    """psycopg connection arguments: a connect timeout, keepalives that notice a dead peer,
    and (when given) a statement timeout the server enforces."""
    args: dict = {
        "connect_timeout": max(CONNECT_TIMEOUT_S, math.ceil(connect_timeout_s)),
        "keepalives": 1,
        "keepalives_idle": 5,
        "keepalives_interval": 1,
        "keepalives_count": 3,
        "tcp_user_timeout": int(max(connect_timeout_s, 1) * 1000),
    }
    if statement_timeout_s:
        args["options"] = f"-c statement_timeout={int(statement_timeout_s * 1000)}"
    return args


class _FailFast:
    """Connects for one engine that fail at once for FAIL_FAST_S after one failed: a silent
    or refusing server costs one connect timeout, not one per request."""

    def __init__(self, engine: Engine, window_s: float = FAIL_FAST_S) -> None:
        self.window_s = window_s
        self.failed_at: float | None = None
        self.error: Exception | None = None
        event.listen(engine, "do_connect", self.connect)

    def connect(self, dialect, _record, cargs, cparams):
        failed_at = self.failed_at
        if failed_at is not None and time.monotonic() - failed_at < self.window_s:
            raise dialect.loaded_dbapi.OperationalError(
                f"the database did not answer {time.monotonic() - failed_at:.1f} s ago "
                f"({type(self.error).__name__}); not trying again for {self.window_s:g} s"
            )
        try:
            connection = dialect.connect(*cargs, **cparams)
        except Exception as exc:
            self.failed_at, self.error = time.monotonic(), exc
            raise
        self.failed_at = self.error = None
        return connection


class Database:
    """The engine for one URL, plus migrations and transactions.

    On a server database every connect gives up after `connect_timeout_s` (then new ones
    fail at once for a few seconds), and `statement_timeout_s`, when given, bounds every
    statement: serving processes pass a short one, batch work none. `sqlite_cache_mb` is
    each SQLite connection's page cache (serving processes pass SERVING_SQLITE_CACHE_MB).
    """

    def __init__(
        self,
        url: str,
        connect_timeout_s: float = CONNECT_TIMEOUT_S,
        statement_timeout_s: float | None = None,
        sqlite_cache_mb: int = SQLITE_CACHE_MB,
    ) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            path = url.split("///", 1)[1] if "///" in url else ""
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_engine(url, connect_args={"timeout": 30})
            _configure_sqlite(self.engine, sqlite_cache_mb)
        else:
            connect_args = (
                _server_timeouts(connect_timeout_s, statement_timeout_s)
                if "psycopg" in url or url.startswith("postgresql://")
                else {}
            )
            self.engine = create_engine(
                url,
                pool_pre_ping=True,
                pool_size=5,
                max_overflow=5,
                pool_timeout=connect_timeout_s,
                connect_args=connect_args,
            )
            _FailFast(self.engine)
        self._migrated = False
        self._lock = threading.Lock()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def migrate(self) -> None:
        """Bring the schema to the latest migration (idempotent, safe across processes)."""
        from alembic import command
        from alembic.config import Config

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

    def at_head(self) -> bool:
        """Whether the schema is at the migrations' head (one query, no Alembic): False
        when it is older, newer, or not there at all."""
        try:
            with self.engine.connect() as conn:
                stamped = conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
                return frozenset(stamped) == head_revisions()
        except (exc.OperationalError, exc.ProgrammingError):  # no such table (or no database)
            return False

    def ready(self) -> Database:
        """The database, migrated first when its schema is not at the head."""
        if not self._migrated:
            if self.at_head():
                self._migrated = True
            else:
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
