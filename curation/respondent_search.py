"""Find a respondent by name, email, organisation or form submission id, for pickers.

Pages pick people by what people know about them, never by typing a database id. Whoever
may erase (admins) sees every respondent with their email and state; anyone else who may
import (curators adding a recording) sees anonymous respondents only as "Anonymous
respondent" with their submission id, and no erased ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import Session

from curation.access.actors import Actor, Permission, require
from curation.store.foundation import Respondent
from curation.timefmt import human_date

MAX_CHOICES = 50


@dataclass(frozen=True)
class RespondentChoice:
    """One respondent as a picker shows them."""

    id: int
    label: str
    withdrawn: bool
    erased: bool


def find_respondents(
    session: Session,
    actor: Actor,
    consultation_id: int,
    query: str = "",
    *,
    limit: int = MAX_CHOICES,
) -> list[RespondentChoice]:
    """Respondents of the consultation matching `query` (all when blank), by name."""
    require(actor, Permission.IMPORT_RESPONSES)
    everyone = actor.can(Permission.ERASE)
    words = query.strip().casefold()[:120]
    stmt = select(Respondent).where(Respondent.consultation_id == consultation_id)
    if not everyone:
        stmt = stmt.where(Respondent.erased_at.is_(None))
    if words:
        pattern = f"%{_escape_like(words)}%"
        source = func.lower(cast(Respondent.source_ids, String)).like(pattern, escape="\\")
        named = [
            func.lower(Respondent.name).like(pattern, escape="\\"),
            func.lower(Respondent.organisation).like(pattern, escape="\\"),
        ]
        if everyone:
            named.append(func.lower(Respondent.email).like(pattern, escape="\\"))
            stmt = stmt.where(or_(source, *named))
        else:  # an anonymous person's name is not searchable by those who cannot see it
            stmt = stmt.where(or_(source, *[n & ~Respondent.anonymous for n in named]))
    stmt = stmt.order_by(func.lower(func.coalesce(Respondent.name, "")), Respondent.id)
    return [_choice(r, everyone) for r in session.scalars(stmt.limit(max(1, min(limit, 500))))]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _submission(person: Respondent) -> str | None:
    ids = [str(v) for v in (person.source_ids or {}).values() if v not in (None, "")]
    return f"submission {ids[0]}" if ids else None


def _choice(person: Respondent, everyone: bool) -> RespondentChoice:
    erased = person.erased_at is not None
    withdrawn = person.withdrawn_at is not None
    if erased:
        parts = ["Erased respondent"]
    elif person.anonymous and not everyone:
        parts = ["Anonymous respondent"]
    else:
        parts = [(person.name or "").strip() or "No name given"]
        if person.anonymous:
            parts.append("anonymous")
        if person.organisation:
            parts.append(person.organisation.strip())
        if everyone and person.email:
            parts.append(person.email.strip())
    if person.region and not erased:
        parts.append(person.region)
    submission = _submission(person)
    if submission and not erased:
        parts.append(submission)
    if erased:
        parts.append(f"erased {human_date(person.erased_at)}")
    elif withdrawn:
        parts.append(f"withdrew {human_date(person.withdrawn_at)}")
    else:
        parts.append(f"imported {human_date(person.created_at)}")
    return RespondentChoice(person.id, " · ".join(parts), withdrawn, erased)
