"""Demo recordings: a few short generated clips for demo audio answers, so audiograms work at once.


Audio is stored as WAV (no encode: quick to make). Speech comes from espeak-ng where it
is installed (one clip per sentence, so the cue timings are exact), else a speech-like
tone per sentence. Deterministic: the same demo data gives the same files and hashes.
The answers keep their demo text; the cues point into it.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from curation import audit
from curation.access.actors import Actor, Permission, require
from curation.demo import speech as synth
from curation.media.intake import ensure_asset
from curation.media.probe import probe
from curation.media.store import store_file
from curation.store.base import utcnow
from curation.store.foundation import Respondent, Response
from curation.store.media import TranscriptCue

DEMO_CLIPS = 4
GAP_SECONDS = 0.25  # a breath between sentences
_SENTENCE = re.compile(r"[^.!?…]+(?:[.!?…]+|$)")


@dataclass(frozen=True)
class DemoMediaReport:
    clips: int
    speech: bool  # False when tones stood in for espeak-ng
    seconds: float


def _sentences(text: str) -> list[tuple[int, int]]:
    """Char ranges of the sentences in `text` (trimmed, skipping bare punctuation)."""
    out = []
    for match in _SENTENCE.finditer(text):
        piece = match.group(0)
        start = match.start() + (len(piece) - len(piece.lstrip()))
        end = match.end() - (len(piece) - len(piece.rstrip()))
        if re.search(r"\w", text[start:end]):
            out.append((start, end))
    return out


def _voice(text: str, seed: int, speech: bool) -> np.ndarray:
    if speech:
        return synth.speak(text)
    return synth.tone(
        max(0.6, 0.32 * len(text.split())), frequency=180.0 + 10 * (seed % 7), seed=seed
    )


def _clip(
    text: str, seed: int, speech: bool
) -> tuple[np.ndarray, list[tuple[float, float, int, int]]]:
    """Samples for the whole answer and its cues `(t0, t1, start_char, end_char)`."""
    pieces: list[np.ndarray] = []
    cues = []
    t = 0.0
    for n, (start, end) in enumerate(_sentences(text)):
        voice = _voice(text[start:end], seed * 100 + n, speech)
        duration = len(voice) / synth.SAMPLE_RATE
        cues.append((round(t, 3), round(t + duration, 3), start, end))
        pieces.extend([voice, synth.silence(GAP_SECONDS)])
        t += duration + GAP_SECONDS
    return np.concatenate(pieces) if pieces else synth.silence(0.5), cues


@lru_cache(maxsize=16)
def _recording(
    text: str, seed: int, kind: str, speech: bool
) -> tuple[str, bytes, tuple[tuple[float, float, int, int], ...]]:
    """The encoded file for one answer (cached: re-seeding the demo reuses it)."""
    samples, cues = _clip(text, seed, speech)
    with tempfile.TemporaryDirectory(prefix="demo-clip-") as tmp:
        if kind == "video":
            path = synth.write_speech_video(Path(tmp) / "clip.mp4", samples)
        else:
            path = synth.write_audio(Path(tmp) / "clip.wav", samples)
        return path.suffix[1:], path.read_bytes(), tuple(cues)


def _candidates(session: Session, consultation_id: int) -> list[Response]:
    """Audio/video answers of named demo respondents who consented to quotes and to media."""
    return list(
        session.scalars(
            select(Response)
            .join(Respondent, Response.respondent_id == Respondent.id)
            .where(
                Respondent.consultation_id == consultation_id,
                Respondent.is_demo.is_(True),
                Respondent.media_consent.is_(True),
                Respondent.consent_to_quote.is_(True),
                Respondent.anonymous.is_(False),
                Respondent.withdrawn_at.is_(None),
                Response.kind.in_(["audio", "video"]),
            )
            .order_by(Response.id)
            .limit(DEMO_CLIPS)
        )
    )


def add_demo_media(
    session: Session,
    actor: Actor,
    consultation_id: int,
    media_dir: Path | None = None,
    *,
    now: datetime | None = None,
    speech: bool | None = None,
) -> DemoMediaReport:
    """Attach generated recordings (with timed cues) to a few demo audio and video answers.

    Speech comes from espeak-ng where installed, unless `speech=False` (tones: quick)."""
    require(actor, Permission.IMPORT_RESPONSES)
    now = now or utcnow()
    if media_dir is None:
        from curation.config import load_settings

        media_dir = load_settings().media_dir
    if speech is None or speech:
        speech = synth.espeak_available()
    total = 0.0
    responses = _candidates(session, consultation_id)
    with tempfile.TemporaryDirectory(prefix="demo-media-") as tmp:
        for response in responses:
            extension, data, cues = _recording(response.text, response.respondent_id,
                                               response.kind, speech)  # fmt: skip
            path = Path(tmp) / f"demo-{response.id}.{extension}"
            path.write_bytes(data)
            info = probe(path)
            sha, rel = store_file(path, info.extension, media_dir=media_dir)
            ensure_asset(session, actor, info, sha, rel, now)
            response.media_ref = sha
            session.execute(delete(TranscriptCue).where(TranscriptCue.response_id == response.id))
            session.add_all(
                TranscriptCue(
                    response_id=response.id,
                    index=i,
                    start_seconds=t0,
                    end_seconds=t1,
                    start_char=c0,
                    end_char=c1,
                )
                for i, (t0, t1, c0, c1) in enumerate(cues)
            )
            total += info.duration_seconds
    session.flush()
    audit.record(
        session, actor, "media.demo", "consultation", consultation_id,
        {"clips": len(responses), "speech": speech, "seconds": round(total, 1)}, now=now,
    )  # fmt: skip
    return DemoMediaReport(len(responses), speech, round(total, 1))
