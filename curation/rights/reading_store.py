"""Confirmed answer readings: saved per consultation, and applied again when they change."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from curation import audit
from curation.access.actors import Actor, Permission, require
from curation.errors import UnusableInput
from curation.rights.lost_consent import undo_for_lost_consent
from curation.rights.readings import (
    BLANK,
    Reading,
    ReadingBook,
    ReadingRole,
    normalise_answer,
    normalise_header,
    reading_of_answers,
)
from curation.store.base import utcnow
from curation.store.consent import AnswerReading
from curation.store.foundation import Respondent

READING_ROLES = tuple(role.value for role in ReadingRole)
_RANK = {"not_quotable": 0, "anonymous": 1, "named": 2}


@dataclass(frozen=True)
class Confirmation:
    """A person's reading of one answer in one column (header as in the file)."""

    header: str
    answer: str
    reading: Reading
    role: str | None = None  # filled in from the plan when not given

    @property
    def header_key(self) -> str:
        return normalise_header(self.header)

    @property
    def answer_key(self) -> str:
        return "" if self.answer.strip() == BLANK else normalise_answer(self.answer)


def _digest(text: str) -> str:
    # Answers can hold personal data; the audit log keeps only a fingerprint.
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def load_book(session: Session, consultation_id: int) -> ReadingBook:
    rows = session.scalars(
        select(AnswerReading).where(AnswerReading.consultation_id == consultation_id)
    )
    return ReadingBook(
        {(r.header_key, r.role, r.answer): (Reading(r.reading), r.confirmed_by) for r in rows}
    )


def with_confirmations(book: ReadingBook, found: list[Confirmation], actor: Actor) -> ReadingBook:
    """The book with `found` confirmations added in memory (they must have a role)."""
    confirmed = dict(book.confirmed)
    for c in found:
        if c.role in READING_ROLES:
            confirmed[(c.header_key, c.role, c.answer_key)] = (c.reading, actor.name)
    return ReadingBook(confirmed)


def save_readings(
    session: Session, actor: Actor, consultation_id: int, found: list[Confirmation],
    now: datetime | None = None,
) -> int:  # fmt: skip
    """Store confirmed readings (each one audited); returns how many changed."""
    require(actor, Permission.IMPORT_RESPONSES)
    now = now or utcnow()
    changed = 0
    for c in found:
        if c.role not in READING_ROLES:
            continue
        row = session.scalars(
            select(AnswerReading).where(
                AnswerReading.consultation_id == consultation_id,
                AnswerReading.header_key == c.header_key,
                AnswerReading.role == c.role,
                AnswerReading.answer == c.answer_key,
            )
        ).first()
        if row is not None and row.reading == c.reading.value:
            continue
        before = row.reading if row is not None else None
        if row is None:
            session.add(AnswerReading(
                consultation_id=consultation_id, header_key=c.header_key, role=c.role,
                answer=c.answer_key, reading=c.reading.value, confirmed_by=actor.name,
                confirmed_at=now,
            ))  # fmt: skip
        else:
            row.reading, row.confirmed_by, row.confirmed_at = c.reading.value, actor.name, now
        audit.record(session, actor, "import.reading", "consultation", consultation_id,
                     {"header": c.header_key[:200], "role": c.role,
                      "answer_sha256": _digest(c.answer_key), "before": before,
                      "after": c.reading.value}, now=now)  # fmt: skip
        changed += 1
    session.flush()
    return changed


def change_readings(
    session: Session,
    actor: Actor,
    consultation_id: int,
    found: list[Confirmation],
    *,
    now: datetime | None = None,
) -> dict[str, object]:
    """Confirm or change readings later: saved, then applied again to every stored respondent
    of the consultation. Whoever loses consent or their name goes through the withdrawal
    steps. Each confirmation's role comes from the answers stored with the respondents."""
    require(actor, Permission.IMPORT_RESPONSES)
    now = now or utcnow()
    people = list(session.scalars(select(Respondent).where(
        Respondent.consultation_id == consultation_id,
        Respondent.withdrawn_at.is_(None), Respondent.erased_at.is_(None),
    )))  # fmt: skip
    roles: dict[str, str] = {}
    for person in people:
        for key in person.consent_answers or {}:
            role, _, header = key.partition("|")
            roles.setdefault(header, role)
    roled = []
    for c in found:
        known = c.role or roles.get(c.header_key)
        if known is None:
            raise UnusableInput(f"no stored answers for a column '{c.header[:80]}'")
        roled.append(Confirmation(c.header, c.answer, c.reading, known))
    changed = save_readings(session, actor, consultation_id, roled, now)
    book = load_book(session, consultation_id)
    updated, lost = 0, []
    for person in people:
        if not person.consent_answers:
            continue
        reading = reading_of_answers(book, person.consent_answers).value
        before = person.consent_reading or _legacy_reading(person)
        if reading == before:
            continue
        person.consent_reading = reading
        person.consent_to_quote = reading != Reading.NOT_QUOTABLE.value
        person.anonymous = reading == Reading.ANONYMOUS.value or (
            reading == Reading.NOT_QUOTABLE.value and person.anonymous
        )
        person.updated_at = now
        updated += 1
        if _RANK[reading] < _RANK[before]:
            lost.append(person.id)
    session.flush()
    steps = undo_for_lost_consent(
        session, actor, lost, reason="an answer reading was changed", now=now
    )
    return {"readings_changed": changed, "respondents_updated": updated,
            "consent_lost": lost, "steps": steps}  # fmt: skip


def _legacy_reading(person: Respondent) -> str:
    if not person.consent_to_quote:
        return "not_quotable"
    return "anonymous" if person.anonymous else "named"


def saved_readings(session: Session, actor: Actor, consultation_id: int) -> list[dict[str, str]]:
    """Readings people confirmed for the consultation: header, role, answer, reading, by whom."""
    require(actor, Permission.IMPORT_RESPONSES)
    rows = session.scalars(
        select(AnswerReading)
        .where(AnswerReading.consultation_id == consultation_id)
        .order_by(AnswerReading.header_key, AnswerReading.answer)
    )
    return [
        {"header": r.header_key, "role": r.role, "answer": r.answer or BLANK,
         "reading": r.reading, "confirmed_by": r.confirmed_by,
         "confirmed_at": r.confirmed_at.isoformat(timespec="minutes")}
        for r in rows
    ]  # fmt: skip
