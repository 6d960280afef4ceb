"""Helpers for the response-list tests: respondents in every consent state, made with the models."""

from __future__ import annotations

import hashlib
import itertools
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from curation.responses import themes
from curation.store.foundation import Consultation, Respondent, Response, ResponseTheme

_keys = itertools.count(1)
WITHDRAWN_AT = datetime(2026, 1, 5, tzinfo=UTC)
# consent state -> Respondent fields
STATES: dict[str, dict[str, object]] = {
    "named": {"consent_to_quote": True, "anonymous": False},
    "anonymous": {"consent_to_quote": True, "anonymous": True},
    "not consented": {"consent_to_quote": False, "anonymous": False},
    "blank": {"consent_to_quote": False, "anonymous": False, "consent_raw": None},
    "withdrawn": {"consent_to_quote": True, "anonymous": False, "withdrawn_at": WITHDRAWN_AT},
}


def add_person(
    session: Session,
    consultation: Consultation,
    answers: dict[int, str],
    *,
    state: str = "named",
    name: str | None = "Ffion Example",
    organisation: str | None = "Example Trust",
    region: str | None = "Wales",
    sector: str | None = "charity",
    kind: str = "text",
    submitted_at: datetime | None = None,
) -> Respondent:
    """One respondent answering `answers` ({question number: text}), tagged by keywords."""
    person = Respondent(
        consultation_id=consultation.id,
        source_key=f"test-{next(_keys)}",
        name=name,
        organisation=organisation,
        region=region,
        sector=sector,
        **STATES[state],  # type: ignore[arg-type]
    )
    questions = {q.number: q for q in consultation.questions}
    person.responses = [
        Response(
            question_id=questions[number].id,
            text=text,
            kind=kind,
            submitted_at=submitted_at or datetime(2022, 3, 1, 12, tzinfo=UTC),
            content_hash=hashlib.sha256(text.encode()).hexdigest(),
        )
        for number, text in answers.items()
    ]
    session.add(person)
    session.flush()
    for response in person.responses:
        for theme in themes.matching_themes(response.text, consultation.themes):
            session.add(ResponseTheme(response_id=response.id, theme_id=theme.id))
    session.flush()
    return person
