"""publishing: receipts, heartbeats, honest outbox states

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "post_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("network", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("response_id", sa.String(length=300), nullable=True),
        sa.Column("response_url", sa.String(length=1000), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_post_receipts_post_id_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_receipts")),
    )
    op.create_index(op.f("ix_post_receipts_post_id"), "post_receipts", ["post_id"], unique=False)
    op.create_table(
        "worker_heartbeats",
        sa.Column("worker_id", sa.String(length=120), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("interval_seconds", sa.Float(), nullable=False),
        sa.Column("networks", sa.String(length=200), nullable=False),
        sa.Column("last_result", sa.JSON(), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("worker_id", name=op.f("pk_worker_heartbeats")),
    )
    # No file:// links any more: the outbox is not a network, and a pack written for want of
    # credentials was never posted. Both wait for a person to post them by hand.
    op.execute(
        "UPDATE posts SET status = 'ready_by_hand', remote_url = NULL, remote_id = NULL "
        "WHERE status = 'posted' AND (network = 'outbox' OR remote_url LIKE 'file:%')"
    )


def downgrade() -> None:
    op.drop_table("worker_heartbeats")
    op.drop_index(op.f("ix_post_receipts_post_id"), table_name="post_receipts")
    op.drop_table("post_receipts")
