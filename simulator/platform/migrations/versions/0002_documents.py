"""OCPI objects as JSON documents beside their lookup and paging columns.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from simulator.platform.tables import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("origin", sa.String(36), nullable=False),
        sa.Column("country_code", sa.String(2), nullable=False),
        sa.Column("party_id", sa.String(3), nullable=False),
        sa.Column("object_key", sa.String(39), nullable=False),
        sa.Column("variant", sa.String(16), nullable=False, server_default=""),
        sa.Column("last_updated", UTCDateTime(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.UniqueConstraint("kind", "origin", "country_code", "party_id", "object_key", "variant"),
    )
    op.create_index(
        "ix_documents_kind_origin_updated", "documents", ["kind", "origin", "last_updated"]
    )


def downgrade() -> None:
    op.drop_table("documents")
