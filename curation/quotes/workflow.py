"""The quote workflow: pick (draft) -> approve | reject; approved -> scheduled -> published.

Consent is checked again at every step: once a respondent stops being quotable their
quotes become "withdrawn" and can no longer be approved, scheduled or rendered. Every
change is audited with its actor (ids and states only, never the words).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from curation import app_settings, audit
from curation.access.actors import Actor, Permission, require
from curation.errors import ConsentError, PermissionDenied, UnusableInput, WorkflowError
from curation.quotes.personal_data import Finding, find_personal_data
from curation.quotes.spans import Span, quote_text, spans_to_json, validate_spans
from curation.rights.gate import ConsentGate
from curation.store.base import get_or_not_found, utcnow
from curation.store.foundation import Respondent, Response
from curation.store.quotes import Quote, QuoteNote, QuoteStatus

MAX_NOTE_CHARS = 2000
# Statuses a quote can be withdrawn from (everything but withdrawn itself).
_LIVE = {s.value for s in QuoteStatus} - {QuoteStatus.WITHDRAWN.value}

SpanInput = Span | Mapping[str, Any] | tuple[int, int]


def quotable(session: Session, respondent: Respondent) -> bool:
    """The consent rule, with the organisation's anonymous switch."""
    return ConsentGate.of(session).may_quote(respondent)


def load_response(session: Session, response_id: int) -> Response:
    response = get_or_not_found(session, Response, response_id, "response")
    return response


def _load(session: Session, quote_id: int) -> Quote:
    quote = get_or_not_found(session, Quote, quote_id, "quote")
    return quote


def _clean_note(text: str | None, *, required: bool) -> str | None:
    cleaned = (text or "").strip()
    if not cleaned:
        if required:
            raise UnusableInput("a note is required")
        return None
    if len(cleaned) > MAX_NOTE_CHARS:
        raise UnusableInput(f"a note may have at most {MAX_NOTE_CHARS} characters")
    return cleaned


def _add_note(session: Session, quote: Quote, author: str, text: str, now: datetime) -> QuoteNote:
    note = QuoteNote(quote_id=quote.id, author=author, at=now, text=text)
    session.add(note)
    session.flush()
    return note


def _set_status(
    session: Session,
    actor: Actor,
    quote: Quote,
    status: QuoteStatus,
    action: str,
    now: datetime,
    **details: Any,
) -> None:
    before = quote.status
    quote.status = status.value
    quote.updated_at = now
    audit.record(
        session,
        actor,
        action,
        "quote",
        quote.id,
        {"from": before, "to": status.value, "response_id": quote.response_id, **details},
        now=now,
    )


def _withdraw_all(session: Session, actor: Actor, respondent_id: int, now: datetime) -> int:
    quotes = session.scalars(
        select(Quote)
        .join(Response, Response.id == Quote.response_id)
        .where(Response.respondent_id == respondent_id, Quote.status.in_(_LIVE))
        .order_by(Quote.id)
    ).all()
    for quote in quotes:
        _set_status(
            session,
            actor,
            quote,
            QuoteStatus.WITHDRAWN,
            "quote.withdraw",
            now,
            reason="respondent not quotable",
        )
    return len(quotes)


def _ensure_consent(
    session: Session, actor: Actor, quote: Quote, now: datetime, *, persist: bool
) -> None:
    """Refuse (ConsentError) if the respondent is no longer quotable.

    Their quotes are marked withdrawn first. With `persist` (only for actions that are a
    unit of work of their own: approving, opening a quote) that is committed before the
    refusal, so the caller's rollback cannot undo it. Hooks called inside another flow's
    transaction (scheduling, publishing) must not commit that flow's half-done work; there
    the whole transaction rolls back, and the flow that took consent away (withdrawal, lost
    consent in `curation.rights`) or `sync_withdrawn` records the status.
    """
    respondent = quote.response.respondent
    if quotable(session, respondent):
        return
    _withdraw_all(session, actor, respondent.id, now)
    if persist:
        session.commit()
    raise ConsentError(f"quote {quote.id}: the respondent may no longer be quoted; it is withdrawn")


def _ensure_text(quote: Quote) -> str:
    """The quote's text recomputed from the response; refuses if it no longer matches."""
    try:
        fresh = quote_text(quote.response.text, quote.spans)
    except UnusableInput as exc:
        raise WorkflowError(f"quote {quote.id} no longer fits its response: {exc}") from None
    if fresh != quote.text:
        raise WorkflowError(
            f"quote {quote.id}: the response text changed since it was picked; pick it again"
        )
    return fresh


def check_personal_data(session: Session, response: Response, text: str) -> list[Finding]:
    return find_personal_data(text, respondent_name=response.respondent.name)


def _with_seconds(
    session: Session, response: Response, spans: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Spans with recording seconds from the transcript cues, where a span has none."""
    if response.kind == "text":
        return spans
    try:
        from curation.media.timing import timed_spans
    except ImportError:  # the media feature is optional
        return spans
    timed = timed_spans(session, response.id, spans)
    return [
        span if "t_start" in span and "t_end" in span else with_times
        for span, with_times in zip(spans, timed, strict=True)
    ]


def create_quote(
    session: Session,
    actor: Actor,
    response_id: int,
    spans: Iterable[SpanInput],
    *,
    note: str | None = None,
    now: datetime | None = None,
) -> Quote:
    """Save a draft quote: exact spans of one quotable response, checked for personal data."""
    require(actor, Permission.PICK_QUOTES)
    now = now or utcnow()
    response = load_response(session, response_id)
    if not quotable(session, response.respondent):
        raise ConsentError(f"response {response_id}: the respondent may not be quoted")
    checked = validate_spans(response.text, spans)
    text = quote_text(response.text, checked)
    note_text = _clean_note(note, required=False)
    stored_spans = _with_seconds(session, response, spans_to_json(checked))
    duplicate = session.scalar(
        select(Quote.id).where(
            Quote.response_id == response_id,
            Quote.text == text,
            Quote.status.not_in([QuoteStatus.REJECTED.value, QuoteStatus.WITHDRAWN.value]),
        )
    )
    if duplicate is not None:
        raise WorkflowError(f"quote {duplicate} already holds these words")
    findings = check_personal_data(session, response, text)
    quote = Quote(
        response_id=response_id,
        spans=stored_spans,
        text=text,
        status=QuoteStatus.DRAFT.value,
        created_by=actor.name,
        created_at=now,
        updated_at=now,
        pd_findings=[f.as_dict() for f in findings],
    )
    session.add(quote)
    session.flush()
    if note_text:
        _add_note(session, quote, actor.name, note_text, now)
    audit.record(
        session,
        actor,
        "quote.create",
        "quote",
        quote.id,
        {
            "response_id": response_id,
            "spans": stored_spans,
            "status": quote.status,
            "personal_data": sorted({f.kind for f in findings}),
        },
        now=now,
    )
    return quote


def approve(
    session: Session,
    actor: Actor,
    quote_id: int,
    *,
    override_reason: str | None = None,
    now: datetime | None = None,
) -> Quote:
    """Approve a draft: a second person (unless single-person approval is on), consent and
    the exact text re-checked, personal-data findings overridden only with a reason."""
    require(actor, Permission.APPROVE_QUOTES)
    now = now or utcnow()
    quote = _load(session, quote_id)
    if quote.status != QuoteStatus.DRAFT.value:
        raise WorkflowError(f"quote {quote_id} is {quote.status}; only a draft can be approved")
    _ensure_consent(session, actor, quote, now, persist=True)
    text = _ensure_text(quote)
    if quote.created_by == actor.name and not app_settings.get(session, "single_person_approval"):
        raise PermissionDenied(
            f"{actor.name} picked quote {quote_id}; someone else must approve it "
            "(or switch on single-person approval)"
        )
    findings = check_personal_data(session, quote.response, text)
    quote.pd_findings = [f.as_dict() for f in findings]
    reason = _clean_note(override_reason, required=False)
    if findings and not reason:
        listed = "; ".join(sorted({f.reason for f in findings}))
        raise WorkflowError(
            f"quote {quote_id} may hold personal data ({listed}); approve with an override reason"
        )
    if findings:
        quote.pd_override_reason = reason
        quote.pd_override_by = actor.name
    quote.approved_by = actor.name
    quote.approved_at = now
    _set_status(
        session,
        actor,
        quote,
        QuoteStatus.APPROVED,
        "quote.approve",
        now,
        personal_data=sorted({f.kind for f in findings}),
        override=bool(findings),
    )
    return quote


def reject(
    session: Session, actor: Actor, quote_id: int, note: str, now: datetime | None = None
) -> Quote:
    """Reject a draft or an approved (not yet scheduled) quote, with a note saying why."""
    require(actor, Permission.APPROVE_QUOTES)
    now = now or utcnow()
    text = _clean_note(note, required=True)
    quote = _load(session, quote_id)
    if quote.status not in (QuoteStatus.DRAFT.value, QuoteStatus.APPROVED.value):
        raise WorkflowError(f"quote {quote_id} is {quote.status}; it cannot be rejected")
    quote.rejected_by = actor.name
    note_row = _add_note(session, quote, actor.name, text or "", now)
    _set_status(
        session, actor, quote, QuoteStatus.REJECTED, "quote.reject", now, note_id=note_row.id
    )
    return quote


def add_note(
    session: Session, actor: Actor, quote_id: int, text: str, now: datetime | None = None
) -> QuoteNote:
    require(actor, Permission.PICK_QUOTES)
    now = now or utcnow()
    cleaned = _clean_note(text, required=True)
    quote = _load(session, quote_id)
    note = _add_note(session, quote, actor.name, cleaned or "", now)
    audit.record(session, actor, "quote.note", "quote", quote.id, {"note_id": note.id}, now=now)
    return note


def get_quote(session: Session, actor: Actor, quote_id: int) -> Quote:
    """A quote whose respondent is still quotable (otherwise it is withdrawn and refused)."""
    require(actor, Permission.READ_RESPONSES)
    quote = _load(session, quote_id)
    if quote.status != QuoteStatus.WITHDRAWN.value:
        _ensure_consent(session, actor, quote, utcnow(), persist=True)
    elif not quotable(session, quote.response.respondent):
        raise ConsentError(f"quote {quote_id} is withdrawn")
    return quote


def withdraw_quotes_for_respondent(
    session: Session, actor: Actor, respondent_id: int, *, now: datetime | None = None
) -> int:
    """Withdraw every quote of a respondent (the withdrawal and erasure flows call this)."""
    require(actor, Permission.WITHDRAW_CONSENT)
    return _withdraw_all(session, actor, respondent_id, now or utcnow())


def delete_quotes_for_respondent(
    session: Session, actor: Actor, respondent_id: int, *, now: datetime | None = None
) -> int:
    """Erasure hook: scrub the words of every quote of a respondent; returns how many.

    Rows stay (posts and metrics point at them) but their text, notes, findings and
    override reasons are removed, and they are withdrawn.
    """
    require(actor, Permission.ERASE)
    now = now or utcnow()
    quotes = session.scalars(
        select(Quote)
        .join(Response, Response.id == Quote.response_id)
        .where(Response.respondent_id == respondent_id)
        .order_by(Quote.id)
    ).all()
    for quote in quotes:
        for note in list(quote.notes):
            session.delete(note)
        quote.text = ""
        quote.pd_findings = []
        quote.pd_override_reason = None
        if quote.status != QuoteStatus.WITHDRAWN.value:
            quote.status = QuoteStatus.WITHDRAWN.value
        quote.updated_at = now
        audit.record(session, actor, "quote.erase", "quote", quote.id,
                     {"response_id": quote.response_id}, now=now)  # fmt: skip
    return len(quotes)


def sync_withdrawn(
    session: Session, actor: Actor, consultation_id: int, *, now: datetime | None = None
) -> int:
    """Withdraw live quotes whose respondents are no longer quotable; returns how many."""
    require(actor, Permission.PICK_QUOTES)
    now = now or utcnow()
    # Distinct ids only: PostgreSQL cannot compare the JSON columns of whole rows.
    ids = session.scalars(
        select(Respondent.id)
        .join(Response, Response.respondent_id == Respondent.id)
        .join(Quote, Quote.response_id == Response.id)
        .where(Respondent.consultation_id == consultation_id, Quote.status.in_(_LIVE))
        .distinct()
    ).all()
    people = [session.get(Respondent, i) for i in sorted(ids)]
    gate = ConsentGate.of(session)  # the setting is read once, not once a person
    return sum(
        _withdraw_all(session, actor, p.id, now)
        for p in people
        if p is not None and not gate.may_quote(p)
    )


def mark_scheduled(
    session: Session, actor: Actor, quote_id: int, *, now: datetime | None = None
) -> Quote:
    """The publishing flow scheduled a post with this approved quote."""
    require(actor, Permission.SCHEDULE_POSTS)
    now = now or utcnow()
    quote = _load(session, quote_id)
    if quote.status == QuoteStatus.SCHEDULED.value:
        return quote
    if quote.status != QuoteStatus.APPROVED.value:
        raise WorkflowError(
            f"quote {quote_id} is {quote.status}; only an approved quote can be scheduled"
        )
    _ensure_consent(session, actor, quote, now, persist=False)
    _ensure_text(quote)
    _set_status(session, actor, quote, QuoteStatus.SCHEDULED, "quote.schedule", now)
    return quote


def mark_unscheduled(
    session: Session, actor: Actor, quote_id: int, *, now: datetime | None = None
) -> Quote:
    """A scheduled post was cancelled: the quote goes back to approved."""
    require(actor, Permission.SCHEDULE_POSTS)
    now = now or utcnow()
    quote = _load(session, quote_id)
    if quote.status != QuoteStatus.SCHEDULED.value:
        raise WorkflowError(f"quote {quote_id} is {quote.status}, not scheduled")
    _set_status(session, actor, quote, QuoteStatus.APPROVED, "quote.unschedule", now)
    return quote


def mark_published(
    session: Session, actor: Actor, quote_id: int, *, now: datetime | None = None
) -> Quote:
    """The worker published a post with this quote (idempotent)."""
    require(actor, Permission.PUBLISH)
    now = now or utcnow()
    quote = _load(session, quote_id)
    if quote.status == QuoteStatus.PUBLISHED.value:
        return quote
    if quote.status not in (QuoteStatus.APPROVED.value, QuoteStatus.SCHEDULED.value):
        raise WorkflowError(f"quote {quote_id} is {quote.status}; it cannot be published")
    _ensure_consent(session, actor, quote, now, persist=False)
    _ensure_text(quote)
    _set_status(session, actor, quote, QuoteStatus.PUBLISHED, "quote.publish", now)
    return quote


# Reading the shortlist and card content live in their own module; re-exported here so
# callers find the whole workflow in one place.
from curation.quotes.reading import (  # noqa: E402
    QuoteCardContent,
    QuoteRow,
    ShortlistFilters,
    card_content,
    list_quotes,
    shortlist_filters,
)

__all__ = [
    "QuoteCardContent", "QuoteRow", "ShortlistFilters", "add_note", "approve", "card_content",
    "create_quote", "delete_quotes_for_respondent", "get_quote", "list_quotes", "mark_published",
    "mark_scheduled", "mark_unscheduled", "reject", "shortlist_filters", "sync_withdrawn",
    "withdraw_quotes_for_respondent",
]  # fmt: skip
