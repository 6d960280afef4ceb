"""Account health per network: test the connection, remember the last error (never secrets)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from curation import audit
from curation.access.actors import Actor, Permission, require
from curation.publishers import registry
from curation.publishers.base import Publisher, short_error
from curation.store.base import utcnow
from curation.store.posts import AccountHealth, Post, PostStatus


def check_accounts(
    session: Session,
    actor: Actor,
    *,
    networks: tuple[str, ...] = ("x", "bluesky", "mastodon", "outbox"),
    publishers: Mapping[str, Publisher] | None = None,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Test each network's connection and store the result; returns one row per network."""
    require(actor, Permission.MANAGE_ACCOUNTS)
    now = now or utcnow()
    rows = []
    for network in networks:
        try:
            publisher = (publishers or {}).get(network) or registry.publisher_for(network)
            result = publisher.check_connection()
            ok, account, error, reconnect = (
                result.ok,
                result.account,
                result.error,
                result.needs_reconnect,
            )
        except registry.NotConnected as exc:  # no credentials: nothing to test
            ok, account, error, reconnect = False, None, str(exc), False
        except Exception as exc:  # a broken client must not stop the other checks
            ok, account, error, reconnect = False, None, short_error(exc), False
        health = session.get(AccountHealth, network) or AccountHealth(network=network)
        health.last_checked, health.ok, health.account = now, ok, account
        health.last_error, health.needs_reconnect = error, reconnect
        session.add(health)
        if ok:  # reconnected: posts parked for reconnection may go again
            for post in session.scalars(
                select(Post).where(
                    Post.network == network, Post.status == PostStatus.NEEDS_RECONNECT.value
                )
            ):
                post.status = PostStatus.SCHEDULED.value
                post.next_attempt_at = None
        rows.append(health_row(health, configured=registry.configured(network)))
    audit.record(
        session,
        actor,
        "accounts.check",
        "account",
        None,
        {r["network"]: r["ok"] for r in rows},
        now=now,
    )
    return rows


def _mode(network: str, configured: bool) -> str:
    """ "outbox" (posted by hand), "live" (credentials here) or "not connected"."""
    if network == "outbox":
        return "outbox"
    return "live" if configured else "not connected"


def health_row(health: AccountHealth, *, configured: bool) -> dict[str, Any]:
    return {
        "network": health.network,
        "mode": _mode(health.network, configured),
        "ok": health.ok,
        "account": health.account,
        "last_checked": health.last_checked.isoformat() if health.last_checked else None,
        "last_error": health.last_error,
        "needs_reconnect": health.needs_reconnect,
    }


def account_health(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """The stored health of every network (unchecked ones too)."""
    require(actor, Permission.MANAGE_ACCOUNTS)
    rows = []
    for network in registry.NETWORKS:
        health = session.get(AccountHealth, network) or AccountHealth(
            network=network, ok=False, needs_reconnect=False
        )
        rows.append(health_row(health, configured=registry.configured(network)))
    return rows
