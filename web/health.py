"""Dependency checks for /healthz: quick, bounded, and never raising."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from vitrina.config import Settings


def database_state(settings: Settings) -> dict[str, Any]:
    from indexer.storage.database import database_for

    db = database_for(settings)
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "down" here, reported not raised
        return {"status": "down", "dialect": db.dialect, "detail": type(exc).__name__}
    return {"status": "ok", "dialect": db.dialect}


def broker_state(settings: Settings) -> dict[str, Any]:
    if not settings.celery_broker_url:
        return {"status": "in-process"}
    from kombu import Connection

    try:
        with Connection(settings.celery_broker_url, connect_timeout=1) as conn:
            conn.ensure_connection(max_retries=1, timeout=1)
    except Exception as exc:  # reported, not raised
        return {"status": "down", "detail": type(exc).__name__}
    return {"status": "ok"}
