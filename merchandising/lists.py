"""Stored daily lists: one per (country, local date), replaced whole by a rebuild."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, delete, insert, select

from storage.schema import recommendation_items, recommendation_lists

REASONS = ("pinned", "trending", "popular")


@dataclass(frozen=True)
class ListEntry:
    product_id: str
    reason: str  # one of REASONS
    score: float
    badge: str | None = None  # a pin's badge, shown on the product's card


@dataclass(frozen=True)
class StoredList:
    country: str
    date: date
    built_at: int
    entries: list[ListEntry]


def stored_list(conn: Connection, country: str, day: date) -> StoredList | None:
    """The list stored for (country, day), or None when none was built."""
    header = conn.execute(
        select(recommendation_lists.c.id, recommendation_lists.c.built_at).where(
            recommendation_lists.c.country == country, recommendation_lists.c.date == day
        )
    ).first()
    if header is None:
        return None
    rows = conn.execute(
        select(recommendation_items)
        .where(recommendation_items.c.list_id == header.id)
        .order_by(recommendation_items.c.position)
    )
    entries = [ListEntry(r.product_id, r.reason, r.score, r.badge) for r in rows]
    return StoredList(country, day, header.built_at, entries)


def built_lists(conn: Connection, country: str, since: date) -> dict[date, int]:
    """When each of the country's lists from `since` on was built (epoch seconds)."""
    rows = conn.execute(
        select(recommendation_lists.c.date, recommendation_lists.c.built_at).where(
            recommendation_lists.c.country == country, recommendation_lists.c.date >= since
        )
    )
    return {row.date: row.built_at for row in rows}


def stored_dates(conn: Connection, country: str, starts: date, ends: date) -> list[date]:
    """The dates from `starts` to `ends` (inclusive) the country has a stored list for."""
    rows = conn.execute(
        select(recommendation_lists.c.date)
        .where(
            recommendation_lists.c.country == country,
            recommendation_lists.c.date >= starts,
            recommendation_lists.c.date <= ends,
        )
        .order_by(recommendation_lists.c.date)
    )
    return [row.date for row in rows]


def replace_list(
    conn: Connection, country: str, day: date, entries: list[ListEntry], built_at: int
) -> None:
    """Store the list for (country, day), replacing any old one, in the caller's transaction.

    The upsert of the header row locks it, so concurrent builds of the same list
    serialize and exactly one list remains.
    """
    list_id = _upsert_header(conn, country, day, built_at)
    conn.execute(delete(recommendation_items).where(recommendation_items.c.list_id == list_id))
    if entries:
        conn.execute(
            insert(recommendation_items),
            [
                {
                    "list_id": list_id,
                    "position": i + 1,
                    "product_id": e.product_id,
                    "reason": e.reason,
                    "score": e.score,
                    "badge": e.badge,
                }
                for i, e in enumerate(entries)
            ],
        )


def _upsert_header(conn: Connection, country: str, day: date, built_at: int) -> int:
    """Insert or update the list's header row (locking it); its id."""
    values = {"country": country, "date": day, "built_at": built_at}
    keys, changes = ["country", "date"], {"built_at": built_at}
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        pg = postgresql_insert(recommendation_lists).values(values)
        pg_upsert = pg.on_conflict_do_update(index_elements=keys, set_=changes)
        return conn.execute(pg_upsert.returning(recommendation_lists.c.id)).scalar_one()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    lite = sqlite_insert(recommendation_lists).values(values)
    lite_upsert = lite.on_conflict_do_update(index_elements=keys, set_=changes)
    return conn.execute(lite_upsert.returning(recommendation_lists.c.id)).scalar_one()
