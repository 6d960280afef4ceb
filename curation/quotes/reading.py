"""Reading quotes: the shortlist, and what a quote card shows.

Both go through the consent rule: quotes of respondents who are no longer quotable are
never listed or rendered (their count may be shown, their words never).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from curation.access.actors import Actor, Permission, require
from curation.errors import ConsentError, UnusableInput, WorkflowError
from curation.quotes.spans import quote_text
from curation.rights.gate import ConsentGate
from curation.store.base import get_or_not_found
from curation.store.foundation import Consultation, Question, Respondent, Response
from curation.store.quotes import Quote, QuoteStatus


@dataclass(frozen=True)
class QuoteRow:
    """One quote on the shortlist, with what a curator needs to judge it."""

    id: int
    response_id: int
    respondent_id: int
    text: str
    status: str
    question_number: int
    question_label: str
    missions: list[str]
    region: str | None
    sector: str | None
    attribution: str
    created_by: str
    created_at: datetime
    approved_by: str | None
    pd_findings: list[dict[str, Any]]
    pd_override_reason: str | None
    notes: list[tuple[str, str]] = field(default_factory=list)  # (author, text)


def list_quotes(
    session: Session,
    actor: Actor,
    consultation_id: int,
    status: str | None = None,
    question: int | None = None,
    theme: str | int | None = None,
    region: str | None = None,
) -> list[QuoteRow]:
    """The shortlist: quotes of quotable respondents, newest first, filtered.

    `question` is a question number, `theme` a mission slug or id, `region` a region name.
    """
    require(actor, Permission.PICK_QUOTES)
    # Reads only: quotes are withdrawn where consent is lost (curation.rights.lost_consent).
    gate = ConsentGate.of(session)
    query = (
        select(Quote)
        .join(Response, Response.id == Quote.response_id)
        .join(Respondent, Respondent.id == Response.respondent_id)
        .join(Question, Question.id == Response.question_id)
        .where(Respondent.consultation_id == consultation_id)
        .where(gate.sql_filter())
        .options(
            selectinload(Quote.notes),
            selectinload(Quote.response).selectinload(Response.themes),
        )
        .order_by(Quote.created_at.desc(), Quote.id.desc())
    )
    if status:
        if status not in {s.value for s in QuoteStatus}:
            raise UnusableInput(
                f"unknown status {status!r}; choose one of "
                + ", ".join(s.value for s in QuoteStatus)
            )
        query = query.where(Quote.status == status)
    if question is not None:
        query = query.where(Question.number == int(question))
    if region:
        query = query.where(Respondent.region == region)
    rows = []
    for quote in session.scalars(query).unique():
        response = quote.response
        wanted = str(theme) if theme is not None else None
        if wanted is not None and not any(wanted in (t.slug, str(t.id)) for t in response.themes):
            continue
        person = response.respondent
        rows.append(
            QuoteRow(
                id=quote.id,
                response_id=response.id,
                respondent_id=person.id,
                text=quote.text,
                status=quote.status,
                question_number=response.question.number,
                question_label=response.question.label,
                missions=[t.name for t in response.themes],
                region=person.region,
                sector=person.sector,
                attribution=gate.credit(person),
                created_by=quote.created_by,
                created_at=quote.created_at,
                approved_by=quote.approved_by,
                pd_findings=list(quote.pd_findings or []),
                pd_override_reason=quote.pd_override_reason,
                notes=[(n.author, n.text) for n in quote.notes],
            )
        )
    return rows


@dataclass(frozen=True)
class ShortlistFilters:
    """The choices offered by the shortlist's filters."""

    statuses: list[str]
    questions: dict[int, str]  # number -> label
    missions: dict[str, str]  # slug -> name
    regions: list[str]


def shortlist_filters(session: Session, consultation_id: int) -> ShortlistFilters:
    consultation = get_or_not_found(session, Consultation, consultation_id, "consultation")
    regions = session.scalars(
        select(Respondent.region)
        .where(Respondent.consultation_id == consultation_id, Respondent.region.is_not(None))
        .distinct()
        .order_by(Respondent.region)
    ).all()
    return ShortlistFilters(
        statuses=[s.value for s in QuoteStatus],
        questions={q.number: q.label for q in consultation.questions},
        missions={t.slug: t.name for t in consultation.themes},
        regions=[r for r in regions if r],
    )


@dataclass(frozen=True)
class QuoteCardContent:
    """What a quote card shows. `organisation` is the consultation's organisation (the brand);
    the respondent's own organisation, if any, is inside `attribution`."""

    text: str
    attribution: str
    question_number: int
    question_label: str
    consultation_title: str
    organisation: str
    respondent_region: str | None
    anonymous: bool


def card_content(session: Session, quote_id: int) -> QuoteCardContent:
    """The words and credit for a card; refuses withdrawn, rejected or non-quotable quotes."""
    quote = get_or_not_found(session, Quote, quote_id, "quote")
    if quote.status == QuoteStatus.WITHDRAWN.value:
        raise ConsentError(f"quote {quote_id} is withdrawn; it cannot be shown on a card")
    if quote.status == QuoteStatus.REJECTED.value:
        raise WorkflowError(f"quote {quote_id} is rejected; it cannot be shown on a card")
    response: Response = quote.response
    person = response.respondent
    gate = ConsentGate.of(session)
    if not gate.may_card(person):
        raise ConsentError(f"quote {quote_id}: the respondent may no longer be quoted")
    text = quote_text(response.text, quote.spans)
    if text != quote.text:
        raise WorkflowError(f"quote {quote_id}: the response text changed since it was picked")
    consultation = session.get(Consultation, person.consultation_id)
    assert consultation is not None  # guaranteed by the foreign key
    return QuoteCardContent(
        text=text,
        attribution=gate.credit(person),
        question_number=response.question.number,
        question_label=response.question.label,
        consultation_title=consultation.title,
        organisation=consultation.organisation,
        respondent_region=person.region,
        anonymous=bool(person.anonymous),
    )
