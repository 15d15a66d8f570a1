"""Streaming order-events reader and bulk loader (SPEC.md, "Order events feed").

Same reject rules as the catalog: every bad line goes to a rejects file with its line
number and reason, every valid line is stored, and the exit status says which happened.
A file is stored in one transaction and remembered by its SHA-256, so a retried or
repeated ingest never counts the same orders twice.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO

import orjson
from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError
from tqdm import tqdm

from .feed import MAX_ID_LENGTH, Rejection, country_codes, numbered_chunks
from .indexing import default_rejects_path
from .inputs import counted_lines, open_input
from .storage import Database
from .storage.schema import event_files, order_events

_COUNTRIES = country_codes()
EVENT_COLUMNS = ("product_id", "country", "quantity", "ts", "price_usd")
# A stored event: (product_id, country, quantity, epoch seconds, price_usd or None).
EventRow = tuple[str, str, int, int, float | None]


class EventsUnusable(Exception):
    """The events file cannot be used at all (missing, unreadable, nothing valid in it)."""


@dataclass
class EventsReport:
    path: str
    lines: int = 0
    accepted: int = 0
    rejected: int = 0
    seconds: float = 0.0
    already_ingested: bool = False
    rejects_path: Path | None = None
    rejection_samples: list[Rejection] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.rejected else 0

    def summary(self) -> str:
        if self.already_ingested:
            return f"{self.path}: already ingested (same content); nothing stored"
        rate = self.lines / self.seconds if self.seconds else 0.0
        text = (
            f"{self.lines} lines in {self.seconds:.1f}s ({rate:,.0f}/s): "
            f"{self.accepted} events stored, {self.rejected} rejected"
        )
        if self.rejected and self.rejects_path:
            text += f"\nrejected lines written to {self.rejects_path}"
        return text


PARSE_CHUNK = 8192
PARSE_WINDOW = 4  # chunks parsed ahead of the inserts
PARALLEL_MIN_BYTES = 4_000_000  # below ~40k events forking costs more than it saves
_INF = math.inf


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


@contextlib.contextmanager
def _parse_pool(size_bytes: int, parallel: bool) -> Iterator[ProcessPoolExecutor | None]:
    """One forked process that parses while this one inserts, for files worth it.

    Parsing and inserting each take about half the time, so one helper is enough; a
    daemonic process (a Celery prefork child) may not fork and parses in-process.
    """
    if (
        not parallel
        or size_bytes < PARALLEL_MIN_BYTES
        or not hasattr(os, "fork")
        or multiprocessing.current_process().daemon
    ):
        yield None
        return
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        yield pool


def _parsed(
    lines: Iterable[bytes], pool: ProcessPoolExecutor | None, for_copy: bool
) -> Iterator[tuple[list[EventRow] | bytes, int, list[Rejection]]]:
    """(rows or COPY text, row count, rejections) per chunk, in order; parsed on the pool's
    process when there is one."""
    parse = parse_for_copy if for_copy else _rows_and_count
    if pool is None:
        for start, chunk in numbered_chunks(lines, PARSE_CHUNK):
            yield parse(start, chunk)
        return
    pending: deque[Future] = deque()
    for start, chunk in numbered_chunks(lines, PARSE_CHUNK):
        pending.append(pool.submit(parse, start, chunk))
        if len(pending) > PARSE_WINDOW:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


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
    rows: list[EventRow] = []
    rejections: list[Rejection] = []
    kept = [(n, raw.strip()) for n, raw in numbered]
    kept = [(n, raw) for n, raw in kept if raw]
    append = rows.append
    fromiso = datetime.fromisoformat
    countries = _COUNTRIES
    for (number, raw), data in zip(kept, _decode(kept, rejections), strict=True):
        if type(data) is dict:
            # Fast path for a valid event; anything else is explained by _event_row.
            product_id = data.get("product_id")
            country = data.get("country")
            quantity = data.get("quantity")
            ts = data.get("ts")
            price = data.get("price_usd")
            if (
                type(product_id) is str
                and 0 < len(product_id) <= MAX_ID_LENGTH
                and not product_id.isspace()
                and type(country) is str
                and country in countries
                and type(quantity) is int
                and quantity >= 1
                and type(ts) is str
                and (
                    price is None
                    or ((type(price) is float or type(price) is int) and 0 < price < _INF)
                )
            ):
                try:
                    moment = fromiso(ts)
                except ValueError:
                    moment = None
                if moment is not None and moment.tzinfo is not None:
                    append((product_id, country, quantity, int(moment.timestamp()), price))
                    continue
            reason = _event_row(data)
            rejections.append(
                Rejection(
                    number, reason if isinstance(reason, str) else "invalid event", _text(raw)
                )
            )
        elif data is not None:
            kind = type(data).__name__
            rejections.append(Rejection(number, f"expected a JSON object, got {kind}", _text(raw)))
    if rejections:
        rejections.sort(key=lambda r: r.line)
    return rows, rejections


def _event_row(data: dict) -> EventRow | str:
    """The row to store, or the reason the event is rejected."""
    product_id = data.get("product_id")
    country = data.get("country")
    quantity = data.get("quantity")
    ts = data.get("ts")
    price = data.get("price_usd")
    if type(product_id) is not str or not product_id.strip() or len(product_id) > MAX_ID_LENGTH:
        return f"product_id: must be a string of 1..{MAX_ID_LENGTH} characters"
    if type(country) is not str or country not in _COUNTRIES:
        return f"country: not an ISO 3166 alpha-2 code: {country!r}"
    if type(quantity) is not int or quantity < 1:
        return f"quantity: must be an integer >= 1, got {quantity!r}"
    if type(ts) is not str:
        return "ts: required, an ISO 8601 time with a time zone"
    if price is not None and (
        type(price) not in (int, float) or not math.isfinite(price) or price <= 0
    ):
        return f"price_usd: must be a number > 0, got {price!r}"
    try:
        moment = datetime.fromisoformat(ts)
    except ValueError:
        return f"ts: not an ISO 8601 time: {ts!r}"
    if moment.tzinfo is None:
        return f"ts: needs a time zone (e.g. Z or +03:00): {ts!r}"
    return (product_id, country, quantity, int(moment.timestamp()), price)


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
        cursor = conn.connection.driver_connection.cursor()
        with cursor.copy(f"COPY {order_events.name} ({columns}) FROM STDIN") as copy:
            yield copy.write
        return
    sql = f"INSERT INTO {order_events.name} ({columns}) VALUES (?, ?, ?, ?, ?)"
    yield lambda rows: conn.exec_driver_sql(sql, rows)


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
        report.rejects_path = rejects_path or default_rejects_path(data_dir, path)
        rejects: IO[str] | None = _open_rejects(report.rejects_path) if rejects_path else None
        size = os.fstat(stream.fileno()).st_size
        bar = tqdm(
            total=size, unit="B", unit_scale=True, desc="events", disable=not progress, leave=False
        )
        try:
            # A local PostgreSQL server needs a core of its own to parse COPY input.
            helper = parallel and (db.dialect == "sqlite" or (os.cpu_count() or 1) > 2)
            with _parse_pool(size, helper) as pool, db.begin() as conn:
                for_copy = conn.dialect.name == "postgresql"
                with _event_writer(conn) as store:
                    for payload, count, rejected in _parsed(
                        counted_lines(stream, bar), pool, for_copy
                    ):
                        if count:
                            store(payload)
                            report.accepted += count
                        for record in rejected:
                            report.rejected += 1
                            if rejects is None:
                                rejects = _open_rejects(report.rejects_path)
                            rejects.write(record.to_json() + "\n")
                            if len(report.rejection_samples) < 5:
                                report.rejection_samples.append(record)
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
            if rejects is not None:
                rejects.close()
    finally:
        stream.close()
    report.seconds = time.perf_counter() - started
    return report


def _open_rejects(path: Path) -> IO[str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    return open(path, "w", encoding="utf-8")  # noqa: SIM115
