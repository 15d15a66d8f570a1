"""Merchandiser pins and exclusions of a country's daily lists, over spans of local dates.

A pin puts a product at the head of every list of its country from `starts` to `ends`
(inclusive, the country's local dates), ordered by `position` (then by when it was
made), optionally with a badge ("−30%", "Выбор редакции") shown on its card. An
exclusion keeps a product out of those lists. The list builder reads both inside its
own connection (`pinned`, `excluded`); `Curation` changes them, writes the audit log
in the same transaction and then rebuilds the stored lists the change touches
(`on_change`), so a change applies at once to lists already built and to every list
built later.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, Table, delete, insert, select, update

from locales.registry import Registry, UnknownCountry
from storage import Database
from storage.schema import exclusions, pins

from . import audit

MAX_SPAN_DAYS = 366
MAX_POSITION = 100
MAX_BADGE_LENGTH = 40
MAX_PRODUCT_ID = 64

Lookup = Callable[[Sequence[str]], dict[str, dict[str, Any]]]
# (country, starts, ends) -> the stored list dates rebuilt
OnChange = Callable[[str, date, date], list[date]]


class CurationError(ValueError):
    """A pin or exclusion cannot be made as asked; `field` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Pin:
    id: int
    country: str
    product_id: str
    starts: date
    ends: date
    position: int | None
    badge: str | None
    created_by: str
    created_at: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "country": self.country,
            "product_id": self.product_id,
            "starts": self.starts.isoformat(),
            "ends": self.ends.isoformat(),
            "position": self.position,
            "badge": self.badge,
            "created_by": self.created_by,
        }


@dataclass(frozen=True)
class Exclusion:
    id: int
    country: str
    product_id: str
    starts: date
    ends: date
    created_by: str
    created_at: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "country": self.country,
            "product_id": self.product_id,
            "starts": self.starts.isoformat(),
            "ends": self.ends.isoformat(),
            "created_by": self.created_by,
        }


def _active(table: Table, country: str, day: date) -> Any:
    return (table.c.country == country) & (table.c.starts <= day) & (table.c.ends >= day)


def pinned(conn: Connection, country: str, day: date) -> list[tuple[str, str | None]]:
    """(product id, badge) of the pins of (country, day), in their order, each product once."""
    rows = conn.execute(
        select(pins.c.product_id, pins.c.badge, pins.c.position)
        .where(_active(pins, country, day))
        .order_by(pins.c.id)
    ).all()
    # Pins without a position follow those with one, in the order they were made.
    ordered = sorted(rows, key=lambda r: r.position if r.position is not None else MAX_POSITION + 1)
    found: dict[str, str | None] = {}
    for row in ordered:
        if row.product_id not in found or found[row.product_id] is None and row.badge:
            found[row.product_id] = row.badge
    return list(found.items())


def excluded(conn: Connection, country: str, day: date) -> set[str]:
    """Excluded product ids for (country, day)."""
    rows = conn.execute(select(exclusions.c.product_id).where(_active(exclusions, country, day)))
    return {row.product_id for row in rows}


def _pin(row: Any) -> Pin:
    return Pin(
        row.id, row.country, row.product_id, row.starts, row.ends, row.position, row.badge,
        row.created_by, row.created_at,
    )  # fmt: skip


def _exclusion(row: Any) -> Exclusion:
    return Exclusion(
        row.id, row.country, row.product_id, row.starts, row.ends, row.created_by, row.created_at
    )


class Curation:
    """Pins and exclusions in one database; a change rebuilds the stored lists it touches."""

    def __init__(
        self,
        database: Database,
        registry: Registry,
        lookup: Lookup,
        on_change: OnChange | None = None,
    ) -> None:
        """`lookup` finds catalog products by id; `on_change` rebuilds stored lists."""
        self.database = database
        self.registry = registry
        self.lookup = lookup
        self.on_change = on_change

    # -- reading ------------------------------------------------------------------

    def pins(self, country: str | None = None, day: date | None = None) -> list[Pin]:
        """Pins, of one country and/or active on one day, in list order per country."""
        query = select(pins)
        if country is not None:
            query = query.where(pins.c.country == self.country(country))
        if day is not None:
            query = query.where(pins.c.starts <= day, pins.c.ends >= day)
        with self.database.connect() as conn:
            rows = conn.execute(query.order_by(pins.c.country, pins.c.starts, pins.c.id)).all()
        found = [_pin(r) for r in rows]
        return sorted(
            found,
            key=lambda p: (
                p.country,
                p.starts if day is None else day,
                p.position if p.position is not None else MAX_POSITION + 1,
                p.id,
            ),
        )

    def exclusions(self, country: str | None = None, day: date | None = None) -> list[Exclusion]:
        query = select(exclusions)
        if country is not None:
            query = query.where(exclusions.c.country == self.country(country))
        if day is not None:
            query = query.where(exclusions.c.starts <= day, exclusions.c.ends >= day)
        order = (exclusions.c.country, exclusions.c.starts, exclusions.c.id)
        with self.database.connect() as conn:
            return [_exclusion(r) for r in conn.execute(query.order_by(*order))]

    def get_pin(self, pin_id: int) -> Pin | None:
        with self.database.connect() as conn:
            row = conn.execute(select(pins).where(pins.c.id == pin_id)).first()
        return _pin(row) if row else None

    def get_exclusion(self, exclusion_id: int) -> Exclusion | None:
        with self.database.connect() as conn:
            row = conn.execute(select(exclusions).where(exclusions.c.id == exclusion_id)).first()
        return _exclusion(row) if row else None

    # -- changing -----------------------------------------------------------------

    def add_pin(
        self,
        country: str,
        product_id: str,
        starts: date,
        ends: date,
        position: int | None = None,
        badge: str | None = None,
        *,
        user: str,
    ) -> Pin:
        """Pin a product over a span; the same product and span again updates position and badge."""
        country, product_id = self._checked(country, product_id, starts, ends)
        if position is not None and not 1 <= position <= MAX_POSITION:
            raise CurationError("position", f"position: 1..{MAX_POSITION}")
        badge = " ".join((badge or "").split()) or None
        if badge is not None and len(badge) > MAX_BADGE_LENGTH:
            raise CurationError("badge", f"badge: at most {MAX_BADGE_LENGTH} characters")
        values = {"position": position, "badge": badge}
        with self.database.begin() as conn:
            same = (
                (pins.c.country == country)
                & (pins.c.product_id == product_id)
                & (pins.c.starts == starts)
                & (pins.c.ends == ends)
            )
            old = conn.execute(select(pins).where(same)).first()
            if old is None:
                conn.execute(
                    insert(pins).values(
                        country=country, product_id=product_id, starts=starts, ends=ends,
                        created_by=user, created_at=int(time.time()), **values,
                    )
                )  # fmt: skip
            else:
                conn.execute(update(pins).where(same).values(**values))
            pin = _pin(conn.execute(select(pins).where(same)).one())
            audit.record(
                conn, user, "pin.add", before=_pin(old).to_dict() if old else None,
                after=pin.to_dict(),
            )  # fmt: skip
        self._changed(country, starts, ends)
        return pin

    def remove_pin(self, pin_id: int, *, user: str) -> Pin | None:
        """Remove a pin; None when there is no such pin."""
        with self.database.begin() as conn:
            row = conn.execute(select(pins).where(pins.c.id == pin_id)).first()
            if row is None:
                return None
            conn.execute(delete(pins).where(pins.c.id == pin_id))
            pin = _pin(row)
            audit.record(conn, user, "pin.remove", before=pin.to_dict())
        self._changed(pin.country, pin.starts, pin.ends)
        return pin

    def add_exclusion(
        self, country: str, product_id: str, starts: date, ends: date, *, user: str
    ) -> Exclusion:
        """Keep a product out of a country's lists over a span (the same span again: no-op)."""
        country, product_id = self._checked(country, product_id, starts, ends, in_catalog=False)
        with self.database.begin() as conn:
            same = (
                (exclusions.c.country == country)
                & (exclusions.c.product_id == product_id)
                & (exclusions.c.starts == starts)
                & (exclusions.c.ends == ends)
            )
            old = conn.execute(select(exclusions).where(same)).first()
            if old is None:
                conn.execute(
                    insert(exclusions).values(
                        country=country, product_id=product_id, starts=starts, ends=ends,
                        created_by=user, created_at=int(time.time()),
                    )
                )  # fmt: skip
            exclusion = _exclusion(conn.execute(select(exclusions).where(same)).one())
            if old is None:
                audit.record(conn, user, "exclusion.add", after=exclusion.to_dict())
        if old is None:
            self._changed(country, starts, ends)
        return exclusion

    def remove_exclusion(self, exclusion_id: int, *, user: str) -> Exclusion | None:
        with self.database.begin() as conn:
            row = conn.execute(select(exclusions).where(exclusions.c.id == exclusion_id)).first()
            if row is None:
                return None
            conn.execute(delete(exclusions).where(exclusions.c.id == exclusion_id))
            exclusion = _exclusion(row)
            audit.record(conn, user, "exclusion.remove", before=exclusion.to_dict())
        self._changed(exclusion.country, exclusion.starts, exclusion.ends)
        return exclusion

    # -- helpers ------------------------------------------------------------------

    def country(self, code: str) -> str:
        """The registry's code for `code` (case-insensitive); CurationError when unknown."""
        try:
            return self.registry.country(code).code
        except UnknownCountry:
            known = ", ".join(sorted(self.registry.countries))
            raise CurationError("country", f"unknown country {code!r}; one of {known}") from None

    def _checked(
        self, country: str, product_id: str, starts: date, ends: date, in_catalog: bool = True
    ) -> tuple[str, str]:
        code = self.country(country)
        product_id = product_id.strip()
        if not product_id or len(product_id) > MAX_PRODUCT_ID:
            raise CurationError("product_id", f"product_id: 1..{MAX_PRODUCT_ID} characters")
        if ends < starts:
            raise CurationError("ends", "ends is before starts")
        if ends - starts > timedelta(days=MAX_SPAN_DAYS - 1):
            raise CurationError("ends", f"a span covers at most {MAX_SPAN_DAYS} days")
        # An exclusion may name a product that left the catalog (it may come back).
        if in_catalog and product_id not in self.lookup([product_id]):
            raise CurationError("product_id", f"no product {product_id!r} in the catalog")
        return code, product_id

    def _changed(self, country: str, starts: date, ends: date) -> None:
        if self.on_change is not None:
            self.on_change(country, starts, ends)
