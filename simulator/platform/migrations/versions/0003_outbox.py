"""Durable outbox of pushes to partners.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from simulator.platform.tables import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("partner_id", sa.String(36), nullable=False),
        sa.Column("module", sa.String(24), nullable=False),
        sa.Column("method", sa.String(8), nullable=False),
        sa.Column("path", sa.String(255), nullable=False),
        sa.Column("body", sa.Text()),
        sa.Column("object_key", sa.String(128), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("delivered_at", UTCDateTime()),
        sa.Column("last_error", sa.String(500)),
    )
    op.create_index("ix_outbox_pending", "outbox_events", ["delivered_at", "next_attempt_at"])
    op.create_index("ix_outbox_partner_object", "outbox_events", ["partner_id", "object_key", "id"])


def downgrade() -> None:
    op.drop_table("outbox_events")
