"""Add an audio or video answer: probe, store by hash, transcript to text and timed cues."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from curation import audit
from curation.access.actors import Actor, Permission, require
from curation.config import Settings, load_settings
from curation.errors import ConsentError, NotFound, UnusableInput, WorkflowError
from curation.media.probe import DEFAULT_CAPS, MediaCaps, MediaInfo, probe
from curation.media.store import store_file
from curation.media.transcripts import Transcript, read_transcript
from curation.store.base import utcnow
from curation.store.foundation import Question, Respondent, Response
from curation.store.media import MediaAsset, TranscriptCue
from curation.store.quotes import Quote

# Captions may run a little past the end of the audio (encoders pad); more is a wrong file.
TRANSCRIPT_OVERRUN_SECONDS = 1.0


@dataclass(frozen=True)
class MediaIntake:
    """What `add_media` did, for the CLI and the page."""

    response_id: int
    created: bool
    kind: str
    sha256: str
    duration_seconds: float
    cues: int
    transcript_format: str | None
    notes: tuple[str, ...]


def _question(session: Session, respondent: Respondent, number: int) -> Question:
    question = session.scalar(
        select(Question).where(
            Question.consultation_id == respondent.consultation_id, Question.number == number
        )
    )
    if question is None:
        raise UnusableInput(f"question {number} does not exist in this consultation")
    return question


def ensure_asset(
    session: Session, actor: Actor, info: MediaInfo, sha: str, rel: str, now: datetime
) -> MediaAsset:
    """The `MediaAsset` row for stored content, created on first sight."""
    require(actor, Permission.IMPORT_RESPONSES)
    asset = session.scalar(select(MediaAsset).where(MediaAsset.sha256 == sha))
    if asset is None:
        asset = MediaAsset(
            sha256=sha, path=rel, kind=info.kind, mime=info.mime, container=info.container,
            duration_seconds=info.duration_seconds, has_audio=info.has_audio,
            has_video=info.has_video, width=info.width, height=info.height, bytes=info.bytes,
            created_at=now, created_by=actor.name,
        )  # fmt: skip
        session.add(asset)
        session.flush()
    return asset


def _check_transcript(transcript: Transcript | None, info: MediaInfo) -> None:
    if transcript is None or not transcript.timed:
        return
    if transcript.end_seconds > info.duration_seconds + TRANSCRIPT_OVERRUN_SECONDS:
        raise UnusableInput(
            f"transcript runs to {transcript.end_seconds:.1f} s but the recording is "
            f"{info.duration_seconds:.1f} s long: is it the transcript of another file?"
        )


def add_media_detailed(
    session: Session,
    actor: Actor,
    respondent_id: int,
    question_number: int,
    file_path: Path,
    *,
    transcript_path: Path | None = None,
    file_name: str | None = None,
    transcript_name: str | None = None,
    caps: MediaCaps = DEFAULT_CAPS,
    settings: Settings | None = None,
    now: datetime | None = None,
) -> tuple[Response, MediaIntake]:
    """`add_media`, also returning a summary of what was done."""
    require(actor, Permission.IMPORT_RESPONSES)
    now = now or utcnow()
    respondent = session.get(Respondent, respondent_id)
    if respondent is None:
        raise NotFound(f"respondent {respondent_id} does not exist")
    if respondent.withdrawn_at is not None or respondent.erased_at is not None:
        raise ConsentError(f"respondent {respondent_id} has withdrawn: no media is kept for them")
    question = _question(session, respondent, question_number)
    # Validate everything before anything is written.
    info = probe(file_path, name=file_name, caps=caps)
    transcript = read_transcript(transcript_path, name=transcript_name) if transcript_path else None
    _check_transcript(transcript, info)

    response = session.scalar(
        select(Response).where(
            Response.respondent_id == respondent.id,
            Response.question_id == question.id,
            Response.kind == info.kind,
        )
    )
    new_text = transcript.text if transcript else (response.text if response else "")
    if response is not None and new_text != response.text:
        quotes = session.scalar(select(func.count()).where(Quote.response_id == response.id)) or 0
        if quotes:
            raise WorkflowError(
                f"response {response.id} already has {quotes} quote(s) on its transcript; "
                "remove them before replacing the transcript"
            )
    sha, rel = store_file(file_path, info.extension, settings=settings or load_settings())
    ensure_asset(session, actor, info, sha, rel, now)
    created = response is None
    if response is None:
        response = Response(
            respondent_id=respondent.id, question_id=question.id, kind=info.kind, submitted_at=now,
            text=new_text, content_hash="", created_at=now,
        )  # fmt: skip
        session.add(response)
    response.text = new_text
    response.media_ref = sha
    response.content_hash = hashlib.sha256(new_text.encode("utf-8")).hexdigest()
    session.flush()
    if transcript is not None:
        session.execute(delete(TranscriptCue).where(TranscriptCue.response_id == response.id))
        session.add_all(
            TranscriptCue(
                response_id=response.id,
                index=i,
                start_seconds=c.start_seconds,
                end_seconds=c.end_seconds,
                start_char=c.start_char,
                end_char=c.end_char,
            )
            for i, c in enumerate(transcript.cues)
        )
    summary = MediaIntake(
        response_id=response.id,
        created=created,
        kind=info.kind,
        sha256=sha,
        duration_seconds=info.duration_seconds,
        cues=len(transcript.cues) if transcript else 0,
        transcript_format=transcript.format if transcript else None,
        notes=transcript.notes if transcript else (),
    )
    audit.record(
        session, actor, "media.add", "response", response.id,
        {"respondent_id": respondent.id, "question": question_number, "kind": info.kind,
         "sha256": sha, "duration_seconds": info.duration_seconds, "cues": summary.cues,
         "created": created, "transcript_format": summary.transcript_format},
        now=now,
    )  # fmt: skip
    session.flush()
    return response, summary


def add_media(
    session: Session,
    actor: Actor,
    respondent_id: int,
    question_number: int,
    file_path: Path,
    *,
    transcript_path: Path | None = None,
    now: datetime | None = None,
    **options: object,
) -> Response:
    """Create or update the respondent's audio/video answer to question `question_number`.

    The transcript (WebVTT, SRT or plain text) becomes the response text, with timed
    cues stored as character offsets. Without a transcript, an existing answer keeps its text.
    """
    response, _ = add_media_detailed(
        session, actor, respondent_id, question_number, file_path,
        transcript_path=transcript_path, now=now, **options,  # type: ignore[arg-type]
    )  # fmt: skip
    return response


def add_media_upload(
    session: Session,
    actor: Actor,
    respondent_id: int,
    question_number: int,
    file_name: str,
    data: bytes,
    *,
    transcript_name: str | None = None,
    transcript_data: bytes | None = None,
    now: datetime | None = None,
) -> MediaIntake:
    """`add_media` for uploaded bytes (the dashboard): written to a private temp dir first."""
    import tempfile

    require(actor, Permission.IMPORT_RESPONSES)
    with tempfile.TemporaryDirectory(prefix="media-upload-") as tmp:
        # Only the extension of the uploaded name is used; never the name as a path.
        media = Path(tmp) / f"upload{Path(file_name).suffix.lower()}"
        media.write_bytes(data)
        transcript = None
        if transcript_data is not None:
            transcript = Path(tmp) / f"transcript{Path(transcript_name or 'x.txt').suffix.lower()}"
            transcript.write_bytes(transcript_data)
        _, summary = add_media_detailed(
            session, actor, respondent_id, question_number, media,
            transcript_path=transcript, file_name=Path(file_name).name,
            transcript_name=Path(transcript_name).name if transcript_name else None, now=now,
        )  # fmt: skip
    return summary
