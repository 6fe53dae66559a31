"""Documents: paging in creation order, lookups by id alone, and counts kept by triggers.

`document_counts` holds the number of documents per (kind, origin), kept by triggers in the
transaction that inserts or deletes, so X-Total-Count of an unfiltered list (§4.1.4.1) is one
row read instead of a COUNT over the whole table.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_COUNT_TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER documents_count_insert AFTER INSERT ON documents BEGIN "
        "INSERT OR IGNORE INTO document_counts (kind, origin, n) VALUES (NEW.kind, NEW.origin, 0);"
        " UPDATE document_counts SET n = n + 1 WHERE kind = NEW.kind AND origin = NEW.origin;"
        " END",
        "CREATE TRIGGER documents_count_delete AFTER DELETE ON documents BEGIN "
        "UPDATE document_counts SET n = n - 1 WHERE kind = OLD.kind AND origin = OLD.origin;"
        " END",
    ],
    "postgresql": [
        "CREATE FUNCTION documents_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'INSERT' THEN "
        "INSERT INTO document_counts (kind, origin, n) VALUES (NEW.kind, NEW.origin, 1) "
        "ON CONFLICT (kind, origin) DO UPDATE SET n = document_counts.n + 1; "
        "ELSE "
        "UPDATE document_counts SET n = n - 1 WHERE kind = OLD.kind AND origin = OLD.origin; "
        "END IF; RETURN NULL; END $$",
        "CREATE TRIGGER documents_count AFTER INSERT OR DELETE ON documents "
        "FOR EACH ROW EXECUTE FUNCTION documents_count()",
    ],
}


def upgrade() -> None:
    op.create_index("ix_documents_kind_origin_seq", "documents", ["kind", "origin", "seq"])
    op.create_index("ix_documents_kind_origin_key", "documents", ["kind", "origin", "object_key"])
    op.create_table(
        "document_counts",
        sa.Column("kind", sa.String(24), primary_key=True),
        sa.Column("origin", sa.String(36), primary_key=True),
        sa.Column("n", sa.Integer(), nullable=False),
    )
    op.execute(
        "INSERT INTO document_counts (kind, origin, n) "
        "SELECT kind, origin, COUNT(*) FROM documents GROUP BY kind, origin"
    )
    for statement in _COUNT_TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS documents_count ON documents")
        op.execute("DROP FUNCTION IF EXISTS documents_count()")
    else:
        op.execute("DROP TRIGGER IF EXISTS documents_count_insert")
        op.execute("DROP TRIGGER IF EXISTS documents_count_delete")
    op.drop_table("document_counts")
    op.drop_index("ix_documents_kind_origin_key", "documents")
    op.drop_index("ix_documents_kind_origin_seq", "documents")
