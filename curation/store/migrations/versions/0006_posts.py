"""posts, accounts and publishing attempts

Revision ID: 0006
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quote_id", sa.Integer(), nullable=False),
        sa.Column("network", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reply_text", sa.Text(), nullable=True),
        sa.Column("card_id", sa.Integer(), nullable=True),
        sa.Column("template", sa.String(length=40), nullable=True),
        sa.Column("format", sa.String(length=40), nullable=True),
        sa.Column("alt_text", sa.Text(), nullable=True),
        sa.Column("media_path", sa.String(length=1000), nullable=True),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scheduled_local", sa.String(length=16), nullable=False),
        sa.Column("scheduled_fold", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("claimed_by", sa.String(length=120), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("remote_id", sa.String(length=300), nullable=True),
        sa.Column("remote_url", sa.String(length=1000), nullable=True),
        sa.Column("reply_remote_id", sa.String(length=300), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_id"], ["cards.id"], name=op.f("fk_posts_card_id_cards"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["quote_id"], ["quotes.id"], name=op.f("fk_posts_quote_id_quotes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posts")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_posts_idempotency_key")),
    )
    op.create_index(
        "ix_posts_status_scheduled_at", "posts", ["status", "scheduled_at"], unique=False
    )
    op.create_index(
        "ix_posts_network_scheduled_at", "posts", ["network", "scheduled_at"], unique=False
    )
    op.create_index(op.f("ix_posts_quote_id"), "posts", ["quote_id"], unique=False)
    op.create_table(
        "posting_slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network", sa.String(length=20), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("local_time", sa.String(length=5), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posting_slots")),
        sa.UniqueConstraint(
            "network",
            "weekday",
            "local_time",
            name=op.f("uq_posting_slots_network_weekday_local_time"),
        ),
    )
    op.create_table(
        "account_health",
        sa.Column("network", sa.String(length=20), nullable=False),
        sa.Column("last_checked", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("account", sa.String(length=300), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("needs_reconnect", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("network", name=op.f("pk_account_health")),
    )


def downgrade() -> None:
    op.drop_table("account_health")
    op.drop_table("posting_slots")
    op.drop_index(op.f("ix_posts_quote_id"), table_name="posts")
    op.drop_index("ix_posts_network_scheduled_at", table_name="posts")
    op.drop_index("ix_posts_status_scheduled_at", table_name="posts")
    op.drop_table("posts")
