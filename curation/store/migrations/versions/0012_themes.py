"""themes, duplicate groups and tone

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analysis_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("stage", sa.String(length=80), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_analysis_runs_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis_runs")),
    )
    op.create_index(op.f("ix_analysis_runs_consultation_id"), "analysis_runs", ["consultation_id"])
    op.create_table(
        "answer_themes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("label_edited", sa.Boolean(), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("quotable", sa.Integer(), nullable=False),
        sa.Column("passages", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_answer_themes_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_answer_themes_question_id_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_themes")),
    )
    op.create_index(op.f("ix_answer_themes_consultation_id"), "answer_themes", ["consultation_id"])
    op.create_table(
        "response_readings",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("answer_theme_id", sa.Integer(), nullable=True),
        sa.Column("theme_strength", sa.Float(), nullable=True),
        sa.Column("group_key", sa.Integer(), nullable=True),
        sa.Column("group_size", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("tone", sa.String(length=20), nullable=True),
        sa.Column("tone_score", sa.Float(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["answer_theme_id"],
            ["answer_themes.id"],
            name=op.f("fk_response_readings_answer_theme_id_answer_themes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name=op.f("fk_response_readings_response_id_responses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("response_id", name=op.f("pk_response_readings")),
    )
    op.create_index(
        op.f("ix_response_readings_answer_theme_id"), "response_readings", ["answer_theme_id"]
    )
    op.create_index(op.f("ix_response_readings_group_key"), "response_readings", ["group_key"])
    op.create_table(
        "answer_theme_edits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("other_terms", sa.JSON(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_answer_theme_edits_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_answer_theme_edits_question_id_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_theme_edits")),
    )
    op.create_index(
        op.f("ix_answer_theme_edits_consultation_id"), "answer_theme_edits", ["consultation_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_answer_theme_edits_consultation_id"), table_name="answer_theme_edits")
    op.drop_table("answer_theme_edits")
    op.drop_index(op.f("ix_response_readings_group_key"), table_name="response_readings")
    op.drop_index(op.f("ix_response_readings_answer_theme_id"), table_name="response_readings")
    op.drop_table("response_readings")
    op.drop_index(op.f("ix_answer_themes_consultation_id"), table_name="answer_themes")
    op.drop_table("answer_themes")
    op.drop_index(op.f("ix_analysis_runs_consultation_id"), table_name="analysis_runs")
    op.drop_table("analysis_runs")
