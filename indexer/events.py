"""Order events (SPEC.md, "Order events feed"), validated and stored through the indexer's pipeline.

Same reject rules, rejects file and report as the catalog (indexer/reports.py) and the
same worker pool (indexer/pipeline.py): a big file is parsed on a forked helper while
this process inserts. Every bad line goes to the rejects file with its number and
reason, every valid line is stored, and the exit status says which happened. A file
is stored in one transaction and remembered by its SHA-256, so a retried or repeated
ingest never counts the same orders twice.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import orjson
from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError
from tqdm import tqdm

from storage import Database
from storage.schema import event_files, order_events

from .feed import MAX_ID_LENGTH, Rejection, country_codes
from .inputs import counted_lines, numbered_chunks, open_input
from .pipeline import in_order, worker_pool
from .reports import InputReport, RejectsWriter, default_rejects_path

_COUNTRIES = country_codes()
EVENT_COLUMNS = ("product_id", "country", "quantity", "ts", "price_usd")
# A stored event: (product_id, country, quantity, epoch seconds, price_usd or None).
EventRow = tuple[str, str, int, int, float | None]
# (first line number, lines) -> (rows or COPY text, row count, rejections)
ParseChunk = Callable[[int, list[bytes]], tuple[list[EventRow] | bytes, int, list[Rejection]]]


class EventsUnusable(Exception):
    """The events file cannot be used at all (missing, unreadable, nothing valid in it)."""


@dataclass
class EventsReport(InputReport):
    accepted: int = 0
    already_ingested: bool = False

    def summary(self) -> str:
        if self.already_ingested:
            return f"{self.path}: already ingested (same content); nothing stored"
        return (
            f"{self.lines} lines in {self.seconds:.1f}s ({self.rate:,.0f}/s): "
            f"{self.accepted} events stored, {self.rejected} rejected"
        ) + self.rejects_note()


PARSE_CHUNK = 8192
PARSE_WINDOW = 4  # chunks parsed ahead of the inserts
PARALLEL_MIN_BYTES = 4_000_000  # below ~40k events forking costs more than it saves


def parse_chunks(lines: Iterable[bytes]) -> Iterator[tuple[list[EventRow], list[Rejection]]]:
    """Rows to store and Rejections, a chunk of lines at a time (the hot loop of ingestion).

    Lines are decoded a chunk at a time as one JSON array, which is several times faster
    than one `loads` per line; a chunk with any line that is not a lone `{...}` object
    falls back to line-by-line decoding so each bad line gets its own reason.
    """
    for start, chunk in numbered_chunks(lines, PARSE_CHUNK):
        yield parse_lines(start, chunk)


def parse_lines(start: int, lines: list[bytes]) -> tuple[list[EventRow], list[Rejection]]:
    """Rows and Rejections of consecutive lines, the first of which is line `start`."""
    return _parse_chunk(list(enumerate(lines, start)))


def parse_events(lines: Iterable[bytes]) -> Iterator[EventRow | Rejection]:
    """Each chunk's rows, then its Rejections (convenient where volume does not matter)."""
    for rows, rejections in parse_chunks(lines):
        yield from rows
        yield from rejections


def _rows_and_count(start: int, lines: list[bytes]) -> tuple[list[EventRow], int, list[Rejection]]:
    rows, rejections = parse_lines(start, lines)
    return rows, len(rows), rejections


def _decode(kept: list[tuple[int, bytes]], rejections: list[Rejection]) -> list:
    loads = orjson.loads
    if all(raw[:1] == b"{" and raw[-1:] == b"}" for _, raw in kept):
        try:
            values = loads(b"[" + b",".join(raw for _, raw in kept) + b"]")
        except ValueError:
            values = None
        if values is not None and len(values) == len(kept):
            return values
    values = []
    for number, raw in kept:
        try:
            values.append(loads(raw))
        except ValueError as exc:  # includes bad UTF-8
            values.append(None)
            rejections.append(Rejection(number, f"invalid JSON: {exc}", _text(raw)))
    return values


def _parse_chunk(numbered: list[tuple[int, bytes]]) -> tuple[list[EventRow], list[Rejection]]:
    """The events' one set of rules, applied to a chunk of lines (the hot loop of ingestion).

    Checks run in the order a valid event passes them; the first one that fails names
    the line's reason.
    """
    rows: list[EventRow] = []
    rejections: list[Rejection] = []
    kept = [(n, raw.strip()) for n, raw in numbered]
    kept = [(n, raw) for n, raw in kept if raw]
    append, countries, fromiso, inf = rows.append, _COUNTRIES, datetime.fromisoformat, math.inf

    def reject(number: int, reason: str, raw: bytes) -> None:
        rejections.append(Rejection(number, reason, _text(raw)))

    for (number, raw), data in zip(kept, _decode(kept, rejections), strict=True):
        if type(data) is not dict:
            if data is not None:  # None: not JSON, already rejected by _decode
                reject(number, f"expected a JSON object, got {type(data).__name__}", raw)
            continue
        product_id = data.get("product_id")
        if (
            type(product_id) is not str
            or not 0 < len(product_id) <= MAX_ID_LENGTH
            or product_id.isspace()
        ):
            reject(number, f"product_id: must be a string of 1..{MAX_ID_LENGTH} characters", raw)
            continue
        country = data.get("country")
        if type(country) is not str or country not in countries:
            reject(number, f"country: not an ISO 3166 alpha-2 code: {country!r}", raw)
            continue
        quantity = data.get("quantity")
        if type(quantity) is not int or quantity < 1:
            reject(number, f"quantity: must be an integer >= 1, got {quantity!r}", raw)
            continue
        ts = data.get("ts")
        if type(ts) is not str:
            reject(number, "ts: required, an ISO 8601 time with a time zone", raw)
            continue
        price = data.get("price_usd")
        if price is not None and (
            (type(price) is not float and type(price) is not int) or not 0 < price < inf
        ):
            reject(number, f"price_usd: must be a number > 0, got {price!r}", raw)
            continue
        try:
            moment = fromiso(ts)
        except ValueError:
            reject(number, f"ts: not an ISO 8601 time: {ts!r}", raw)
            continue
        if moment.tzinfo is None:
            reject(number, f"ts: needs a time zone (e.g. Z or +03:00): {ts!r}", raw)
            continue
        append((product_id, country, quantity, int(moment.timestamp()), price))
    if rejections:
        rejections.sort(key=lambda r: r.line)
    return rows, rejections


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace").rstrip("\r\n")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


_NULL = "\\N"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(rows: list[EventRow]) -> bytes:
    """Rows in PostgreSQL COPY text format (the server parses it faster than we can bind)."""
    out = []
    for product_id, country, quantity, ts, price in rows:
        if "\\" in product_id or not product_id.isprintable():
            product_id = product_id.translate(_COPY_ESCAPES)
        price_text = _NULL if price is None else repr(price)
        out.append(f"{product_id}\t{country}\t{quantity}\t{ts}\t{price_text}\n")
    return "".join(out).encode("utf-8")


def parse_for_copy(start: int, lines: list[bytes]) -> tuple[bytes, int, list[Rejection]]:
    """parse_lines, with the rows already in COPY text format (runs in the helper process)."""
    rows, rejections = parse_lines(start, lines)
    return copy_text(rows), len(rows), rejections


@contextlib.contextmanager
def _event_writer(conn: Connection) -> Iterator[Callable[[list[EventRow] | bytes], None]]:
    """A function storing rows (SQLite: executemany) or COPY text (PostgreSQL: one COPY)."""
    columns = ", ".join(EVENT_COLUMNS)
    if conn.dialect.name == "postgresql":
        driver = conn.connection.driver_connection
        assert driver is not None
        cursor = driver.cursor()
        with cursor.copy(f"COPY {order_events.name} ({columns}) FROM STDIN") as copy:
            yield copy.write
        return
    sql = f"INSERT INTO {order_events.name} ({columns}) VALUES (?, ?, ?, ?, ?)"

    def insert_rows(rows: list[EventRow] | bytes) -> None:
        conn.exec_driver_sql(sql, rows)  # rows here: only PostgreSQL gets COPY text

    yield insert_rows


def ingest_events(
    path: Path,
    db: Database,
    data_dir: Path,
    *,
    rejects_path: Path | None = None,
    progress: bool = False,
    parallel: bool = False,
) -> EventsReport:
    """Validate and store an events file; all of it in one transaction, or nothing.

    `parallel` parses in a forked helper process while this one inserts (for big files).
    """
    path = Path(path)
    report = EventsReport(path=str(path))
    stream = open_input(path, EventsUnusable, "an events file")
    started = time.perf_counter()
    try:
        digest = file_sha256(path)
        with db.connect() as conn:
            seen = conn.execute(select(event_files.c.sha256).where(event_files.c.sha256 == digest))
            if seen.first() is not None:
                report.already_ingested = True
                return report
        size = os.fstat(stream.fileno()).st_size
        # A local PostgreSQL server needs a core of its own to parse COPY input.
        helper = parallel and (db.dialect == "sqlite" or (os.cpu_count() or 1) > 2)
        bar = tqdm(
            total=size, unit="B", unit_scale=True, desc="events", disable=not progress, leave=False
        )
        try:
            with (
                RejectsWriter(
                    report,
                    rejects_path or default_rejects_path(data_dir, path),
                    always_create=rejects_path is not None,
                ) as rejects,
                worker_pool(size, min_bytes=PARALLEL_MIN_BYTES, workers=1 if helper else 0) as pool,
                db.begin() as conn,
            ):
                work: ParseChunk = (
                    parse_for_copy if conn.dialect.name == "postgresql" else _rows_and_count
                )
                chunks = numbered_chunks(counted_lines(stream, bar), PARSE_CHUNK)
                with _event_writer(conn) as store:
                    for payload, count, rejected in in_order(work, chunks, pool, PARSE_WINDOW):
                        if count:
                            store(payload)
                            report.accepted += count
                        for record in rejected:
                            rejects.reject(record)
                report.lines = report.accepted + report.rejected
                if not report.accepted:
                    raise EventsUnusable(
                        f"{path}: no valid event in {report.rejected} rejected lines; nothing stored"
                    )
                conn.execute(
                    insert(event_files).values(
                        sha256=digest,
                        name=path.name[-512:],
                        events=report.accepted,
                        ingested_at=int(time.time()),
                    )
                )
        except IntegrityError:  # the same file was ingested concurrently: it is stored once
            report.already_ingested = True
            report.accepted = 0
        finally:
            bar.close()
    finally:
        stream.close()
    report.seconds = time.perf_counter() - started
    return report
