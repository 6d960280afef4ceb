"""Playback for the dashboard: the stored file, its type and the timed transcript cues.

Goes through the consent rule like every other path. An anonymous respondent's voice and
face are never played back (their transcript can still be read where allowed).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from curation.access.actors import Actor, Permission, require
from curation.errors import ConsentError, NotFound
from curation.media.store import absolute_path
from curation.media.timing import cues_for, quote_segments
from curation.rights.gate import ConsentGate
from curation.store.base import get_or_not_found
from curation.store.foundation import Question, Respondent, Response
from curation.store.media import MediaAsset
from curation.store.quotes import Quote


@dataclass(frozen=True)
class CueText:
    start_seconds: float
    end_seconds: float
    text: str


class Playback(NamedTuple):
    path: Path
    mime: str
    cues: list[CueText]


def _playable(session: Session, response: Response) -> MediaAsset:
    if response.kind not in ("audio", "video") or not response.media_ref:
        raise NotFound(f"response {response.id} has no recording")
    person = response.respondent
    if not ConsentGate.of(session).may_quote(person):
        raise ConsentError(f"response {response.id}: the respondent may not be quoted")
    if person.anonymous:
        raise ConsentError("anonymous respondent: the recording is not played back")
    asset = session.scalar(select(MediaAsset).where(MediaAsset.sha256 == response.media_ref))
    if asset is None:
        raise NotFound(f"response {response.id}: the recording is missing from the media store")
    return asset


def media_for_response(session: Session, actor: Actor, response_id: int) -> Playback:
    """`(path, mime, cues)` for playing a media response with its transcript cues."""
    require(actor, Permission.READ_RESPONSES)
    response = get_or_not_found(session, Response, response_id, "response")
    asset = _playable(session, response)
    cues = [
        CueText(c.start_seconds, c.end_seconds, response.text[c.start_char : c.end_char])
        for c in cues_for(session, response.id)
    ]
    return Playback(absolute_path(asset.path), asset.mime, cues)


def quote_start_seconds(session: Session, actor: Actor, quote_id: int) -> float | None:
    """Where a quote starts in its recording (None without timings), to play from there."""
    require(actor, Permission.READ_RESPONSES)
    quote = get_or_not_found(session, Quote, quote_id, "quote")
    segments = quote_segments(session, quote)
    return segments[0].start_seconds if segments else None


@dataclass(frozen=True)
class MediaRow:
    response_id: int
    respondent_id: int
    attribution: str
    question_number: int
    kind: str
    duration_seconds: float | None
    cues: int
    media_consent: bool


def list_media_responses(
    session: Session, actor: Actor, consultation_id: int
) -> tuple[list[MediaRow], int]:
    """Quotable audio/video answers with a recording, and how many others are hidden."""
    require(actor, Permission.READ_RESPONSES)
    gate = ConsentGate.of(session)
    base = (
        select(Response, MediaAsset.duration_seconds, Question.number)
        .join(Respondent, Response.respondent_id == Respondent.id)
        .join(Question, Response.question_id == Question.id)
        .outerjoin(MediaAsset, MediaAsset.sha256 == Response.media_ref)
        .where(
            Respondent.consultation_id == consultation_id,
            Response.kind.in_(["audio", "video"]),
            Response.media_ref.is_not(None),
        )
    )
    shown = base.where(gate.sql_filter(), Respondent.anonymous.is_(False))
    rows = []
    for response, duration, number in session.execute(shown.order_by(Response.id)):
        rows.append(
            MediaRow(
                response_id=response.id,
                respondent_id=response.respondent_id,
                attribution=gate.credit(response.respondent),
                question_number=number,
                kind=response.kind,
                duration_seconds=duration,
                cues=len(cues_for(session, response.id)),
                media_consent=bool(response.respondent.media_consent),
            )
        )
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    return rows, total - len(rows)
