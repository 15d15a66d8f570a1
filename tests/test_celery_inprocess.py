"""Without CELERY_BROKER_URL the same job functions run in-process."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import make_product, write_feed
from vitrina.services import Services


def test_reindex_request_runs_here_without_a_broker(settings, tmp_path: Path):
    feed = write_feed(
        tmp_path / "feed.jsonl", [make_product("a", "сумка"), make_product("b", "чехол"), "{bad"]
    )
    jobs = Services(settings).jobs
    result = jobs.reindex(str(feed))
    assert result["products"] == 2 and result["rejected"] == 1
    assert set(Services(settings).engine.get_products(["a", "b"])) == {"a", "b"}
    changes = write_feed(tmp_path / "changes.jsonl", [{"id": "a", "deleted": True}])
    jobs.reindex(str(changes), full=False)
    assert set(Services(settings).engine.get_products(["a", "b"])) == {"b"}
