"""Claiming due posts: one atomic statement per claim, with a lease.

SQLite runs it inside `BEGIN IMMEDIATE`; PostgreSQL picks the row with `FOR UPDATE SKIP
LOCKED`. Expired leases are recovered here too: a `sending` post whose worker vanished
becomes `unknown` (it may be out there), a `claimed` one is simply due again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, case, func, or_, select, update

from curation.publishers.base import Outgoing
from curation.store import Database
from curation.store.posts import Post, PostStatus


@dataclass(frozen=True)
class Claim:
    post: Outgoing
    resolving: bool  # True when the post was `unknown`: look it up before anything else


def outgoing(post: Post) -> Outgoing:
    return Outgoing(
        id=post.id,
        network=post.network,
        text=post.text,
        reply_text=post.reply_text,
        idempotency_key=post.idempotency_key,
        scheduled_at=post.scheduled_at,
        created_at=post.created_at,
        alt_text=post.alt_text,
        media_path=post.media_path,
        remote_id=post.remote_id,
    )


def recover_expired(db: Database, now: datetime) -> int:
    """Expired leases: `sending` -> `unknown` (it may be out there); `claimed` -> `scheduled`."""
    with db.immediate_session() as session:
        lost = (
            session.connection()
            .execute(
                update(Post)
                .where(Post.status == PostStatus.SENDING.value, Post.lease_until < now)
                .values(
                    status=PostStatus.UNKNOWN.value,
                    claimed_by=None,
                    lease_until=None,
                    updated_at=now,
                )
            )
            .rowcount
        )
        session.execute(
            update(Post)
            .where(Post.status == PostStatus.CLAIMED.value, Post.lease_until < now)
            .values(
                status=PostStatus.SCHEDULED.value, claimed_by=None, lease_until=None, updated_at=now
            )
        )
    return int(lost or 0)


_OUTGOING_COLUMNS = (
    Post.id,
    Post.network,
    Post.text,
    Post.reply_text,
    Post.idempotency_key,
    Post.scheduled_at,
    Post.created_at,
    Post.alt_text,
    Post.media_path,
    Post.remote_id,
)


def _claim_statement(*, skip: bool, for_update: bool) -> Any:
    """UPDATE the next due post RETURNING it: unknown posts first, then scheduled ones.

    Each candidate comes from the (status, scheduled_at) index; COALESCE keeps the whole
    claim to one statement (one round trip) inside the write transaction. Built from bind
    parameters so SQLAlchemy compiles it once per shape.
    """

    def first_due(status: str) -> Any:
        due = (
            select(Post.id)
            .where(
                Post.status == status,
                Post.scheduled_at <= bindparam("now"),
                or_(Post.next_attempt_at.is_(None), Post.next_attempt_at <= bindparam("now")),
            )
            .order_by(Post.scheduled_at, Post.id)
            .limit(1)
        )
        if status == PostStatus.SCHEDULED.value:
            # Only what a second person approved goes out; the rest waits (its content is
            # compared with the approval again right before sending).
            due = due.where(Post.approved_digest.is_not(None))
        if skip:
            due = due.where(Post.network.not_in(bindparam("skip", expanding=True)))
        if for_update:
            due = due.with_for_update(skip_locked=True)
        return due.scalar_subquery()

    target = func.coalesce(
        first_due(PostStatus.UNKNOWN.value), first_due(PostStatus.SCHEDULED.value)
    )
    # An unknown post is claimed straight into `sending`: a crash keeps it unresolved.
    claimed = case(
        (Post.status == PostStatus.UNKNOWN.value, PostStatus.SENDING.value),
        else_=PostStatus.CLAIMED.value,
    )
    return (
        update(Post)
        .where(Post.id == target)
        .values(
            status=claimed,
            claimed_by=bindparam("worker"),
            lease_until=bindparam("lease"),
            updated_at=bindparam("now"),
        )
        .returning(*_OUTGOING_COLUMNS, Post.status)
    )


_CLAIMS = {
    (skip, for_update): _claim_statement(skip=skip, for_update=for_update)
    for skip in (False, True)
    for for_update in (False, True)
}


def claim_next(
    db: Database,
    *,
    now: datetime,
    worker_id: str,
    lease_seconds: int = 300,
    skip_networks: frozenset[str] = frozenset(),
) -> Claim | None:
    """Atomically take the next due post (unknown ones first) and lease it to `worker_id`.

    SQLite: inside `BEGIN IMMEDIATE` (the write lock is held from the first read).
    PostgreSQL: the row is picked with `FOR UPDATE SKIP LOCKED`, so workers never wait
    on each other's rows and never take the same one.
    """
    params: dict[str, Any] = {
        "now": now,
        "worker": worker_id,
        "lease": now + timedelta(seconds=lease_seconds),
    }
    if skip_networks:
        params["skip"] = sorted(skip_networks)
    with db.immediate_session() as session:
        conn = session.connection()
        if not db.is_sqlite:
            # A lost claim is harmless (the post is simply due again and `sending` is committed
            # durably before any network call), so the claim need not wait for the WAL flush.
            conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
        row = conn.execute(_CLAIMS[(bool(skip_networks), not db.is_sqlite)], params).first()
    if row is None:
        return None
    post = Outgoing(
        id=row.id,
        network=row.network,
        text=row.text,
        reply_text=row.reply_text,
        idempotency_key=row.idempotency_key,
        scheduled_at=row.scheduled_at,
        created_at=row.created_at,
        alt_text=row.alt_text,
        media_path=row.media_path,
        remote_id=row.remote_id,
    )
    return Claim(post, resolving=row.status == PostStatus.SENDING.value)
