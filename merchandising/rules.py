"""Query rules as merchandisers make them: promote and hide products for a query.

A rule is stored with the query as typed; serving processes read it through
`search.tuning.SearchTuning`, which matches it on the understood query (see
search/rules.py). Saving checks that the query reads as something searchable and
that promoted products exist, writes the audit log, and bumps the rules' version
in the same transaction, so the next search in every process applies it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select

from locales.registry import Registry, UnknownCountry
from storage import Database
from storage.schema import query_rules
from storage.versions import bump

from . import audit
from .curation import CurationError, Lookup

MAX_QUERY = 256
MAX_PROMOTED = 50
MAX_HIDDEN = 500
MAX_PRODUCT_ID = 64
RULES_VERSION = "rules"


class RuleError(CurationError):
    """A rule cannot be saved as asked; `field` names what is wrong."""


@dataclass(frozen=True)
class Rule:
    id: int
    query: str
    locale: str
    country: str | None
    promote: tuple[str, ...]
    hide: tuple[str, ...]
    starts: date | None
    ends: date | None
    created_by: str
    created_at: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "query": self.query,
            "locale": self.locale,
            "country": self.country,
            "promote": list(self.promote),
            "hide": list(self.hide),
            "starts": self.starts.isoformat() if self.starts else None,
            "ends": self.ends.isoformat() if self.ends else None,
            "created_by": self.created_by,
        }


def _rule(row: Any) -> Rule:
    return Rule(
        row.id, row.query, row.locale, row.country, tuple(row.promote or ()),
        tuple(row.hide or ()), row.starts, row.ends, row.created_by, row.created_at,
    )  # fmt: skip


def _ids(field: str, values: Sequence[str], most: int) -> tuple[str, ...]:
    ids = tuple(dict.fromkeys(v.strip() for v in values if v.strip()))
    if len(ids) > most:
        raise RuleError(field, f"{field}: at most {most} products")
    if any(len(pid) > MAX_PRODUCT_ID for pid in ids):
        raise RuleError(field, f"{field}: product ids have 1..{MAX_PRODUCT_ID} characters")
    return ids


class QueryRules:
    """Query rules in one database."""

    def __init__(
        self,
        database: Database,
        registry: Registry,
        lookup: Lookup,
        understood: Callable[[str, str], Any],
        on_change: Callable[[], None] | None = None,
    ) -> None:
        """`understood(query, locale)` reads a query as search does (empty: nothing
        searchable); `on_change` tells this process's search to reload now."""
        self.database = database
        self.registry = registry
        self.lookup = lookup
        self.understood = understood
        self.on_change = on_change

    def list(
        self, locale: str | None = None, country: str | None = None, query: str | None = None
    ) -> list[Rule]:
        statement = select(query_rules)
        if locale:
            statement = statement.where(query_rules.c.locale == locale)
        if country:
            statement = statement.where(query_rules.c.country == country.upper())
        with self.database.connect() as conn:
            rules = [_rule(r) for r in conn.execute(statement.order_by(query_rules.c.id.desc()))]
        if query:
            wanted = " ".join(query.lower().split())
            rules = [r for r in rules if wanted in r.query.lower()]
        return rules

    def get(self, rule_id: int) -> Rule | None:
        with self.database.connect() as conn:
            row = conn.execute(select(query_rules).where(query_rules.c.id == rule_id)).first()
        return _rule(row) if row else None

    def add(
        self,
        query: str,
        locale: str,
        country: str | None = None,
        promote: Sequence[str] = (),
        hide: Sequence[str] = (),
        starts: date | None = None,
        ends: date | None = None,
        *,
        user: str,
    ) -> Rule:
        query = " ".join(query.split())
        if not query or len(query) > MAX_QUERY:
            raise RuleError("query", f"query: 1..{MAX_QUERY} characters")
        if locale not in self.registry.enabled_locales:
            known = ", ".join(self.registry.enabled_locales)
            raise RuleError("locale", f"locale must be one of {known}, got {locale!r}")
        if country:
            try:
                country = self.registry.country(country).code
            except UnknownCountry:
                known = ", ".join(sorted(self.registry.countries))
                raise RuleError("country", f"unknown country {country!r}; one of {known}") from None
        promoted = _ids("promote", promote, MAX_PROMOTED)
        hidden = _ids("hide", hide, MAX_HIDDEN)
        if not promoted and not hidden:
            raise RuleError("promote", "a rule promotes or hides at least one product")
        both = set(promoted) & set(hidden)
        if both:
            raise RuleError("hide", f"promoted and hidden at once: {', '.join(sorted(both))}")
        found = self.lookup(list(promoted)) if promoted else {}
        missing = [pid for pid in promoted if pid not in found]
        if missing:
            raise RuleError("promote", f"no product {missing[0]!r} in the catalog")
        if starts and ends and ends < starts:
            raise RuleError("ends", "ends is before starts")
        if not self.understood(query, locale):
            raise RuleError("query", f"{query!r} has no words search can match")
        with self.database.begin() as conn:
            rule_id = conn.execute(
                insert(query_rules)
                .values(
                    query=query, locale=locale, country=country or None, promote=list(promoted),
                    hide=list(hidden), starts=starts, ends=ends, created_by=user,
                    created_at=int(time.time()),
                )
                .returning(query_rules.c.id)
            ).scalar_one()  # fmt: skip
            rule = _rule(conn.execute(select(query_rules).where(query_rules.c.id == rule_id)).one())
            audit.record(conn, user, "rule.add", after=rule.to_dict())
            bump(conn, RULES_VERSION)
        self._changed()
        return rule

    def remove(self, rule_id: int, *, user: str) -> Rule | None:
        with self.database.begin() as conn:
            row = conn.execute(select(query_rules).where(query_rules.c.id == rule_id)).first()
            if row is None:
                return None
            conn.execute(delete(query_rules).where(query_rules.c.id == rule_id))
            rule = _rule(row)
            audit.record(conn, user, "rule.remove", before=rule.to_dict())
            bump(conn, RULES_VERSION)
        self._changed()
        return rule

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()
