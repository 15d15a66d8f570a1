"""The tables, as SQLAlchemy Core metadata (the migrations create the same schema).

Times are epoch seconds (UTC); dates are a country's local dates.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    UniqueConstraint,
    false,
    text,
)

metadata = MetaData()

# BIGINT on PostgreSQL; SQLite only auto-increments an INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")

order_events = Table(
    "order_events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("product_id", String(64), nullable=False),
    Column("country", String(2), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("ts", BigInteger, nullable=False),  # epoch seconds, UTC
    Column("price_usd", Float, nullable=True),
    Column("order_id", String(64), nullable=True),
    # The country's local date (days since 1970-01-01); NULL only for events stored
    # before migration 0004, until storage.events.roll_up_old_events reaches them.
    Column("day", Integer, nullable=True),
    # An event is stored once: by order_id, or without one by its natural key.
    Index(
        "ux_order_events_order_id",
        "order_id",
        unique=True,
        postgresql_where=text("order_id IS NOT NULL"),
        sqlite_where=text("order_id IS NOT NULL"),
    ),
    Index(
        "ux_order_events_key",
        "ts",
        "country",
        "product_id",
        "quantity",
        unique=True,
        postgresql_where=text("order_id IS NULL"),
        sqlite_where=text("order_id IS NULL"),
    ),
    Index(
        "ix_order_events_unrolled",
        "id",
        postgresql_where=text("day IS NULL"),
        sqlite_where=text("day IS NULL"),
    ),
    # Time ranges (retention, rebuilds, the raw scoring fallback): on PostgreSQL a BRIN
    # index on ts (events arrive in time order: a few pages per 128 blocks instead of a
    # B-tree as big as the rows); on SQLite the covering (country, ts, product_id,
    # quantity) index of migration 0002 stays.
    Index("ix_order_events_ts_brin", "ts", postgresql_using="brin"),
)

# Per (country, local day, product): the orders and their decay weight at the day's
# start (storage/events.py), kept with every stored event; the daily lists read at
# most 30 of these rows per product instead of every event.
order_rollup = Table(
    "order_rollup",
    metadata,
    Column("country", String(2), primary_key=True),
    Column("day", Integer, primary_key=True),  # days since 1970-01-01, local
    Column("product_id", String(64), primary_key=True),
    Column("orders", BigInteger, nullable=False),
    Column("weight", Float, nullable=False),
)

recommendation_lists = Table(
    "recommendation_lists",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("country", String(2), nullable=False),
    Column("date", Date, nullable=False),
    Column("built_at", BigInteger, nullable=False),
    UniqueConstraint("country", "date", name="uq_recommendation_lists_country_date"),
)

recommendation_items = Table(
    "recommendation_items",
    metadata,
    Column(
        "list_id",
        BigId,
        ForeignKey("recommendation_lists.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("position", SmallInteger, primary_key=True),
    Column("product_id", String(64), nullable=False),
    Column("reason", String(8), nullable=False),
    Column("score", Float, nullable=False),
    Column("badge", String(40), nullable=True),  # a pin's badge ("−30%"), shown on cards
)

# A pin puts a product at the head of a country's daily lists from `starts` to `ends`
# (local dates, inclusive); pins of one day are ordered by position, then by id.
pins = Table(
    "pins",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("country", String(2), nullable=False),
    Column("product_id", String(64), nullable=False),
    Column("starts", Date, nullable=False),
    Column("ends", Date, nullable=False),
    Column("position", SmallInteger, nullable=True),
    Column("badge", String(40), nullable=True),
    Column("created_by", String(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    UniqueConstraint("country", "product_id", "starts", "ends", name="uq_pins_span"),
    Index("ix_pins_country_span", "country", "starts", "ends"),
)

exclusions = Table(
    "exclusions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("country", String(2), nullable=False),
    Column("product_id", String(64), nullable=False),
    Column("starts", Date, nullable=False),
    Column("ends", Date, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    UniqueConstraint("country", "product_id", "starts", "ends", name="uq_exclusions_span"),
    Index("ix_exclusions_country_span", "country", "starts", "ends"),
)

# Promote (in order) and hide products for a query in a locale (and a country), matched
# on the understood query's words (search/rules.py).
query_rules = Table(
    "query_rules",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("query", String(256), nullable=False),
    Column("locale", String(16), nullable=False),
    Column("country", String(2), nullable=True),
    Column("promote", JSON, nullable=False),
    Column("hide", JSON, nullable=False),
    Column("starts", Date, nullable=True),
    Column("ends", Date, nullable=True),
    Column("created_by", String(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

# Synonym groups and brand aliases as merchandisers saved them (one row per kind); the
# files under search/understanding/data/ are the seed until the first save.
understanding_data = Table(
    "understanding_data",
    metadata,
    Column("kind", String(32), primary_key=True),
    Column("body", JSON, nullable=False),
    Column("updated_by", String(64), nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)

# One counter per kind of data serving processes cache (rules, synonyms, brand aliases):
# bumped with every change, polled cheaply to know when to reload.
data_versions = Table(
    "data_versions",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("version", BigInteger, nullable=False),
)

# Every search shoppers ran (page one of a non-empty query), no shopper identity.
search_log = Table(
    "search_log",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("at", BigInteger, nullable=False),
    Column("locale", String(16), nullable=False),
    Column("country", String(2), nullable=False),
    Column("query", String(256), nullable=False),
    Column("understood", String(512), nullable=False),
    Column("results", Integer, nullable=False),
    Index("ix_search_log_at", "at"),
)

# Who changed what, when, with the state before and after.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("at", BigInteger, nullable=False),
    Column("user", String(64), nullable=False),
    Column("action", String(64), nullable=False),
    Column("details", JSON, nullable=False),
    Index("ix_audit_log_at", "at"),
)

# Failed logins per account and per client, and the lockouts they caused (shared by
# every serving process, so a limit holds across workers).
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("key", String(200), nullable=False),
    Column("at", BigInteger, nullable=False),
    Index("ix_login_failures_key_at", "key", "at"),
)

login_lockouts = Table(
    "login_lockouts",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("until", BigInteger, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("password_hash", String(256), nullable=False),
    Column("role", String(32), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("disabled", Boolean, nullable=False, server_default=false()),
    # The API token's SHA-256 (the token itself is shown once and never stored).
    Column("token_hash", String(64), nullable=True, unique=True),
    Column("token_created_at", BigInteger, nullable=True),
)
