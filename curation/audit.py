"""The audit log: every change, with its actor, written in the same transaction; and
reading it back with filters for the Audit page and `curation audit`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from curation.access.actors import Actor, Permission, require
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


MAX_ROWS = 5000


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to show; an action matches exactly or as a prefix ("respondent" matches
    "respondent.withdraw")."""

    actor: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    target_type: str | None = None
    limit: int = MAX_ROWS


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    actor: str
    role: str
    action: str
    target_type: str
    target_id: str | None
    details: dict[str, Any]

    @property
    def change(self) -> str:
        """ "before → after" where the entry records a state change (consent, status, ...)."""
        return describe_change(self.details, self.action)

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "actor": self.actor,
            "role": self.role,
            "action": self.action,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "change": self.change,
            "details": self.details,
        }


def describe_change(details: dict[str, Any], action: str = "") -> str:
    """Before and after, from the conventional keys services put in `details`."""
    pairs = [("before", "after"), ("from", "to"), ("old", "new"),
             ("status_before", "status_after"), ("consent_before", "consent_after")]  # fmt: skip
    parts = [f"{details[a]} → {details[b]}" for a, b in pairs if a in details and b in details]
    if not parts and "before" in details:
        parts.append(f"was {details['before']}")
    if "newly_withdrawn" in details:
        parts.append(
            "consent: given → withdrawn"
            if details["newly_withdrawn"]
            else "consent: already withdrawn"
        )
    if action == "respondent.erase" and not details.get("already_erased"):
        parts.append("personal data: kept → erased")
    return "; ".join(parts)


def audit_entries(
    session: Session, actor: Actor, filters: AuditFilter | None = None
) -> list[AuditRow]:
    """Newest first, filtered; admins only (the log names people and what they did)."""
    require(actor, Permission.VIEW_AUDIT)
    f = filters or AuditFilter()
    query = select(AuditEntry)
    if f.actor:
        query = query.where(AuditEntry.actor == f.actor)
    if f.action:
        query = query.where(
            or_(
                AuditEntry.action == f.action,
                AuditEntry.action.startswith(f.action.rstrip(".") + ".", autoescape=True),
            )
        )
    if f.since:
        query = query.where(AuditEntry.at >= f.since)
    if f.until:
        query = query.where(AuditEntry.at < f.until)
    if f.target_type:
        query = query.where(AuditEntry.target_type == f.target_type)
    query = query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(
        max(1, min(f.limit, MAX_ROWS))
    )
    return [
        AuditRow(e.at, e.actor, e.role, e.action, e.target_type, e.target_id, dict(e.details or {}))
        for e in session.scalars(query)
    ]


def known_actions(session: Session, actor: Actor) -> list[str]:
    """Distinct actions in the log, for the filter's choices."""
    require(actor, Permission.VIEW_AUDIT)
    return sorted(session.scalars(select(AuditEntry.action).distinct()))
