"""Helpers for the quote tests: respondents and responses made directly with the models."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable

from sqlalchemy.orm import Session

from curation.store.foundation import Consultation, Respondent, Response, ResponseTheme

_keys = itertools.count(1)

LONG_ANSWER = (
    "Thank you for asking. "
    "Local people should decide what success looks like, not officials in Whitehall. "
    "This is why it matters. "
    "Our bus routes were cut and young people in Hull cannot reach college or jobs any more."
)


def add_response(
    session: Session,
    consultation: Consultation | int,
    text: str = LONG_ANSWER,
    *,
    question: int = 4,
    name: str | None = "Priya Shah",
    region: str | None = "Yorkshire and the Humber",
    sector: str | None = "Charity",
    organisation: str | None = "Hull Food Bank",
    consent: bool = True,
    anonymous: bool = False,
    respondent: Respondent | None = None,
    missions: Iterable[str] = (),
) -> Response:
    """A response (and, unless one is given, a new respondent) stored and flushed."""
    cid = consultation if isinstance(consultation, int) else consultation.id
    stored = session.get(Consultation, cid)
    assert stored is not None
    if respondent is None:
        respondent = Respondent(
            consultation_id=cid,
            source_key=f"test-{next(_keys)}",
            name=name,
            region=region,
            sector=sector,
            organisation=organisation,
            consent_to_quote=consent,
            anonymous=anonymous,
        )
        session.add(respondent)
        session.flush()
    q = next(q for q in stored.questions if q.number == question)
    response = Response(
        respondent_id=respondent.id,
        question_id=q.id,
        text=text,
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
    )
    session.add(response)
    session.flush()
    wanted = set(missions)
    for theme in stored.themes:
        if theme.slug in wanted:
            session.add(ResponseTheme(response_id=response.id, theme_id=theme.id, source="manual"))
    session.flush()
    return response
