"""quotes: spans, status, notes

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quotes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("spans", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.String(length=120), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rejected_by", sa.String(length=120), nullable=True),
        sa.Column("pd_findings", sa.JSON(), nullable=False),
        sa.Column("pd_override_reason", sa.Text(), nullable=True),
        sa.Column("pd_override_by", sa.String(length=120), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name=op.f("fk_quotes_response_id_responses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quotes")),
    )
    op.create_index(op.f("ix_quotes_response_id"), "quotes", ["response_id"], unique=False)
    op.create_index("ix_quotes_status_response", "quotes", ["status", "response_id"], unique=False)
    op.create_table(
        "quote_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quote_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["quote_id"],
            ["quotes.id"],
            name=op.f("fk_quote_notes_quote_id_quotes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quote_notes")),
    )
    op.create_index(op.f("ix_quote_notes_quote_id"), "quote_notes", ["quote_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_quote_notes_quote_id"), table_name="quote_notes")
    op.drop_table("quote_notes")
    op.drop_index("ix_quotes_status_response", table_name="quotes")
    op.drop_index(op.f("ix_quotes_response_id"), table_name="quotes")
    op.drop_table("quotes")
