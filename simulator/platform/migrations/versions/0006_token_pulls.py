"""Token pulls: where the CPO's next incremental pull of an eMSP's Tokens starts (§12.2.2).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from simulator.platform.tables import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "token_pulls",
        sa.Column("partner_id", sa.String(36), primary_key=True),
        sa.Column("complete_from", sa.String(40), nullable=False),
        sa.Column("completed_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("token_pulls")
