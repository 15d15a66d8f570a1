"""Celery tasks retry what may pass by itself (a service down, the lock held, a full disk)
and give up at once on what will not (a feed that cannot be used)."""

from __future__ import annotations

import errno

import pytest

from indexer import tasks
from indexer.indexing import FeedUnusable
from indexer.safeguards import DiskFull


def failing_then_done(monkeypatch, error: Exception, failures: int) -> list[str]:
    calls: list[str] = []

    def run_index(services, feed_path: str, full: bool) -> dict:
        calls.append(feed_path)
        if len(calls) <= failures:
            raise error
        return {"feed": feed_path, "full": full}

    monkeypatch.setattr(tasks, "run_index", run_index)
    return calls


def test_a_full_disk_is_retried_until_space_is_freed(monkeypatch, settings):
    full = DiskFull(errno.ENOSPC, "disk full: the index in service is unchanged")
    calls = failing_then_done(monkeypatch, full, failures=2)
    result = tasks.reindex.apply(args=["catalog.jsonl"])
    assert result.get() == {"feed": "catalog.jsonl", "full": True}
    assert len(calls) == 3


def test_an_unusable_feed_is_not_retried(monkeypatch, settings):
    calls = failing_then_done(monkeypatch, FeedUnusable("catalog.jsonl: not JSON"), failures=1)
    result = tasks.reindex.apply(args=["catalog.jsonl"])
    with pytest.raises(FeedUnusable):
        result.get()
    assert len(calls) == 1
