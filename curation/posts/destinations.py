"""Where a post may go and whether it can go now: demo quotes, networks not connected.

Demo (fictional) quotes only ever go to the outbox. A network is "not connected" when no
running worker holds its credentials (from the workers' heartbeats), or, with no worker
running, when this process has none: its posts wait until it is connected.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from curation.posts import compose
from curation.posts.heartbeat import publisher_status
from curation.publishers import registry
from curation.store.base import utcnow
from curation.store.posts import STATUS_LABELS, PostStatus

OUTBOX = "outbox"


def is_demo_quote(session: Session, quote_id: int) -> bool:
    """Whether the quote comes from the fictional demo data."""
    from curation.store.quotes import Quote

    quote = session.get(Quote, quote_id)
    return bool(quote is not None and quote.response.respondent.is_demo)


def allowed_networks(session: Session, quote_id: int) -> tuple[str, ...]:
    """The networks this quote may be posted to: only the outbox for a demo quote."""
    return (OUTBOX,) if is_demo_quote(session, quote_id) else compose.NETWORKS


def not_connected_networks(session: Session, now: datetime | None = None) -> tuple[str, ...]:
    """The social networks whose posts would wait, "not connected", if due now."""
    status = publisher_status(session, now or utcnow())
    if status.running:
        reachable = set(status.networks)
    else:
        reachable = {n for n in registry.SOCIAL_NETWORKS if registry.configured(n)}
    return tuple(n for n in registry.SOCIAL_NETWORKS if n not in reachable)


def demo_post_ids(session: Session, post_ids: list[int]) -> set[int]:
    """Which of these posts carry demo quotes (the demo's engagement history never went out)."""
    from curation.store.foundation import Respondent, Response
    from curation.store.posts import Post
    from curation.store.quotes import Quote

    if not post_ids:
        return set()
    return set(
        session.scalars(
            select(Post.id)
            .join(Quote, Quote.id == Post.quote_id)
            .join(Response, Response.id == Quote.response_id)
            .join(Respondent, Respondent.id == Response.respondent_id)
            .where(Post.id.in_(post_ids), Respondent.is_demo.is_(True))
        )
    )


def with_states(
    rows: list[dict[str, Any]], waiting: tuple[str, ...], demo_ids: set[int] | None = None
) -> list[dict[str, Any]]:
    """Post rows with what people read: a scheduled post on a network not connected says so,
    and the demo's fictional history never reads as posted (nor links anywhere)."""
    out = []
    for row in rows:
        state = STATUS_LABELS.get(row["status"], row["status"])
        extra: dict[str, Any] = {}
        if row["status"] == PostStatus.SCHEDULED.value and not row.get("approved", True):
            state = f"{state} · waiting for approval"
        if row["status"] == PostStatus.SCHEDULED.value and row["network"] in waiting:
            state = f"{state} · not connected"
        if row["id"] in (demo_ids or set()) and row["network"] != OUTBOX:
            state, extra = "demo history (never sent)", {"remote_url": None, "remote_id": None}
        out.append({**row, **extra, "state": state})
    return out
