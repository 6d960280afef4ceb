"""Map quote character spans to seconds of the recording, through the transcript cues.

Inside a cue, time is interpolated by character position (speech is roughly even
within one caption), then widened a little so the first and last syllables are not
clipped, never beyond the cue's own bounds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from curation.store.media import TranscriptCue

PAD_SECONDS = 0.2


class CueLike(Protocol):
    @property
    def start_seconds(self) -> float: ...
    @property
    def end_seconds(self) -> float: ...
    @property
    def start_char(self) -> int: ...
    @property
    def end_char(self) -> int: ...


@dataclass(frozen=True)
class Segment:
    """A stretch of the recording and the characters of the response it carries."""

    start_seconds: float
    end_seconds: float
    start_char: int
    end_char: int

    @property
    def duration(self) -> float:
        return self.end_seconds - self.start_seconds


def cues_for(session: Session, response_id: int) -> list[TranscriptCue]:
    """The response's cues in order (empty for untimed transcripts)."""
    return list(
        session.scalars(
            select(TranscriptCue)
            .where(TranscriptCue.response_id == response_id)
            .order_by(TranscriptCue.index)
        )
    )


def _fraction(cue: CueLike, char: int) -> float:
    length = max(1, cue.end_char - cue.start_char)
    return cue.start_seconds + (char - cue.start_char) / length * (
        cue.end_seconds - cue.start_seconds
    )


def span_seconds(cues: Sequence[CueLike], start: int, end: int) -> tuple[float, float] | None:
    """Seconds `(t_start, t_end)` for characters `[start, end)`, or None without timings."""
    if not cues or end <= start:
        return None
    first = next((c for c in cues if c.end_char > start), None)
    last = next((c for c in reversed(cues) if c.start_char < end), None)
    if first is None or last is None:
        return None
    if start <= first.start_char:
        t_start = first.start_seconds
    else:
        t_start = max(first.start_seconds, _fraction(first, start) - PAD_SECONDS)
    if end >= last.end_char:
        t_end = last.end_seconds
    else:
        t_end = min(last.end_seconds, _fraction(last, end) + PAD_SECONDS)
    return (round(t_start, 3), round(t_end, 3)) if t_end > t_start else None


def segments_for_spans(spans: Sequence[dict[str, Any]], cues: Sequence[CueLike]) -> list[Segment]:
    """One segment per span; explicit `t_start`/`t_end` on a span win over the cues.

    Returns an empty list when any span has no timing (the quote cannot be cut from audio).
    """
    segments: list[Segment] = []
    for span in spans:
        start, end = int(span["start"]), int(span["end"])
        if span.get("t_start") is not None and span.get("t_end") is not None:
            times: tuple[float, float] | None = (float(span["t_start"]), float(span["t_end"]))
        else:
            times = span_seconds(cues, start, end)
        if times is None or times[1] <= times[0]:
            return []
        segments.append(Segment(times[0], times[1], start, end))
    return segments


def quote_segments(session: Session, quote: Any) -> list[Segment]:
    """The recording's segments for a `Quote` (empty when the transcript has no timings)."""
    return segments_for_spans(quote.spans, cues_for(session, quote.response_id))


def timed_spans(
    session: Session, response_id: int, spans: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """`spans` with `t_start`/`t_end` added where the response has timings (quote picker)."""
    cues = cues_for(session, response_id)
    out = []
    for span in spans:
        times = span_seconds(cues, int(span["start"]), int(span["end"]))
        out.append({**span, "t_start": times[0], "t_end": times[1]} if times else dict(span))
    return out
