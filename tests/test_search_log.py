"""The search log: written in batches by a background thread, bounded, never in the way of
a search; kept for its retention period; read by the reports."""

from __future__ import annotations

import threading
import time

from sqlalchemy import func, insert, select

from merchandising.reports import SearchReports
from search.analytics import SearchLog, logged_query
from search.params import SearchParams
from storage.schema import search_log


def logged(database) -> int:
    with database.connect() as conn:
        return conn.execute(select(func.count()).select_from(search_log)).scalar_one()


def test_searches_are_written_in_batches_by_a_background_thread(services):
    database = services.database
    writes = []
    real_begin = database.begin

    def counting_begin():
        writes.append(threading.current_thread().name)
        return real_begin()

    database.begin = counting_begin  # type: ignore[method-assign]
    log = SearchLog(database, delay_s=0.2)
    for n in range(300):
        log.record("ru", "RU", f"Запрос  {n % 7}", f"запрос {n % 7}", n % 3)
    assert writes == []  # recording never touched the database
    deadline = time.monotonic() + 5
    while logged(database) < 300 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert logged(database) == 300 and log.written == 300
    assert writes and set(writes) == {"search-log"}
    assert len(writes) <= 3  # one insert per batch (and the retention purge)
    rows = SearchReports(database).queries("top", days=1)
    assert rows[0].query == "запрос 0" and rows[0].searches == 43


def test_a_full_queue_or_a_database_down_drops_searches_and_counts_them(services):
    class Down:
        def begin(self):
            raise ConnectionError("down")

    log = SearchLog(Down(), delay_s=60, max_queued=5)  # type: ignore[arg-type]
    started = time.perf_counter()
    for _ in range(8):
        log.record("ru", "RU", "чайник", "чайник", 3)
    assert time.perf_counter() - started < 0.05
    assert log.dropped == 3  # the queue holds five
    assert log.flush() == 0 and log.dropped == 8


def test_old_searches_are_deleted_after_the_retention_period(services):
    database = services.database
    now = int(time.time())
    with database.begin() as conn:
        conn.execute(
            insert(search_log),
            [
                {"at": now - 100 * 86400, "locale": "ru", "country": "RU", "query": "старый",
                 "understood": "старый", "results": 1},
                {"at": now - 10 * 86400, "locale": "ru", "country": "RU", "query": "свежий",
                 "understood": "свежий", "results": 0},
            ],
        )  # fmt: skip
    SearchLog(database, retention_days=90).flush()
    reports = SearchReports(database)
    assert [r.query for r in reports.queries("top", days=365)] == ["свежий"]
    assert [r.query for r in reports.queries("zero", days=30)] == ["свежий"]
    assert reports.queries("zero", days=7) == []
    per_day = reports.per_day(days=30)
    assert len(per_day) == 30 and sum(day[1] for day in per_day) == 1
    assert sum(day[2] for day in per_day) == 1


def test_only_shoppers_first_pages_of_a_query_are_logged(demo_services):
    search = demo_services.search
    search.run(SearchParams(q="Чайник"))
    search.run(SearchParams(q="чайник", page=2))  # the same search, paged
    search.run(SearchParams(q=""))  # browsing is not a search
    search.run(SearchParams(q="чайник"), observed=False)  # an admin's preview
    demo_services.search_log.flush()
    rows = demo_services.reports.queries("top")
    assert [(r.query, r.searches) for r in rows] == [("чайник", 1)]
    assert rows[0].results > 0


def test_queries_are_grouped_as_typed_apart_from_case_and_spacing():
    assert logged_query("  Кожаная   СУМКА ") == "кожаная сумка"
    assert len(logged_query("x" * 1000)) == 256
