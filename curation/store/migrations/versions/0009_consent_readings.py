"""consent readings, column mappings, post approvals

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "column_roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("header_key", sa.String(length=500), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("decided_by", sa.String(length=120), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"], ["consultations.id"],
            name=op.f("fk_column_roles_consultation_id_consultations"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_column_roles")),
        sa.UniqueConstraint(
            "consultation_id", "header_key", name=op.f("uq_column_roles_consultation_id_header_key")
        ),
    )  # fmt: skip
    op.create_table(
        "answer_readings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("header_key", sa.String(length=500), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("answer", sa.String(length=300), nullable=False),
        sa.Column("reading", sa.String(length=20), nullable=False),
        sa.Column("confirmed_by", sa.String(length=120), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"], ["consultations.id"],
            name=op.f("fk_answer_readings_consultation_id_consultations"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_readings")),
        sa.UniqueConstraint(
            "consultation_id", "header_key", "role", "answer",
            name=op.f("uq_answer_readings_consultation_id_header_key_role_answer"),
        ),
    )  # fmt: skip
    with op.batch_alter_table("respondents") as batch:
        batch.add_column(sa.Column("consent_answers", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("consent_reading", sa.String(length=20), nullable=True))
    with op.batch_alter_table("posts") as batch:
        batch.add_column(sa.Column("attribution", sa.Text(), nullable=True))
        batch.add_column(sa.Column("approved_digest", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("approved_by", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("posts") as batch:
        for name in ("approved_at", "approved_by", "approved_digest", "attribution"):
            batch.drop_column(name)
    with op.batch_alter_table("respondents") as batch:
        batch.drop_column("consent_reading")
        batch.drop_column("consent_answers")
    op.drop_table("answer_readings")
    op.drop_table("column_roles")
