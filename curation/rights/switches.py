"""Consent switches: turning anonymous quotes off is losing consent for anonymous people."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from curation import app_settings
from curation.access.actors import Actor
from curation.rights.lost_consent import undo_for_lost_consent
from curation.store.base import utcnow
from curation.store.foundation import Respondent

ANONYMOUS_QUOTES = "allow_anonymous_quotes"


def change_setting(
    session: Session, actor: Actor, key: str, value: Any, *, now: datetime | None = None
) -> dict[str, int]:
    """Change an organisation setting (admins). When anonymous quotes are switched off, every
    anonymous respondent's posts, cards and quotes go through the withdrawal steps."""
    before = app_settings.get(session, key) if key in app_settings.DEFAULTS else None
    app_settings.put(session, actor, key, value)
    if key != ANONYMOUS_QUOTES or not before or value:
        return {}
    anonymous = session.scalars(
        select(Respondent.id).where(
            Respondent.anonymous.is_(True), Respondent.consent_to_quote.is_(True)
        )
    ).all()
    return undo_for_lost_consent(
        session, actor, anonymous, reason="anonymous quotes were switched off", now=now or utcnow()
    )
