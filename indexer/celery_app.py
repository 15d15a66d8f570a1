"""The Celery app: `celery -A indexer.celery_app worker` consumes every queue below and
`celery -A indexer.celery_app beat` runs the schedule (one beat process only).

The broker is CELERY_BROKER_URL (Redis in production and tests). Without it the
project runs the same plain functions in-process (see indexer/jobs.py).

Settings and services come from the composition root, `vitrina.services`, which
builds every long-lived object of a process. This module names it rather than
imports it (nothing under indexer/ imports vitrina): Celery resolves the name on
first use, the way it names its own pluggable classes (`loader`, `task_cls`).
"""

from __future__ import annotations

from celery import Celery
from celery.schedules import crontab
from celery.utils.imports import symbol_by_name
from kombu import Queue

COMPOSITION_ROOT = "vitrina.services"
QUEUES = ("indexing", "events", "recommendations")

# Every 15 minutes: build each country's list shortly after its local midnight, and any
# recent local date that has none yet (a missed day is caught up).
TICK_MINUTES = "*/15"


def broker_settings(broker_url: str | None) -> dict[str, str | None]:
    """Broker and result backend for CELERY_BROKER_URL (None: an in-memory broker)."""
    broker = broker_url or "memory://"
    backend = broker if broker.startswith(("redis://", "rediss://")) else None
    return {"broker_url": broker, "result_backend": backend}


def make_app(broker_url: str | None = None, *, root: str = COMPOSITION_ROOT) -> Celery:
    """A configured Celery app.

    With `broker_url` (the composition root sending work) the app uses it; without, the
    broker and the tasks' services come from `root`'s `celery_settings()` and
    `worker_services()` (a worker started by `celery -A indexer.celery_app`).
    """
    celery = Celery("vitrina", include=["indexer.tasks"])
    celery.conf.update(
        result_expires=24 * 3600,
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_track_started=True,
        worker_prefetch_multiplier=1,
        task_queues=[Queue(name) for name in QUEUES],
        task_default_queue="recommendations",
        task_routes={
            "vitrina.reindex": {"queue": "indexing"},
            "vitrina.index_changes": {"queue": "indexing"},
            "vitrina.ingest_events": {"queue": "events"},
            "vitrina.build_recommendations": {"queue": "recommendations"},
            "vitrina.build_all_recommendations": {"queue": "recommendations"},
            "vitrina.recommendations_tick": {"queue": "recommendations"},
        },
        # An unacknowledged task of a lost worker comes back after this long.
        broker_transport_options={"visibility_timeout": 3600},
        broker_connection_retry_on_startup=True,
        timezone="UTC",
        beat_schedule={
            "recommendations-after-local-midnight": {
                "task": "vitrina.recommendations_tick",
                "schedule": crontab(minute=TICK_MINUTES),
            }
        },
        vitrina_services=f"{root}:worker_services",
    )
    if broker_url is not None:
        celery.conf.update(broker_settings(broker_url))
    else:
        celery.add_defaults(lambda: symbol_by_name(f"{root}:celery_settings")())
    return celery


app = make_app()
