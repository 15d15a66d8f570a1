"""Country-local dates: a daily list belongs to one date in its country's time zone."""

from __future__ import annotations

import time
from datetime import date, datetime
from zoneinfo import ZoneInfo


def local_midnight(day: date, timezone: str) -> int:
    """Epoch seconds of `day`'s 00:00 in `timezone`."""
    return int(datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(timezone)).timestamp())


def local_today(timezone: str, now: float | None = None) -> date:
    """The date it is now (or at epoch second `now`) in `timezone`."""
    moment = datetime.fromtimestamp(time.time() if now is None else now, ZoneInfo(timezone))
    return moment.date()


def parse_day(text: str) -> date:
    """A `YYYY-MM-DD` date, or ValueError with a message a person can act on."""
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise ValueError(f"date must be YYYY-MM-DD, got {text!r}") from None
