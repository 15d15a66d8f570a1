"""Merchandising over time, query rules, editable synonyms, search analytics, audit, accounts.

Pins and exclusions get date spans (starts..ends, local dates), a position and a badge;
the per-day rows of 0001 are carried over as one-day spans. New: query rules, the
synonym and brand-alias sets merchandisers edit, data version counters, the search log,
the audit log, login throttling; users can be disabled and hold a hashed API token.

Revision ID: 0003_merchandising
Revises: 0002
Create Date: 2026-11-28
"""

import time
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_merchandising"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _spans(name: str, *extra: sa.Column) -> sa.Table:
    return op.create_table(
        name,
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("product_id", sa.String(64), nullable=False),
        sa.Column("starts", sa.Date, nullable=False),
        sa.Column("ends", sa.Date, nullable=False),
        *extra,
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("country", "product_id", "starts", "ends", name=f"uq_{name}_span"),
    )


def upgrade() -> None:
    now = int(time.time())
    _spans(
        "pins",
        sa.Column("position", sa.SmallInteger, nullable=True),
        sa.Column("badge", sa.String(40), nullable=True),
    )
    op.create_index("ix_pins_country_span", "pins", ["country", "starts", "ends"])
    _spans("exclusions")
    op.create_index("ix_exclusions_country_span", "exclusions", ["country", "starts", "ends"])
    # Each day's pin or exclusion of 0001 becomes a one-day span.
    op.execute(
        sa.text(
            "INSERT INTO pins (country, product_id, starts, ends, position, badge, created_by,"
            " created_at) SELECT country, product_id, date, date, position, NULL, 'migration',"
            " :now FROM merch_pins"
        ).bindparams(now=now)
    )
    op.execute(
        sa.text(
            "INSERT INTO exclusions (country, product_id, starts, ends, created_by, created_at)"
            " SELECT country, product_id, date, date, 'migration', :now FROM merch_exclusions"
        ).bindparams(now=now)
    )
    op.drop_table("merch_pins")
    op.drop_table("merch_exclusions")

    with op.batch_alter_table("recommendation_items") as batch:
        batch.add_column(sa.Column("badge", sa.String(40), nullable=True))
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("token_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("token_created_at", sa.BigInteger, nullable=True))
        batch.create_unique_constraint("uq_users_token_hash", ["token_hash"])

    op.create_table(
        "query_rules",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("query", sa.String(256), nullable=False),
        sa.Column("locale", sa.String(16), nullable=False),
        sa.Column("country", sa.String(2), nullable=True),
        sa.Column("promote", sa.JSON, nullable=False),
        sa.Column("hide", sa.JSON, nullable=False),
        sa.Column("starts", sa.Date, nullable=True),
        sa.Column("ends", sa.Date, nullable=True),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "understanding_data",
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("body", sa.JSON, nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "data_versions",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("version", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "search_log",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("locale", sa.String(16), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("query", sa.String(256), nullable=False),
        sa.Column("understood", sa.String(512), nullable=False),
        sa.Column("results", sa.Integer, nullable=False),
    )
    op.create_index("ix_search_log_at", "search_log", ["at"])
    op.create_table(
        "audit_log",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("user", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_table(
        "login_failures",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_login_failures_key_at", "login_failures", ["key", "at"])
    op.create_table(
        "login_lockouts",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("until", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "login_lockouts",
        "login_failures",
        "audit_log",
        "search_log",
        "data_versions",
        "understanding_data",
        "query_rules",
    ):
        op.drop_table(table)
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("uq_users_token_hash", type_="unique")
        batch.drop_column("token_created_at")
        batch.drop_column("token_hash")
        batch.drop_column("disabled")
    with op.batch_alter_table("recommendation_items") as batch:
        batch.drop_column("badge")
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
    op.drop_table("exclusions")
    op.drop_table("pins")
