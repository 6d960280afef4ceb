"""Transcripts for media responses: WebVTT, SRT or plain text.

The transcript becomes the response text; timed cues are kept as character offsets
into that text, so quote spans can be mapped back to seconds.

Decisions on messy input (reported in `Transcript.notes`):
- a cue that starts before the previous one ends is kept, and the previous cue's end is
  clamped to its start (captions then never overlap on screen);
- cues out of order, starting together, or ending before they start are refused;
- a .vtt/.srt file with no timestamps at all is read as plain text without timings;
- a file that has timestamps some of which cannot be read is refused (never half-read).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import srt
import webvtt

from curation.errors import UnusableInput

MAX_TRANSCRIPT_BYTES = 1024 * 1024
_ARROW = re.compile(r"^\s*\S+\s+-->\s+\S+", re.MULTILINE)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Cue:
    start_seconds: float
    end_seconds: float
    start_char: int
    end_char: int


@dataclass(frozen=True)
class Transcript:
    text: str
    cues: tuple[Cue, ...]
    format: str  # vtt | srt | plain
    notes: tuple[str, ...] = field(default=())

    @property
    def timed(self) -> bool:
        return bool(self.cues)

    @property
    def end_seconds(self) -> float:
        return self.cues[-1].end_seconds if self.cues else 0.0


def _clock(seconds: float) -> str:
    minutes, secs = divmod(seconds, 60)
    return f"{int(minutes):02d}:{secs:06.3f}"


def _detect(raw: str, filename: str | None) -> str:
    suffix = Path(filename or "").suffix.lower()
    if suffix in {".vtt", ".srt"}:
        return suffix[1:]
    if suffix == ".txt":
        return "plain"
    if raw.lstrip().startswith("WEBVTT"):
        return "vtt"
    return "srt" if _ARROW.search(raw) else "plain"


def _seconds(stamp: str) -> float:
    """'HH:MM:SS.mmm' (as webvtt-py gives `Caption.start`) in seconds, to the millisecond."""
    parts = [float(p) for p in stamp.strip().split(":")]
    total = 0.0
    for part in parts:
        total = total * 60 + part
    return round(total, 3)


def _vtt_items(raw: str) -> list[tuple[float, float, str]]:
    # `from_buffer` (webvtt-py 0.5: `read_buffer`); `Caption.start` is text in every version,
    # while `start_in_seconds` truncates to whole seconds.
    reader = getattr(webvtt, "from_buffer", None) or webvtt.read_buffer
    try:
        captions = reader(io.StringIO(raw)).captions
    except webvtt.errors.MalformedFileError as exc:
        raise UnusableInput(f"transcript: not a readable WebVTT file ({exc})") from exc
    return [(_seconds(c.start), _seconds(c.end), c.text) for c in captions]


def _srt_items(raw: str) -> list[tuple[float, float, str]]:
    try:
        subs = list(srt.parse(raw))
    except srt.SRTParseError as exc:
        raise UnusableInput(f"transcript: not a readable SRT file ({str(exc)[:120]})") from exc
    return [(s.start.total_seconds(), s.end.total_seconds(), s.content) for s in subs]


def _plain(raw: str, fmt: str, notes: list[str]) -> Transcript:
    lines = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[0].strip().startswith("WEBVTT"):
        lines = lines[1:]
    text = "\n".join(line.rstrip() for line in lines).strip()
    if not text:
        raise UnusableInput("transcript: the file has no text")
    return Transcript(text=text, cues=(), format="plain", notes=tuple(notes))


def _build(items: list[tuple[float, float, str]], fmt: str) -> Transcript:
    notes: list[str] = []
    starts: list[float] = []
    ends: list[float] = []  # may be clamped below
    texts: list[str] = []
    for number, (start, end, content) in enumerate(items, start=1):
        text = _SPACE.sub(" ", content).strip()
        if not text:
            continue
        if end <= start:
            raise UnusableInput(
                f"transcript: cue {number} at {_clock(start)} ends before it starts"
            )
        if starts and start <= starts[-1]:
            raise UnusableInput(
                f"transcript: cue {number} at {_clock(start)} does not start after the cue "
                f"before it ({_clock(starts[-1])}); cues must be in time order"
            )
        if ends and start < ends[-1]:
            ends[-1] = start
            notes.append(
                f"cue {number - 1} clamped to end at {_clock(start)} (overlapped cue {number})"
            )
        starts.append(float(start))
        ends.append(float(end))
        texts.append(text)
    if not texts:
        raise UnusableInput("transcript: the file has no text")
    cues: list[Cue] = []
    offset = 0
    for start, end, text in zip(starts, ends, texts, strict=True):
        cues.append(Cue(start, end, offset, offset + len(text)))
        offset += len(text) + 1  # the joining space
    return Transcript(text=" ".join(texts), cues=tuple(cues), format=fmt, notes=tuple(notes))


def parse_transcript(raw: str, *, filename: str | None = None) -> Transcript:
    """Parse transcript text; the format comes from the file name, else from the content."""
    raw = raw.lstrip("\ufeff")
    fmt = _detect(raw, filename)
    if fmt == "plain":
        return _plain(raw, fmt, [])
    arrows = len(_ARROW.findall(raw))
    if arrows == 0:
        return _plain(raw, fmt, [f"no timestamps in the .{fmt} file: kept as plain text"])
    items = _vtt_items(raw) if fmt == "vtt" else _srt_items(raw)
    if len(items) < arrows:
        raise UnusableInput(
            f"transcript: {arrows - len(items)} of {arrows} cue timings in the .{fmt} file "
            "could not be read"
        )
    return _build(items, fmt)


def read_transcript(path: Path, *, name: str | None = None) -> Transcript:
    """Read a transcript file (UTF-8, at most 1 MB)."""
    label = name or path.name
    size = path.stat().st_size
    if size > MAX_TRANSCRIPT_BYTES:
        raise UnusableInput(
            f"{label}: transcript is over the {MAX_TRANSCRIPT_BYTES // 1024} KB limit"
        )
    try:
        raw = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnusableInput(f"{label}: transcript is not UTF-8 text") from exc
    return parse_transcript(raw, filename=label)
