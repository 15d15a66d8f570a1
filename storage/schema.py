"""The tables, as SQLAlchemy Core metadata (the migrations create the same schema)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
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
    # Covering: scoring reads one country's time window with an index-only scan
    # (PostgreSQL INCLUDEs the two columns; migration 0002 builds the same on SQLite).
    Index(
        "ix_order_events_country_ts",
        "country",
        "ts",
        postgresql_include=["product_id", "quantity"],
    ),
)

# One row per ingested events file (by content hash), so ingesting twice is a no-op.
event_files = Table(
    "event_files",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("name", String(512), nullable=False),
    Column("events", Integer, nullable=False),
    Column("ingested_at", BigInteger, nullable=False),
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
)

pins = Table(
    "merch_pins",
    metadata,
    Column("country", String(2), primary_key=True),
    Column("date", Date, primary_key=True),
    Column("product_id", String(64), primary_key=True),
    Column("position", SmallInteger, nullable=False),
)

exclusions = Table(
    "merch_exclusions",
    metadata,
    Column("country", String(2), primary_key=True),
    Column("date", Date, primary_key=True),
    Column("product_id", String(64), primary_key=True),
)

users = Table(
    "users",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("password_hash", String(256), nullable=False),
    Column("role", String(32), nullable=False),
    Column("created_at", BigInteger, nullable=False),
)
