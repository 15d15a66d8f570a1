"""`vitrina events ingest`: validation, rejects, exit status, idempotence."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from indexer.events import parse_events
from indexer.feed import Rejection
from storage.schema import order_events
from tests.conftest import write_feed
from vitrina.cli import main
from vitrina.services import Services

GOOD = {"product_id": "p1", "country": "RU", "quantity": 2, "ts": "2026-11-26T10:00:00Z"}


def reasons(lines: list[str]) -> list[str | tuple]:
    out = []
    for record in parse_events(line.encode() + b"\n" for line in lines):
        out.append(f"{record.line}: {record.reason}" if isinstance(record, Rejection) else record)
    return out


def test_valid_events_become_compact_rows():
    rows = reasons(
        [
            json.dumps(GOOD),
            json.dumps({**GOOD, "ts": "2026-11-26T13:00:00+03:00", "price_usd": 9.5}),
        ]
    )
    assert rows == [("p1", "RU", 2, 1795687200, None), ("p1", "RU", 2, 1795687200, 9.5)]


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
    ]
    out = reasons(lines)
    assert out[0] == ("p1", "RU", 2, 1795687200, None)
    text = "\n".join(str(r) for r in out[1:])
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
    ]:
        assert expected in text
    assert len(out) == 14  # the blank line is skipped, nothing else is dropped


def test_cli_stores_valid_events_reports_rejects_and_exits_1(runner, settings, tmp_path: Path):
    feed = write_feed(tmp_path / "events.jsonl", [GOOD, {**GOOD, "product_id": "p2"}, "{broken"])
    rejects = tmp_path / "out" / "rejects.jsonl"
    result = runner.invoke(main, ["events", "ingest", str(feed), "--rejects", str(rejects)])
    assert result.exit_code == 1, result.output
    assert "2 events stored, 1 rejected" in result.output
    rejected = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert [r["line"] for r in rejected] == [3] and rejected[0]["text"] == "{broken"
    db = Services(settings).database
    with db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(order_events)).scalar_one() == 2


def test_ingesting_the_same_file_twice_counts_its_orders_once(runner, settings, tmp_path: Path):
    feed = write_feed(tmp_path / "events.jsonl", [GOOD] * 3)
    assert runner.invoke(main, ["events", "ingest", str(feed)]).exit_code == 0
    again = runner.invoke(main, ["events", "ingest", str(feed)])
    assert again.exit_code == 0 and "already ingested" in again.output
    with Services(settings).database.connect() as conn:
        assert conn.execute(select(func.count()).select_from(order_events)).scalar_one() == 3


def test_unusable_input_exits_2_and_stores_nothing(runner, settings, tmp_path: Path):
    missing = runner.invoke(main, ["events", "ingest", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code == 2 and "no such file" in missing.output
    feed = write_feed(tmp_path / "bad.jsonl", ["nope", json.dumps({**GOOD, "quantity": -1})])
    bad = runner.invoke(main, ["events", "ingest", str(feed)])
    assert bad.exit_code == 2 and "no valid event" in bad.output
    with Services(settings).database.connect() as conn:
        assert conn.execute(select(func.count()).select_from(order_events)).scalar_one() == 0


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
    assert (report.accepted, report.rejected) == (59_998, 2)
    assert [json.loads(line)["line"] for line in rejects.read_text().splitlines()] == [
        10_001,
        45_124,
    ]
    with db.connect() as conn:
        total = conn.execute(select(func.sum(order_events.c.quantity))).scalar_one()
    assert total == sum(1 + i % 3 for i in range(60_000) if i not in (10_000, 45_123))
