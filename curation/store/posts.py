"""Models for scheduled posts, recurring posting slots, per-network account health, the
receipts of each network call and the publishing workers' heartbeats."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from curation.store.base import Base, utcnow


class Network(StrEnum):
    X = "x"
    BLUESKY = "bluesky"
    MASTODON = "mastodon"
    OUTBOX = "outbox"


# The one list of destinations: the networks with an API (and metrics), then the outbox.
SOCIAL_NETWORKS = (Network.X.value, Network.BLUESKY.value, Network.MASTODON.value)
NETWORKS = (*SOCIAL_NETWORKS, Network.OUTBOX.value)
NETWORK_NAMES = {"x": "X", "bluesky": "Bluesky", "mastodon": "Mastodon", "outbox": "Outbox"}


class PostStatus(StrEnum):
    SCHEDULED = "scheduled"  # waiting for its time
    CLAIMED = "claimed"  # a worker holds the lease and is about to send
    SENDING = "sending"  # committed just before the network call
    POSTED = "posted"  # remote id and URL stored
    FAILED = "failed"  # permanent failure, or refused at send time (consent, approval)
    UNKNOWN = "unknown"  # a send may or may not have arrived; resolved, never blindly resent
    NEEDS_RECONNECT = "needs_reconnect"  # the account's credentials were refused
    CANCELLED = "cancelled"
    DELETED = "deleted"  # published, then removed from the network (withdrawal)
    NEEDS_LOOK = "needs_look"  # the network's answer needs a person's check (never resent)
    # The outbox pack is written; a person posts it by hand and then marks it posted.
    READY_BY_HAND = "ready_by_hand"
    POSTED_BY_HAND = "posted_by_hand"  # a person posted the pack and recorded the real URL
    NOT_CONNECTED = "not_connected"  # due, but the worker has no credentials for the network


# Posts that still wait to go out (cancelled on withdrawal).
PENDING_STATUSES = (
    PostStatus.SCHEDULED.value,
    PostStatus.CLAIMED.value,
    PostStatus.NEEDS_RECONNECT.value,
    PostStatus.NOT_CONNECTED.value,
    PostStatus.READY_BY_HAND.value,
)

# What people read for each status (the Calendar, Compose and the README say the same).
STATUS_LABELS = {
    PostStatus.SCHEDULED.value: "scheduled",
    PostStatus.CLAIMED.value: "about to send",
    PostStatus.SENDING.value: "sending",
    PostStatus.POSTED.value: "posted",
    PostStatus.FAILED.value: "failed",
    PostStatus.UNKNOWN.value: "checking whether it went out",
    PostStatus.NEEDS_RECONNECT.value: "needs reconnecting",
    PostStatus.CANCELLED.value: "cancelled",
    PostStatus.DELETED.value: "deleted",
    PostStatus.READY_BY_HAND.value: "ready to post by hand",
    PostStatus.POSTED_BY_HAND.value: "posted by hand",
    PostStatus.NOT_CONNECTED.value: "not connected",
    PostStatus.NEEDS_LOOK.value: "needs a look",
}


class Post(Base):
    """One post of one quote on one network, with everything the worker needs to send it once."""

    __tablename__ = "posts"
    __table_args__ = (
        Index("ix_posts_status_scheduled_at", "status", "scheduled_at"),
        Index("ix_posts_network_scheduled_at", "network", "scheduled_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id", ondelete="CASCADE"), index=True)
    network: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    # The optional "debate" follow-up that poses the consultation question (a thread of two).
    reply_text: Mapped[str | None] = mapped_column(Text)
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id", ondelete="SET NULL"))
    template: Mapped[str | None] = mapped_column(String(40))
    format: Mapped[str | None] = mapped_column(String(40))
    alt_text: Mapped[str | None] = mapped_column(Text)
    media_path: Mapped[str | None] = mapped_column(String(1000))
    scheduled_at: Mapped[datetime] = mapped_column()
    # The intended Europe/London wall time ("YYYY-MM-DD HH:MM") and its fold at a clock change.
    scheduled_local: Mapped[str] = mapped_column(String(16))
    scheduled_fold: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default=PostStatus.SCHEDULED.value)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    lease_until: Mapped[datetime | None] = mapped_column()
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    remote_id: Mapped[str | None] = mapped_column(String(300))
    remote_url: Mapped[str | None] = mapped_column(String(1000))
    reply_remote_id: Mapped[str | None] = mapped_column(String(300))
    last_error: Mapped[str | None] = mapped_column(Text)
    posted_at: Mapped[datetime | None] = mapped_column()
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # What goes out is what a second person approved: a digest of the post text, reply,
    # alt text, media and attribution, checked again by the worker right before sending.
    attribution: Mapped[str | None] = mapped_column(Text)
    approved_digest: Mapped[str | None] = mapped_column(String(64))
    approved_by: Mapped[str | None] = mapped_column(String(120))
    approved_at: Mapped[datetime | None] = mapped_column()


class PostingSlot(Base):
    """A recurring Europe/London posting time for one account, e.g. Tuesday 12:30 on X."""

    __tablename__ = "posting_slots"
    __table_args__ = (UniqueConstraint("network", "weekday", "local_time"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network: Mapped[str] = mapped_column(String(20))
    weekday: Mapped[int] = mapped_column(Integer)  # Monday 0 ... Sunday 6
    local_time: Mapped[str] = mapped_column(String(5))  # "HH:MM"


class AccountHealth(Base):
    """The last connection check of one network account (never its credentials)."""

    __tablename__ = "account_health"

    network: Mapped[str] = mapped_column(String(20), primary_key=True)
    last_checked: Mapped[datetime | None] = mapped_column()
    ok: Mapped[bool] = mapped_column(Boolean, default=False)
    account: Mapped[str | None] = mapped_column(String(300))
    last_error: Mapped[str | None] = mapped_column(Text)
    needs_reconnect: Mapped[bool] = mapped_column(Boolean, default=False)


class PostReceipt(Base):
    """What one network call of a post sent and what the network answered (never secrets).

    `kind` is "publish" (or "resolve" when an unknown outcome was looked up), "takedown"
    for a deletion, "pack" for the outbox and "by_hand" when a person recorded the URL."""

    __tablename__ = "post_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    network: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    request: Mapped[dict[str, Any]] = mapped_column()
    response_id: Mapped[str | None] = mapped_column(String(300))
    response_url: Mapped[str | None] = mapped_column(String(1000))
    answer: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WorkerHeartbeat(Base):
    """A publishing worker's last sign of life, written every loop (one row per worker)."""

    __tablename__ = "worker_heartbeats"

    worker_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column()
    last_run_at: Mapped[datetime] = mapped_column()
    interval_seconds: Mapped[float] = mapped_column(Float)
    # The networks this worker can reach (it has their credentials), comma-separated.
    networks: Mapped[str] = mapped_column(String(200), default="")
    last_result: Mapped[dict[str, Any]] = mapped_column()
    stopped_at: Mapped[datetime | None] = mapped_column()
