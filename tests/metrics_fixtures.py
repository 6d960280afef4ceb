"""Helpers for the metrics tests: published posts made directly with the models."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from curation.config import LONDON
from curation.store.foundation import Consultation, Respondent, Response, ResponseTheme
from curation.store.posts import Post
from curation.store.quotes import Quote

_keys = itertools.count(1)
ANSWER = "Local people should decide what success looks like, not officials in Whitehall."


def published_post(
    session: Session,
    consultation: Consultation,
    *,
    network: str = "x",
    remote_id: str | None = None,
    posted_at: datetime = datetime(2026, 3, 2, 12, 0, tzinfo=UTC),
    text: str = ANSWER,
    question: int = 4,
    region: str | None = "Wales",
    sector: str | None = "Charity",
    missions: Iterable[str] = (),
    template: str = "bold",
    format: str = "square",
    status: str = "posted",
    is_demo: bool = False,
    consent: bool = True,
) -> Post:
    """A quotable respondent's response, a quote of all of it, and a post of it on `network`."""
    key = next(_keys)
    person = Respondent(
        consultation_id=consultation.id,
        source_key=f"metrics-{key}",
        name=f"Person {key}",
        region=region,
        sector=sector,
        consent_to_quote=consent,
        is_demo=is_demo,
    )
    session.add(person)
    session.flush()
    q = next(q for q in consultation.questions if q.number == question)
    response = Response(
        respondent_id=person.id,
        question_id=q.id,
        text=text,
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
    )
    session.add(response)
    session.flush()
    wanted = set(missions)
    for theme in consultation.themes:
        if theme.slug in wanted:
            session.add(ResponseTheme(response_id=response.id, theme_id=theme.id, source="manual"))
    quote = Quote(
        response_id=response.id,
        spans=[{"start": 0, "end": len(text)}],
        text=text,
        status="published",
        created_by="test",
    )
    session.add(quote)
    session.flush()
    post = Post(
        quote_id=quote.id,
        network=network,
        text=text,
        template=template,
        format=format,
        scheduled_at=posted_at,
        scheduled_local=posted_at.astimezone(LONDON).strftime("%Y-%m-%d %H:%M"),
        status=status,
        idempotency_key=f"metrics-test-{key}",
        remote_id=remote_id,
        remote_url=f"https://example.test/{network}/{remote_id}" if remote_id else None,
        posted_at=posted_at if status == "posted" else None,
        created_by="test",
    )
    session.add(post)
    session.flush()
    return post
