"""Dependency checks for /healthz: quick, bounded, and never raising."""

from __future__ import annotations

from typing import cast

from sqlalchemy import text

from storage import Database

from .answers import DependencyState, Health
from .context import WebServices


def health(services: WebServices) -> Health:
    """Each dependency's state; status down only when search itself cannot answer."""
    search = cast(DependencyState, services.engine.health())
    report: Health = {
        "status": "ok",
        "backend": services.settings.search_backend,
        "search": search,
        "database": database_state(services.database),
        "broker": broker_state(services.settings.celery_broker_url),
    }
    if search.get("status") != "ok":
        report["status"] = "down"
    elif report["database"]["status"] != "ok" or report["broker"]["status"] not in (
        "ok",
        "in-process",
    ):
        report["status"] = "degraded"
    return report


def database_state(db: Database) -> DependencyState:
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "down" here, reported not raised
        return {"status": "down", "dialect": db.dialect, "detail": type(exc).__name__}
    return {"status": "ok", "dialect": db.dialect}


def broker_state(broker_url: str | None) -> DependencyState:
    if not broker_url:
        return {"status": "in-process"}
    from kombu import Connection

    try:
        with Connection(broker_url, connect_timeout=1) as conn:
            conn.ensure_connection(max_retries=1, timeout=1)
    except Exception as exc:  # reported, not raised
        return {"status": "down", "detail": type(exc).__name__}
    return {"status": "ok"}
