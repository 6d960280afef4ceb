"""Posts on a network without credentials wait as "not connected", and go when it is connected.

The worker knows which networks it can reach (it holds their credentials). Due posts of
any other network are parked as `not_connected`, never written somewhere else and never
marked posted; once a worker can reach the network, they are due again and go out once.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select, update

from curation import audit
from curation.access.actors import WORKER
from curation.store import Database
from curation.store.posts import Post, PostStatus

REASON = "not connected: this network has no credentials; the post waits until it has"


def park(db: Database, connected: Collection[str], now: datetime) -> list[int]:
    """Due, approved `scheduled` posts of networks not in `connected` become `not_connected`."""
    with db.immediate_session() as session:
        ids = list(
            session.scalars(
                select(Post.id).where(
                    Post.status == PostStatus.SCHEDULED.value,
                    Post.scheduled_at <= now,
                    Post.network.not_in(sorted(connected)),
                    Post.approved_digest.is_not(None),  # unapproved posts wait for approval
                )
            )
        )
        if not ids:
            return []
        session.execute(
            update(Post)
            .where(Post.id.in_(ids), Post.status == PostStatus.SCHEDULED.value)
            .values(status=PostStatus.NOT_CONNECTED.value, last_error=REASON, updated_at=now)
        )
        for post_id, network in session.execute(
            select(Post.id, Post.network).where(Post.id.in_(ids))
        ):
            audit.record(
                session,
                WORKER,
                "post.not_connected",
                "post",
                post_id,
                {"network": network},
                now=now,
            )
    return ids


def release(db: Database, connected: Collection[str], now: datetime) -> int:
    """`not_connected` posts of networks now in `connected` are due again."""
    if not connected:
        return 0
    with db.immediate_session() as session:
        moved = (
            session.connection()
            .execute(
                update(Post)
                .where(
                    Post.status == PostStatus.NOT_CONNECTED.value,
                    Post.network.in_(sorted(connected)),
                )
                .values(
                    status=PostStatus.SCHEDULED.value,
                    last_error=None,
                    next_attempt_at=None,
                    updated_at=now,
                )
            )
            .rowcount
        )
    return int(moved or 0)
