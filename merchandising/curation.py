"""Merchandiser pins (ordered) and exclusions per (country, local date).

The list builder reads them inside its own connection (`pinned`, `excluded`); the
admin changes them through `Curation`, which the composition root builds once.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, delete, func, insert, select, update

from storage import Database
from storage.schema import exclusions, pins


def pinned(conn: Connection, country: str, day: date) -> list[str]:
    """Pinned product ids for (country, day), in their order."""
    rows = conn.execute(
        select(pins.c.product_id)
        .where(pins.c.country == country, pins.c.date == day)
        .order_by(pins.c.position, pins.c.product_id)
    )
    return [row.product_id for row in rows]


def excluded(conn: Connection, country: str, day: date) -> set[str]:
    """Excluded product ids for (country, day)."""
    rows = conn.execute(
        select(exclusions.c.product_id).where(
            exclusions.c.country == country, exclusions.c.date == day
        )
    )
    return {row.product_id for row in rows}


class Curation:
    """Pins and exclusions in one database; a change applies when the list is next built."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def pins(self, country: str, day: date) -> list[str]:
        with self.database.connect() as conn:
            return pinned(conn, country, day)

    def exclusions(self, country: str, day: date) -> set[str]:
        with self.database.connect() as conn:
            return excluded(conn, country, day)

    def pin(self, country: str, day: date, product_id: str, position: int | None = None) -> None:
        """Pin a product at `position` (1-based; default: after the other pins); renumbers the rest."""
        with self.database.begin() as conn:
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

    def unpin(self, country: str, day: date, product_id: str) -> bool:
        with self.database.begin() as conn:
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

    def exclude(self, country: str, day: date, product_id: str) -> None:
        with self.database.begin() as conn:
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

    def unexclude(self, country: str, day: date, product_id: str) -> bool:
        with self.database.begin() as conn:
            return bool(
                conn.execute(
                    delete(exclusions).where(
                        exclusions.c.country == country,
                        exclusions.c.date == day,
                        exclusions.c.product_id == product_id,
                    )
                ).rowcount
            )
