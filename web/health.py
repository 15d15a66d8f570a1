"""Health for /healthz (readiness) and /livez (liveness), answered from cached probe results.

Each dependency is probed by its own background thread every PROBE_EVERY_S, with short
timeouts; /healthz reads the latest results, so it answers in milliseconds whatever the
dependencies do. A probe that has not answered within PROBE_DEADLINE_S counts as down
(a server that accepts connections and never answers is down). /healthz answers 503 when
a dependency the request path needs is down: search, the database, and the broker when
one is configured. /livez only says the process serves (an orchestrator restarts on it;
a database outage is no reason to restart a web worker).
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from typing import cast

from flask import Flask
from sqlalchemy import text
from typing_extensions import TypedDict

from storage import Database

from .answers import DependencyState, Health
from .context import WebServices

PROBE_EVERY_S = 2.0
PROBE_DEADLINE_S = 0.4  # /healthz answers within 500 ms: it waits this long at most
BROKER_TIMEOUT_S = 1.0
EXTENSION = "vitrina.health"

DEPENDENCIES = ("search", "database", "broker")


class Liveness(TypedDict):
    """`GET /livez`: the process is up and serving requests."""

    status: str


class _Watch:
    """One dependency probed over and over by a daemon thread; the latest result kept.
    The thread ends once its monitor is gone (an app discarded, as tests do)."""

    def __init__(self, name: str, monitor: HealthMonitor, every_s: float) -> None:
        self.name, self.every_s = name, every_s
        self.monitor = weakref.ref(monitor)
        self.result: DependencyState | None = None
        self.started_at: float | None = None  # of the probe running now (None: none runs)
        self.changed = threading.Condition()
        self.thread = threading.Thread(target=self._run, name=f"health-{name}", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            monitor = self.monitor()
            if monitor is None:
                return
            with self.changed:
                self.started_at = time.monotonic()
            try:
                result = monitor.probe(self.name)
            except Exception as exc:  # a probe reports; it never stops probing
                result = {"status": "down", "detail": type(exc).__name__}
            del monitor
            with self.changed:
                self.result, self.started_at = result, None
                self.changed.notify_all()
            time.sleep(self.every_s)

    def state(self, deadline: float) -> DependencyState:
        """The latest result; waits until `deadline` (monotonic) for a first or a late one."""
        with self.changed:
            while self._late_or_missing() and time.monotonic() < deadline:
                self.changed.wait(max(0.0, deadline - time.monotonic()))
            started = self.started_at
            if started is not None and time.monotonic() - started >= PROBE_DEADLINE_S:
                waited = time.monotonic() - started
                return {"status": "down", "detail": f"no answer for {waited:.1f} s"}
            return self.result or {"status": "down", "detail": "not probed yet"}

    def _late_or_missing(self) -> bool:
        if self.result is None:
            return True
        started = self.started_at
        return started is not None and time.monotonic() - started >= PROBE_DEADLINE_S


class HealthMonitor:
    """The probes of one app's dependencies, started on the first /healthz of a process."""

    def __init__(self, services: WebServices, every_s: float = PROBE_EVERY_S) -> None:
        self.services = services
        self.pid = 0
        self.every_s = every_s
        self.watches: dict[str, _Watch] = {}
        self._lock = threading.Lock()

    def probe(self, name: str) -> DependencyState:
        """Ask one dependency now (from its watch's thread)."""
        svc = self.services
        if name == "search":
            return cast(DependencyState, svc.engine.health())
        if name == "database":
            return database_state(svc.database)
        return broker_state(svc.settings.celery_broker_url)

    def _started(self) -> dict[str, _Watch]:
        with self._lock:
            if self.pid != os.getpid():  # threads do not survive a fork: start them here
                self.pid = os.getpid()
                self.watches = {name: _Watch(name, self, self.every_s) for name in DEPENDENCIES}
            return self.watches

    def report(self) -> Health:
        watches = self._started()
        deadline = time.monotonic() + PROBE_DEADLINE_S
        states = {name: watch.state(deadline) for name, watch in watches.items()}
        report: Health = {
            "status": "ok",
            "backend": self.services.settings.search_backend,
            "search": states["search"],
            "database": states["database"],
            "broker": states["broker"],
        }
        needed = [report["search"], report["database"], report["broker"]]
        if any(state.get("status") not in ("ok", "in-process") for state in needed):
            report["status"] = "down"
        return report


def monitor(app: Flask, services: WebServices) -> HealthMonitor:
    """The app's health monitor (one per app, probing in each process that asks)."""
    found = app.extensions.get(EXTENSION)
    if found is None:
        found = app.extensions[EXTENSION] = HealthMonitor(services)
    return cast(HealthMonitor, found)


def database_state(db: Database) -> DependencyState:
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "down" here, reported not raised
        return {"status": "down", "dialect": db.dialect, "detail": type(exc).__name__}
    return {"status": "ok", "dialect": db.dialect}


def broker_state(broker_url: str | None, timeout_s: float = BROKER_TIMEOUT_S) -> DependencyState:
    """The broker answers a PING (Redis) or a connection (other transports) within `timeout_s`."""
    if not broker_url:
        return {"status": "in-process"}
    try:
        if broker_url.startswith(("redis://", "rediss://")):
            import redis

            client = redis.Redis.from_url(
                broker_url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s
            )
            try:
                client.ping()
            finally:
                client.close()
        else:
            from kombu import Connection

            options = {"socket_timeout": timeout_s, "socket_connect_timeout": timeout_s}
            with Connection(
                broker_url, connect_timeout=timeout_s, transport_options=options
            ) as conn:
                conn.ensure_connection(max_retries=1, timeout=timeout_s)
    except Exception as exc:  # reported, not raised
        return {"status": "down", "detail": type(exc).__name__}
    return {"status": "ok"}
