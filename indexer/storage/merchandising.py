"""Merchandiser pins (ordered) and exclusions per (country, date), and stored lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, delete, func, insert, select, update

from .database import Database
from .schema import exclusions, pins, recommendation_items, recommendation_lists


@dataclass(frozen=True)
class ListEntry:
    product_id: str
    reason: str  # pinned | trending | popular
    score: float


@dataclass(frozen=True)
class StoredList:
    country: str
    date: date
    built_at: int
    entries: list[ListEntry]


def pinned(conn: Connection, country: str, day: date) -> list[str]:
    """Pinned product ids for (country, day), in their order."""
    rows = conn.execute(
        select(pins.c.product_id)
        .where(pins.c.country == country, pins.c.date == day)
        .order_by(pins.c.position, pins.c.product_id)
    )
    return [row.product_id for row in rows]


def excluded(conn: Connection, country: str, day: date) -> set[str]:
    rows = conn.execute(
        select(exclusions.c.product_id).where(
            exclusions.c.country == country, exclusions.c.date == day
        )
    )
    return {row.product_id for row in rows}


def pin(
    db: Database, country: str, day: date, product_id: str, position: int | None = None
) -> None:
    """Pin a product at `position` (1-based; default: after the other pins); renumbers the rest."""
    with db.begin() as conn:
        order = [p for p in pinned(conn, country, day) if p != product_id]
        index = len(order) if position is None else max(0, min(position - 1, len(order)))
        order.insert(index, product_id)
        conn.execute(delete(pins).where(pins.c.country == country, pins.c.date == day))
        conn.execute(
            insert(pins),
            [
                {"country": country, "date": day, "product_id": pid, "position": i + 1}
                for i, pid in enumerate(order)
            ],
        )


def unpin(db: Database, country: str, day: date, product_id: str) -> bool:
    with db.begin() as conn:
        gone = conn.execute(
            delete(pins).where(
                pins.c.country == country, pins.c.date == day, pins.c.product_id == product_id
            )
        ).rowcount
        for i, pid in enumerate(pinned(conn, country, day)):
            conn.execute(
                update(pins)
                .where(pins.c.country == country, pins.c.date == day, pins.c.product_id == pid)
                .values(position=i + 1)
            )
        return bool(gone)


def exclude(db: Database, country: str, day: date, product_id: str) -> None:
    with db.begin() as conn:
        exists = conn.execute(
            select(func.count())
            .select_from(exclusions)
            .where(
                exclusions.c.country == country,
                exclusions.c.date == day,
                exclusions.c.product_id == product_id,
            )
        ).scalar_one()
        if not exists:
            conn.execute(
                insert(exclusions).values(country=country, date=day, product_id=product_id)
            )


def unexclude(db: Database, country: str, day: date, product_id: str) -> bool:
    with db.begin() as conn:
        return bool(
            conn.execute(
                delete(exclusions).where(
                    exclusions.c.country == country,
                    exclusions.c.date == day,
                    exclusions.c.product_id == product_id,
                )
            ).rowcount
        )


def stored_list(conn: Connection, country: str, day: date) -> StoredList | None:
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
    entries = [ListEntry(r.product_id, r.reason, r.score) for r in rows]
    return StoredList(country, day, header.built_at, entries)


def built_lists(conn: Connection, country: str, since: date) -> dict[date, int]:
    """When each of the country's lists from `since` on was built (epoch seconds)."""
    rows = conn.execute(
        select(recommendation_lists.c.date, recommendation_lists.c.built_at).where(
            recommendation_lists.c.country == country, recommendation_lists.c.date >= since
        )
    )
    return {row.date: row.built_at for row in rows}


def replace_list(
    conn: Connection, country: str, day: date, entries: list[ListEntry], built_at: int
) -> None:
    """Store the list for (country, day), replacing any old one, in the caller's transaction.

    The upsert of the header row locks it, so concurrent builds of the same list
    serialize and exactly one list remains.
    """
    dialect = conn.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    statement = upsert(recommendation_lists).values(country=country, date=day, built_at=built_at)
    statement = statement.on_conflict_do_update(
        index_elements=["country", "date"], set_={"built_at": built_at}
    ).returning(recommendation_lists.c.id)
    list_id = conn.execute(statement).scalar_one()
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
                }
                for i, e in enumerate(entries)
            ],
        )
