"""Order events (SPEC.md, "Order events feed"), validated and stored through the indexer's pipeline.

Same reject rules, rejects file and report as the catalog (indexer/reports.py) and the
same worker pool (indexer/pipeline.py): a big file is parsed on a forked helper while
this process inserts. Every bad line goes to the rejects file with its number and
reason, every valid line is stored, and the exit status says which happened.

Bounds are checked here, before any database sees a value, so SQLite and PostgreSQL
store and reject exactly the same lines. Each event is stored once, by `order_id` or
its natural key (storage/events.py), a batch per transaction: a re-sent file, a file
with more lines, or a rerun after a crash stores only what is not stored yet and
counts the rest as duplicates.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson
from sqlalchemy.exc import DBAPIError
from tqdm import tqdm

from locales.registry import load_registry
from storage import Database
from storage.events import (
    LocalDays,
    StoredEvent,
    roll_up_old,
    start_incoming,
    store_events,
)

from .feed import MAX_ID_LENGTH, REJECT_TEXT_CHARS, Rejection, country_codes
from .inputs import counted_lines, numbered_chunks, open_input
from .pipeline import in_order, worker_pool
from .reports import InputReport, RejectsWriter, default_rejects_path

_COUNTRIES = country_codes()
MAX_QUANTITY = 1_000_000  # SPEC.md
# An event is ~100 bytes; a longer line is a broken export, rejected without reading it
# all into memory (indexer/inputs.py cuts it short).
MAX_EVENT_LINE_BYTES = 1 << 16
# Times a date can hold in every database and time zone (years 1970..9999 exclusive).
MIN_TS = 0
MAX_TS = int(datetime(9999, 1, 1, tzinfo=UTC).timestamp())
# A stored event: (product_id, country, quantity, epoch seconds, price_usd or None,
# order_id or None, the country's local day number).
EventRow = StoredEvent
# (first line number, lines) -> (rows or COPY text, row count, rejections)
ParseChunk = Callable[[int, list[bytes]], tuple[list[EventRow] | bytes, int, list[Rejection]]]
_local_days: LocalDays | None = None  # set before the helper forks; see local_days()


def local_days() -> LocalDays:
    """The day numbering of this ingest (inherited by the forked helper)."""
    global _local_days
    if _local_days is None:
        _local_days = LocalDays(timezones())
    return _local_days


def timezones(data_dir: Path | None = None) -> dict[str, str]:
    """Each registered country's time zone (its local dates are the lists' dates)."""
    registry = load_registry(data_dir=data_dir)
    return {code: country.timezone for code, country in registry.countries.items()}


class EventsUnusable(Exception):
    """The events file cannot be used at all (missing, unreadable, nothing valid in it)."""


@dataclass
class EventsReport(InputReport):
    stored: int = 0
    duplicates: int = 0

    @property
    def accepted(self) -> int:
        """Events this run stored (duplicates of stored ones are valid but not stored)."""
        return self.stored

    def summary(self) -> str:
        return (
            f"{self.lines} lines in {self.seconds:.1f}s ({self.rate:,.0f}/s): "
            f"{self.stored} events stored, {self.duplicates} already stored, "
            f"{self.rejected} rejected"
        ) + self.rejects_note()

    def counts(self) -> dict[str, int]:
        """What `vitrina events ingest --json` prints (SPEC.md)."""
        return {
            "lines": self.lines,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
        }


PARSE_CHUNK = 8192
PARSE_WINDOW = 4  # chunks parsed ahead of the inserts
PARALLEL_MIN_BYTES = 4_000_000  # below ~40k events forking costs more than it saves
HELPER_MIN_CPUS = 2  # PostgreSQL: a local server needs a core of its own to take the rows


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
    if any(len(raw) > MAX_EVENT_LINE_BYTES for _, raw in kept):
        for number, raw in kept:
            if len(raw) > MAX_EVENT_LINE_BYTES:
                shown = raw[: REJECT_TEXT_CHARS * 4].decode("utf-8", "replace")
                reason = f"line longer than {MAX_EVENT_LINE_BYTES:,} bytes (the limit)"
                rejections.append(Rejection(number, reason, shown[:REJECT_TEXT_CHARS] + "…"))
        kept = [(n, raw) for n, raw in kept if len(raw) <= MAX_EVENT_LINE_BYTES]
    append, countries, fromiso, inf = rows.append, _COUNTRIES, datetime.fromisoformat, math.inf
    day_of = local_days()

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
        if "\x00" in product_id:
            reject(number, "product_id: must not contain NUL characters", raw)
            continue
        country = data.get("country")
        if type(country) is not str or country not in countries:
            reject(number, f"country: not an ISO 3166 alpha-2 code: {country!r}", raw)
            continue
        quantity = data.get("quantity")
        if type(quantity) is not int or not 1 <= quantity <= MAX_QUANTITY:
            reject(
                number, f"quantity: must be an integer 1..{MAX_QUANTITY:,}, got {quantity!r}", raw
            )
            continue
        ts = data.get("ts")
        if type(ts) is not str:
            reject(number, "ts: required, an ISO 8601 time with a time zone", raw)
            continue
        price = data.get("price_usd")
        if price is not None:
            if (type(price) is not float and type(price) is not int) or not 0 < price < inf:
                reject(number, f"price_usd: must be a number > 0, got {price!r}", raw)
                continue
            try:
                price = float(price)
            except OverflowError:
                reject(number, f"price_usd: too large: {price!r}", raw)
                continue
        order_id = data.get("order_id")
        if order_id is not None:
            if type(order_id) is int:
                order_id = str(order_id)
            if (
                type(order_id) is not str
                or not 0 < len(order_id) <= MAX_ID_LENGTH
                or order_id.isspace()
                or "\x00" in order_id
            ):
                reject(
                    number,
                    f"order_id: must be an integer or a string of 1..{MAX_ID_LENGTH} characters "
                    "without NUL",
                    raw,
                )
                continue
        try:
            moment = fromiso(ts)
        except ValueError:
            reject(number, f"ts: not an ISO 8601 time: {ts!r}", raw)
            continue
        if moment.tzinfo is None:
            reject(number, f"ts: needs a time zone (e.g. Z or +03:00): {ts!r}", raw)
            continue
        try:
            seconds = int(moment.timestamp())
        except (OverflowError, ValueError):
            seconds = -1
        if not MIN_TS <= seconds < MAX_TS:
            reject(number, f"ts: must be from 1970 to 9998: {ts!r}", raw)
            continue
        append((product_id, country, quantity, seconds, price, order_id, day_of(country, seconds)))
    if rejections:
        rejections.sort(key=lambda r: r.line)
    return rows, rejections


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace").rstrip("\r\n")


_NULL = "\\N"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_field(text: str) -> str:
    if "\\" in text or not text.isprintable():
        return text.translate(_COPY_ESCAPES)
    return text


def copy_text(rows: list[EventRow]) -> bytes:
    """Rows in PostgreSQL COPY text format (the server parses it faster than we can bind)."""
    out = []
    for product_id, country, quantity, ts, price, order_id, day in rows:
        price_text = _NULL if price is None else repr(price)
        order_text = _NULL if order_id is None else _copy_field(order_id)
        out.append(
            f"{_copy_field(product_id)}\t{country}\t{quantity}\t{ts}\t{price_text}\t"
            f"{order_text}\t{day}\n"
        )
    return "".join(out).encode("utf-8")


def parse_for_copy(start: int, lines: list[bytes]) -> tuple[bytes, int, list[Rejection]]:
    """parse_lines, with the rows already in COPY text format (runs in the helper process)."""
    rows, rejections = parse_lines(start, lines)
    return copy_text(rows), len(rows), rejections


BATCH_ROWS = 50_000  # events per transaction: a crash redoes at most this many
_RETRIES = 5  # a batch that deadlocks with a concurrent ingest of the same events


def _batches(
    results: Iterable[tuple[list[EventRow] | bytes, int, list[Rejection]]],
    rejects: RejectsWriter,
) -> Iterator[tuple[list[EventRow] | bytes, int]]:
    """Parsed chunks joined into batches of about BATCH_ROWS (rejections written on the way)."""
    parts: list = []
    count = 0
    for payload, rows, rejected in results:
        for record in rejected:
            rejects.reject(record)
        if rows:
            parts.append(payload)
            count += rows
        if count >= BATCH_ROWS:
            yield _joined(parts), count
            parts, count = [], 0
    if count:
        yield _joined(parts), count


def _joined(parts: list) -> list[EventRow] | bytes:
    if parts and isinstance(parts[0], bytes):
        return b"".join(parts)
    return [row for part in parts for row in part]


def _store_batch(db: Database, batch: list[EventRow] | bytes, count: int) -> int:
    """Store one batch in its own transaction, retried when it deadlocks with another
    ingest of the same events; how many were new."""
    for attempt in range(_RETRIES):
        try:
            with db.begin() as conn:
                start_incoming(conn)
                return store_events(conn, batch, count)
        except DBAPIError as exc:
            code = getattr(exc.orig, "sqlstate", None)
            if code not in ("40P01", "40001") or attempt == _RETRIES - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def ingest_events(
    path: Path,
    db: Database,
    data_dir: Path,
    *,
    rejects_path: Path | None = None,
    progress: bool = False,
    parallel: bool = False,
    zones: Mapping[str, str] | None = None,
) -> EventsReport:
    """Validate and store an events file; each event once, a batch per transaction.

    `parallel` parses in a forked helper process while this one inserts (for big files).
    `zones` maps countries to time zones (default: the locale registry's).
    """
    global _local_days
    path = Path(path)
    report = EventsReport(path=str(path))
    stream = open_input(path, EventsUnusable, "an events file")
    started = time.perf_counter()
    _local_days = LocalDays(zones if zones is not None else timezones(data_dir))
    try:
        roll_up_old(db, _local_days)
        size = os.fstat(stream.fileno()).st_size
        # A local PostgreSQL server needs a core of its own to parse COPY input.
        helper = parallel and (db.dialect == "sqlite" or (os.cpu_count() or 1) > HELPER_MIN_CPUS)
        work: ParseChunk = parse_for_copy if db.dialect == "postgresql" else _rows_and_count
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
            ):
                lines = counted_lines(stream, bar, MAX_EVENT_LINE_BYTES)
                chunks = numbered_chunks(lines, PARSE_CHUNK)
                results = in_order(work, chunks, pool, PARSE_WINDOW)
                for batch, count in _batches(results, rejects):
                    stored = _store_batch(db, batch, count)
                    report.stored += stored
                    report.duplicates += count - stored
                report.lines = report.stored + report.duplicates + report.rejected
                if not report.stored + report.duplicates:
                    raise EventsUnusable(
                        f"{path}: no valid event in {report.rejected} rejected lines; nothing stored"
                    )
        finally:
            bar.close()
    finally:
        stream.close()
    report.seconds = time.perf_counter() - started
    return report
