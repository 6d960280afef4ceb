"""The audit log: every change, with its actor, written in the same transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from curation.actors import Actor
from curation.store.base import utcnow
from curation.store.foundation import AuditEntry


def record(
    session: Session,
    actor: Actor,
    action: str,
    target_type: str,
    target_id: object = None,
    details: dict[str, Any] | None = None,
    *,
    now: datetime | None = None,
) -> AuditEntry:
    """Add one audit entry to `session` (committed with the change it describes).

    `details` must not hold respondent text: ids, states and counts only.
    """
    entry = AuditEntry(
        at=now or utcnow(),
        actor=actor.name,
        role=actor.role.value,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        details=details or {},
    )
    session.add(entry)
    return entry
