"""Platform tables: bootstrap tokens, partners, append-only audit trail.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from simulator.platform.tables import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_APPEND_ONLY = {
    "sqlite": [
        "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
        "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$",
        "CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
    ],
}


def upgrade() -> None:
    op.create_table(
        "bootstrap_tokens",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("label", sa.String(200)),
        sa.Column("expected_country_code", sa.String(2)),
        sa.Column("expected_party_id", sa.String(3)),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("redeemed_at", UTCDateTime()),
        sa.Column("redeemed_by", sa.String(36)),
        sa.Column("revoked_at", UTCDateTime()),
    )
    op.create_table(
        "partners",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("initiated_by", sa.String(8), nullable=False),
        sa.Column("versions_url", sa.String(255), nullable=False),
        sa.Column("version", sa.String(8)),
        sa.Column("endpoints", sa.JSON(), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("inbound_token_hash", sa.String(64), unique=True),
        sa.Column("next_inbound_token_hash", sa.String(64), unique=True),
        sa.Column("outbound_token", sa.String(64)),
        sa.Column("bootstrap_token_id", sa.String(36), sa.ForeignKey("bootstrap_tokens.id")),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", UTCDateTime(), nullable=False, index=True),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("reason", sa.String(40)),
        sa.Column("token_id", sa.String(36)),
        sa.Column("partner_id", sa.String(36)),
        sa.Column("client_address", sa.String(64)),
        sa.Column("request_id", sa.String(255)),
        sa.Column("detail", sa.Text()),
    )
    op.create_index("ix_audit_events_event_reason", "audit_events", ["event", "reason"])
    for statement in _APPEND_ONLY.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_change ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
    op.drop_table("audit_events")
    op.drop_table("partners")
    op.drop_table("bootstrap_tokens")
