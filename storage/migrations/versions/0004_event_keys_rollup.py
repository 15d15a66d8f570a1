"""Events stored once each (order_id or natural key), the daily rollup, BRIN by time.

Idempotency moves from whole files (event_files, dropped) to each event: `order_id`
and the natural key (ts, country, product_id, quantity) are unique, and duplicates that
earlier re-sent files stored are removed first (the oldest row stays). `day` holds the
country's local date; events already stored get it, and their place in the new
`order_rollup`, from the application on its next ingest or list build
(storage.events.roll_up_old_events: the time zones live in the locale registry).
On PostgreSQL a BRIN index on ts replaces the covering (country, ts) B-tree, which the
lists no longer read.

Revision ID: 0004_event_keys_rollup
Revises: 0003_merchandising
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_event_keys_rollup"
down_revision: str | None = "0003_merchandising"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.add_column("order_events", sa.Column("order_id", sa.String(64), nullable=True))
    op.add_column("order_events", sa.Column("day", sa.Integer, nullable=True))
    op.execute(
        "DELETE FROM order_events WHERE id NOT IN (SELECT min(id) FROM order_events "
        "GROUP BY ts, country, product_id, quantity)"
    )
    op.create_index(
        "ux_order_events_order_id",
        "order_events",
        ["order_id"],
        unique=True,
        postgresql_where=sa.text("order_id IS NOT NULL"),
        sqlite_where=sa.text("order_id IS NOT NULL"),
    )
    op.create_index(
        "ux_order_events_key",
        "order_events",
        ["ts", "country", "product_id", "quantity"],
        unique=True,
        postgresql_where=sa.text("order_id IS NULL"),
        sqlite_where=sa.text("order_id IS NULL"),
    )
    op.create_index(
        "ix_order_events_unrolled",
        "order_events",
        ["id"],
        postgresql_where=sa.text("day IS NULL"),
        sqlite_where=sa.text("day IS NULL"),
    )
    if postgresql:
        op.drop_index("ix_order_events_country_ts", table_name="order_events")
        op.create_index("ix_order_events_ts_brin", "order_events", ["ts"], postgresql_using="brin")
    op.create_table(
        "order_rollup",
        sa.Column("country", sa.String(2), primary_key=True),
        sa.Column("day", sa.Integer, primary_key=True),
        sa.Column("product_id", sa.String(64), primary_key=True),
        sa.Column("orders", sa.BigInteger, nullable=False),
        sa.Column("weight", sa.Float, nullable=False),
    )
    op.drop_table("event_files")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "event_files",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(512), nullable=False),
        sa.Column("events", sa.Integer, nullable=False),
        sa.Column("ingested_at", sa.BigInteger, nullable=False),
    )
    op.drop_table("order_rollup")
    if postgresql:
        op.drop_index("ix_order_events_ts_brin", table_name="order_events")
        op.create_index(
            "ix_order_events_country_ts",
            "order_events",
            ["country", "ts"],
            postgresql_include=["product_id", "quantity"],
        )
    op.drop_index("ix_order_events_unrolled", table_name="order_events")
    op.drop_index("ux_order_events_key", table_name="order_events")
    op.drop_index("ux_order_events_order_id", table_name="order_events")
    with op.batch_alter_table("order_events") as batch:
        batch.drop_column("day")
        batch.drop_column("order_id")
