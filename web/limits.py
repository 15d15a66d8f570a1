"""Limits on what a request may carry that the web checks itself: dates in a sane range,
and redirect targets that stay on this site (no other host, no header-breaking bytes).

Query-string limits of searches (query length, page depth) live with the search
parameters (search/params.py); the request body's size is Flask's MAX_CONTENT_LENGTH.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from merchandising.dates import parse_day

# Dates outside these are typos or probes (0001-01-01 overflows date arithmetic).
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2099, 12, 31)


def sane_day(day: date) -> date:
    """`day`, or ValueError when it is outside EARLIEST_DAY..LATEST_DAY."""
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValueError(
            f"date must be between {EARLIEST_DAY.isoformat()} and {LATEST_DAY.isoformat()}, "
            f"got {day.isoformat()}"
        )
    return day


def parse_sane_day(text: str) -> date:
    """A `YYYY-MM-DD` date within the sane range, or ValueError saying what is wrong."""
    return sane_day(parse_day(text))


def local_target(target: str | None, prefix: str = "/") -> str | None:
    """`target` when it is a path on this site under `prefix`, else None.

    Refused: other hosts and schemes (`//evil`, `https://evil`, `/\\evil`, which browsers
    read as `//evil`), and control characters (CR/LF would split the Location header).
    """
    if not target or not target.startswith(prefix) or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
