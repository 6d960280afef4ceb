"""Minimal rows for publishing tests: a quotable respondent, a response and an approved quote."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy.orm import Session

from curation.store.foundation import Consultation, Respondent, Response
from curation.store.quotes import Quote

TEXT = "Buses are the lifeline of our town and they should run every evening."


def approved_quote(
    session: Session,
    consultation: Consultation,
    *,
    key: str = "r1",
    name: str | None = "Ann Example",
    text: str = TEXT,
    question_number: int = 4,
    anonymous: bool = False,
) -> int:
    """Store a consenting, named respondent with one response and an approved whole-text quote."""
    consultation = session.merge(consultation)
    respondent = Respondent(
        consultation_id=consultation.id,
        source_key=key,
        name=name,
        region="Yorkshire",
        consent_to_quote=True,
        anonymous=anonymous,
    )
    session.add(respondent)
    session.flush()
    question = next(q for q in consultation.questions if q.number == question_number)
    response = Response(
        respondent_id=respondent.id,
        question_id=question.id,
        text=text,
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
    )
    session.add(response)
    session.flush()
    quote = Quote(
        response_id=response.id,
        spans=[{"start": 0, "end": len(text)}],
        text=text,
        status="approved",
        created_by="cara-curator",
        approved_by="abe-approver",
        pd_findings=[],
    )
    session.add(quote)
    session.flush()
    return quote.id


def approve_posts(session: Session) -> list[int]:
    """Approve every post still waiting for approval, as a second person would (for tests
    about publishing, not approval); returns their ids."""
    from sqlalchemy import select

    from curation.posts.approval import content_digest
    from curation.store.posts import Post

    session.flush()
    waiting = session.scalars(select(Post).where(Post.approved_digest.is_(None))).all()
    for post in waiting:
        post.approved_digest = content_digest(post)
        post.approved_by = "second-pair-of-eyes"
    session.flush()
    return [post.id for post in waiting]


def publish_approved(db: Any, **kwargs: Any) -> Any:
    """`publish_due` after a second person approved every waiting post (for tests about
    publishing rather than approval)."""
    from curation.posts.worker import publish_due

    with db.session() as session:
        approve_posts(session)
    return publish_due(db, **kwargs)
