"""Engagement analytics: sync metrics from the networks, import X exports, aggregate, chart, export.

Pages and the CLI call the service functions here; each checks the actor's permission.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from curation.access.actors import Actor, Permission, require
from curation.metrics.aggregate import EngagementView, Filters, build_view, summary
from curation.store.base import utcnow


def engagement_view(
    session: Session,
    actor: Actor,
    consultation_id: int,
    filters: Filters | None = None,
    *,
    now: datetime | None = None,
) -> EngagementView:
    """Everything the Engagement page shows for the consultation and filters."""
    from curation.metrics.frames import load_frames

    require(actor, Permission.VIEW_ENGAGEMENT)
    filters = filters or Filters()
    return build_view(load_frames(session, consultation_id, filters), filters, now=now or utcnow())


def metrics_summary(
    session: Session, actor: Actor, consultation_id: int, filters: Filters | None = None
) -> dict[str, Any]:
    """`{posts, impressions, engagements, engagement_rate, replies, quotes, by_question,
    by_mission}` for the consultation's published posts."""
    from curation.metrics.frames import load_frames

    require(actor, Permission.VIEW_ENGAGEMENT)
    return summary(load_frames(session, consultation_id, filters), filters)


__all__ = ["EngagementView", "Filters", "engagement_view", "metrics_summary"]
