"""`vitrina events ingest`: validation, rejects, exit status, each event stored once.

The storing tests run on SQLite and on the real PostgreSQL: both must store and reject
the very same lines.
"""

from __future__ import annotations

import contextlib
import json
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from indexer.events import parse_events
from indexer.feed import Rejection
from storage.events import day_number
from storage.schema import order_events, order_rollup
from tests import events_backends
from tests.conftest import write_feed
from vitrina.cli import main
from vitrina.services import Services

GOOD = {"product_id": "p1", "country": "RU", "quantity": 2, "ts": "2026-11-26T10:00:00Z"}
NOV_26 = day_number(date(2026, 11, 26))
backend_settings = events_backends.backend_settings  # SQLite, then the real PostgreSQL


def reasons(lines: list[str]) -> list[str | tuple]:
    out = []
    for record in parse_events(line.encode() + b"\n" for line in lines):
        out.append(f"{record.line}: {record.reason}" if isinstance(record, Rejection) else record)
    return out


def stored_count(settings) -> int:
    with Services(settings).database.connect() as conn:
        return conn.execute(select(func.count()).select_from(order_events)).scalar_one()


def test_valid_events_become_compact_rows():
    rows = reasons(
        [
            json.dumps(GOOD),
            json.dumps({**GOOD, "ts": "2026-11-26T13:00:00+03:00", "price_usd": 9.5}),
            json.dumps({**GOOD, "order_id": 12345}),
            json.dumps({**GOOD, "ts": "2026-11-26T22:30:00Z", "order_id": "A-1"}),
        ]
    )
    assert rows == [
        ("p1", "RU", 2, 1795687200, None, None, NOV_26),
        ("p1", "RU", 2, 1795687200, 9.5, None, NOV_26),
        ("p1", "RU", 2, 1795687200, None, "12345", NOV_26),
        # 01:30 on the 27th in Moscow: the country's local date
        ("p1", "RU", 2, 1795732200, None, "A-1", NOV_26 + 1),
    ]


def test_each_bad_line_gets_its_line_number_and_reason():
    lines = [
        json.dumps(GOOD),
        "not json",
        "",
        json.dumps([1, 2]),
        json.dumps({**GOOD, "product_id": ""}),
        json.dumps({**GOOD, "product_id": "x" * 65}),
        json.dumps({**GOOD, "country": "XX"}),
        json.dumps({**GOOD, "country": "ru"}),
        json.dumps({**GOOD, "quantity": 0}),
        json.dumps({**GOOD, "quantity": 1.5}),
        json.dumps({**GOOD, "quantity": True}),
        json.dumps({**GOOD, "ts": "2026-11-26T10:00:00"}),
        json.dumps({**GOOD, "ts": "yesterday"}),
        json.dumps({**GOOD, "price_usd": -1}),
        json.dumps({k: v for k, v in GOOD.items() if k != "ts"}),
        json.dumps({**GOOD, "quantity": 2**31}),
        json.dumps({**GOOD, "quantity": 1_000_001}),
        json.dumps({**GOOD, "product_id": "p\u00001"}),
        json.dumps({**GOOD, "order_id": "o\u00001"}),
        json.dumps({**GOOD, "order_id": ["o1"]}),
        json.dumps({**GOOD, "ts": "0001-01-01T00:00:00+05:00"}),
        json.dumps({**GOOD, "price_usd": 10**400}),
        json.dumps({**GOOD, "quantity": 1_000_000}),
    ]
    out = reasons(lines)
    assert out[0] == ("p1", "RU", 2, 1795687200, None, None, NOV_26)
    assert out[1] == ("p1", "RU", 1_000_000, 1795687200, None, None, NOV_26)
    text = "\n".join(str(r) for r in out[2:])
    for expected in [
        "2: invalid JSON",
        "4: expected a JSON object, got list",
        "5: product_id",
        "6: product_id",
        "7: country",
        "8: country",
        "9: quantity",
        "10: quantity",
        "11: quantity",
        "12: ts: needs a time zone",
        "13: ts: not an ISO 8601 time",
        "14: price_usd",
        "15: ts: required",
        "16: quantity: must be an integer 1..1,000,000, got 2147483648",
        "17: quantity: must be an integer 1..1,000,000, got 1000001",
        "18: product_id: must not contain NUL",
        "19: order_id",
        "20: order_id",
        "21: ts: must be from 1970",
        "22: invalid JSON",  # orjson refuses numbers beyond a double
    ]:
        assert expected in text
    assert len(out) == 22  # the blank line is skipped, nothing else is dropped


def test_out_of_bounds_lines_are_rejected_alike_and_the_rest_stored(
    runner, backend_settings, tmp_path: Path
):
    """Defect 4 of issue 13: on PostgreSQL one line with quantity > 2**31 - 1 or a NUL in
    product_id aborted the whole file with a traceback (SQLite stored both)."""
    lines: list[dict | str] = [
        GOOD,
        {**GOOD, "product_id": "p2", "quantity": 2**31},
        {**GOOD, "product_id": "p\u00003"},
        {**GOOD, "product_id": "p4", "order_id": "o\u00004"},
        {**GOOD, "product_id": "p5", "quantity": 1_000_000},
    ]
    feed = write_feed(tmp_path / "events.jsonl", lines)
    rejects = tmp_path / "rejects.jsonl"
    result = runner.invoke(
        main, ["events", "ingest", str(feed), "--json", "--rejects", str(rejects)]
    )
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout) == {"lines": 5, "stored": 2, "duplicates": 0, "rejected": 3}
    rejected = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert [(r["line"], r["reason"].split(":")[0]) for r in rejected] == [
        (2, "quantity"),
        (3, "product_id"),
        (4, "order_id"),
    ]
    with Services(backend_settings).database.connect() as conn:
        rows = conn.execute(select(order_events.c.product_id, order_events.c.quantity))
        assert sorted(rows) == [("p1", 2), ("p5", 1_000_000)]


def test_an_overlong_line_is_rejected_unread_and_its_neighbours_stored(
    runner, backend_settings, tmp_path: Path
):
    """A broken export's 5 MB line is rejected by its length (never decoded) under its own
    number; the lines around it are stored."""
    huge = json.dumps({**GOOD, "product_id": "p2", "note": "x" * 5_000_000})
    feed = write_feed(tmp_path / "events.jsonl", [GOOD, huge, {**GOOD, "product_id": "p3"}])
    rejects = tmp_path / "rejects.jsonl"
    result = runner.invoke(
        main, ["events", "ingest", str(feed), "--json", "--rejects", str(rejects)]
    )
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout) == {"lines": 3, "stored": 2, "duplicates": 0, "rejected": 1}
    [rejected] = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert rejected["line"] == 2
    assert rejected["reason"] == "line longer than 65,536 bytes (the limit)"
    assert len(rejected["text"]) <= 1_001 and rejected["text"].endswith("…")
    with Services(backend_settings).database.connect() as conn:
        ids = conn.execute(select(order_events.c.product_id)).scalars()
        assert sorted(ids) == ["p1", "p3"]


def test_a_file_sent_again_with_one_more_line_stores_only_that_line(
    runner, backend_settings, tmp_path: Path
):
    """Defect 5 of issue 13: idempotency was a hash of the whole file, so the same events
    plus one line were all stored a second time."""
    events = [
        {**GOOD, "product_id": f"p{i}", "ts": f"2026-11-2{i % 7}T10:00:00Z"} for i in range(40)
    ]
    events += [{**GOOD, "product_id": "q", "order_id": f"o{i}"} for i in range(10)]
    first = write_feed(tmp_path / "first.jsonl", events)
    result = runner.invoke(main, ["events", "ingest", str(first), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"lines": 50, "stored": 50, "duplicates": 0, "rejected": 0}
    more = [*events, {**GOOD, "product_id": "new"}]
    # The same order sent again with another time or quantity is still the same order.
    more.append({**GOOD, "product_id": "q", "order_id": "o3", "quantity": 7})
    second = write_feed(tmp_path / "second.jsonl", more)
    result = runner.invoke(main, ["events", "ingest", str(second), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"lines": 52, "stored": 1, "duplicates": 51, "rejected": 0}
    assert stored_count(backend_settings) == 51
    with Services(backend_settings).database.connect() as conn:
        orders = conn.execute(select(func.sum(order_rollup.c.orders))).scalar_one()
    assert orders == 2 * 51  # the rollup counted each stored event once, duplicates never


def test_the_same_event_twice_in_one_file_is_one_event(runner, backend_settings, tmp_path: Path):
    feed = write_feed(tmp_path / "events.jsonl", [GOOD] * 3)
    result = runner.invoke(main, ["events", "ingest", str(feed), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"lines": 3, "stored": 1, "duplicates": 2, "rejected": 0}
    again = runner.invoke(main, ["events", "ingest", str(feed)])
    assert again.exit_code == 0 and "0 events stored, 3 already stored" in again.output
    assert stored_count(backend_settings) == 1


def test_cli_stores_valid_events_reports_rejects_and_exits_1(runner, settings, tmp_path: Path):
    feed = write_feed(tmp_path / "events.jsonl", [GOOD, {**GOOD, "product_id": "p2"}, "{broken"])
    rejects = tmp_path / "out" / "rejects.jsonl"
    result = runner.invoke(main, ["events", "ingest", str(feed), "--rejects", str(rejects)])
    assert result.exit_code == 1, result.output
    assert "2 events stored, 0 already stored, 1 rejected" in result.output
    rejected = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert [r["line"] for r in rejected] == [3] and rejected[0]["text"] == "{broken"
    assert stored_count(settings) == 2


def test_unusable_input_exits_2_and_stores_nothing(runner, settings, tmp_path: Path):
    missing = runner.invoke(main, ["events", "ingest", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code == 2 and "no such file" in missing.output
    feed = write_feed(tmp_path / "bad.jsonl", ["nope", json.dumps({**GOOD, "quantity": -1})])
    bad = runner.invoke(main, ["events", "ingest", str(feed)])
    assert bad.exit_code == 2 and "no valid event" in bad.output
    assert stored_count(settings) == 0


def test_a_big_file_parsed_in_a_helper_process_keeps_line_numbers(settings, tmp_path: Path):
    from indexer.events import PARALLEL_MIN_BYTES, ingest_events

    lines: list[dict | str] = []
    for i in range(60_000):
        lines.append(
            {**GOOD, "product_id": f"product-{i:08d}", "quantity": 1 + i % 3, "price_usd": 12.5}
        )
    lines[10_000] = "{broken"
    lines[45_123] = json.dumps({**GOOD, "country": "XX"})
    feed = write_feed(tmp_path / "big.jsonl", lines)
    assert feed.stat().st_size > PARALLEL_MIN_BYTES
    rejects = tmp_path / "rejects.jsonl"
    db = Services(settings).database
    report = ingest_events(feed, db, settings.data_dir, rejects_path=rejects, parallel=True)
    assert (report.stored, report.rejected) == (59_998, 2)
    assert [json.loads(line)["line"] for line in rejects.read_text().splitlines()] == [
        10_001,
        45_124,
    ]
    with db.connect() as conn:
        total = conn.execute(select(func.sum(order_events.c.quantity))).scalar_one()
    assert total == sum(1 + i % 3 for i in range(60_000) if i not in (10_000, 45_123))


def test_sigkill_mid_ingest_loses_nothing_and_a_rerun_stores_nothing_twice(
    runner, backend_settings, tmp_path: Path
):
    import os
    import signal
    import subprocess
    import sys
    import time

    count = 300_000
    lines = [
        {
            **GOOD,
            "product_id": f"p{i % 5000}",
            "quantity": 1 + i % 4,
            "ts": f"2026-11-{1 + i % 25:02d}T{i % 24:02d}:{i // 1440 % 60:02d}:{i // 24 % 60:02d}Z",
        }
        for i in range(count)
    ]
    lines[::3] = [{**e, "order_id": f"o{i}"} for i, e in enumerate(lines[::3])]
    feed = write_feed(tmp_path / "big.jsonl", lines)
    vitrina = Path(sys.executable).with_name("vitrina")
    ingest = subprocess.Popen(
        [str(vitrina), "events", "ingest", str(feed), "--json"],
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while stored_count(backend_settings) == 0 and time.monotonic() < deadline:
            assert ingest.poll() is None, "the ingest ended before it could be killed"
            time.sleep(0.02)
        ingest.send_signal(signal.SIGKILL)  # the parent alone, as the OOM killer would
        ingest.wait(10)
        lingering = True
        deadline = time.monotonic() + 10
        while lingering and time.monotonic() < deadline:
            try:
                os.killpg(ingest.pid, 0)  # any process left in its group (its parse helper)?
                time.sleep(0.05)
            except ProcessLookupError:
                lingering = False
        assert not lingering, "a worker of the killed ingest is still running"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(ingest.pid, signal.SIGKILL)
    before = stored_count(backend_settings)
    assert 0 < before < count
    result = runner.invoke(main, ["events", "ingest", str(feed), "--json"])
    assert result.exit_code == 0, result.output
    counts = json.loads(result.stdout)
    assert counts == {"lines": count, "stored": count - before, "duplicates": before, "rejected": 0}
    assert stored_count(backend_settings) == count
    with Services(backend_settings).database.connect() as conn:
        orders = conn.execute(select(func.sum(order_rollup.c.orders))).scalar_one()
    assert orders == sum(e["quantity"] for e in lines)


def test_two_ingests_of_one_file_at_once_store_each_event_once(backend_settings, tmp_path: Path):
    """A Celery redelivery while the first delivery still runs: each event lands once."""
    from concurrent.futures import ThreadPoolExecutor

    from indexer.events import ingest_events

    count = 120_000
    lines = [
        {**GOOD, "product_id": f"p{i % 700}", "ts": f"2026-11-{1 + i % 20:02d}T00:00:00Z"}
        | {"order_id": f"o{i}"}
        for i in range(count)
    ]
    feed = write_feed(tmp_path / "events.jsonl", lines)
    db = Services(backend_settings).database.ready()
    with ThreadPoolExecutor(2) as pool:
        runs = [
            pool.submit(ingest_events, feed, db, backend_settings.data_dir, rejects_path=None)
            for _ in range(2)
        ]
        reports = [run.result() for run in runs]
    assert sum(r.stored for r in reports) == count
    assert sum(r.duplicates for r in reports) == count
    assert stored_count(backend_settings) == count
    with db.connect() as conn:
        assert conn.execute(select(func.sum(order_rollup.c.orders))).scalar_one() == 2 * count
