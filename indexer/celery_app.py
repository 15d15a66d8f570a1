"""The Celery app: `celery -A indexer.celery_app worker` consumes every queue below and
`celery -A indexer.celery_app beat` runs the schedule (one beat process only).

The broker is CELERY_BROKER_URL (Redis in production and tests). Without it the
project runs the same plain functions in-process (see indexer.tasks.run_or_send).
"""

from __future__ import annotations

from celery import Celery
from celery.schedules import crontab
from kombu import Queue

from vitrina.config import load_settings

QUEUES = ("indexing", "events", "recommendations")

# Every 15 minutes: build each country's list shortly after its local midnight, and any
# recent local date that has none yet (a missed day is caught up).
TICK_MINUTES = "*/15"


def make_app(broker_url: str | None = None) -> Celery:
    """A configured Celery app; `broker_url` defaults to the settings' CELERY_BROKER_URL."""
    broker = broker_url or load_settings().celery_broker_url or "memory://"
    celery = Celery("vitrina", broker=broker, include=["indexer.tasks"])
    celery.conf.update(
        result_backend=broker if broker.startswith(("redis://", "rediss://")) else None,
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
    )
    return celery


app = make_app()
