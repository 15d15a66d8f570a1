"""Order events, recommendation lists, merchandiser pins and exclusions, users.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "order_events",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("product_id", sa.String(64), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("ts", sa.BigInteger, nullable=False),
        sa.Column("price_usd", sa.Float, nullable=True),
    )
    op.create_index("ix_order_events_country_ts", "order_events", ["country", "ts"])
    op.create_table(
        "event_files",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(512), nullable=False),
        sa.Column("events", sa.Integer, nullable=False),
        sa.Column("ingested_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "recommendation_lists",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("built_at", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("country", "date", name="uq_recommendation_lists_country_date"),
    )
    op.create_table(
        "recommendation_items",
        sa.Column(
            "list_id",
            BigId,
            sa.ForeignKey("recommendation_lists.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("position", sa.SmallInteger, primary_key=True),
        sa.Column("product_id", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(8), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
    )
    op.create_table(
        "merch_pins",
        sa.Column("country", sa.String(2), primary_key=True),
        sa.Column("date", sa.Date, primary_key=True),
        sa.Column("product_id", sa.String(64), primary_key=True),
        sa.Column("position", sa.SmallInteger, nullable=False),
    )
    op.create_table(
        "merch_exclusions",
        sa.Column("country", sa.String(2), primary_key=True),
        sa.Column("date", sa.Date, primary_key=True),
        sa.Column("product_id", sa.String(64), primary_key=True),
    )
    op.create_table(
        "users",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(256), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "users",
        "merch_exclusions",
        "merch_pins",
        "recommendation_items",
        "recommendation_lists",
        "event_files",
    ):
        op.drop_table(table)
    op.drop_index("ix_order_events_country_ts", table_name="order_events")
    op.drop_table("order_events")
