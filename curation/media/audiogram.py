"""Captioned audiograms: an MP4 of a quote's stretch of a recording over the brand's card.

Only for quotes from audio/video answers whose respondent gave media consent (voice and
face) and is named: an anonymous respondent's voice is never published. Everyone else
can still have a text card.

The encode is kept cheap: a static background composed once per caption, a low frame
rate, H.264 "veryfast" with yuv420p, AAC audio, and `faststart` so players start at once.
"""

from __future__ import annotations

import math
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select
from sqlalchemy.orm import Session

from curation import audit
from curation.access.actors import Actor, Permission, require
from curation.errors import ConsentError, NotFound, UnusableInput
from curation.media.backgrounds import Backdrop, audiogram_background
from curation.media.store import absolute_path
from curation.media.timing import Segment, cues_for, quote_segments
from curation.rights.gate import ConsentGate
from curation.store.foundation import Response
from curation.store.media import MediaAsset, TranscriptCue
from curation.store.quotes import Quote

FORMATS: dict[str, tuple[int, int]] = {"square": (720, 720), "portrait": (720, 1280)}
FPS = 12
AUDIO_RATE = 44100
BARS = 40
MAX_AUDIOGRAM_SECONDS = 140.0  # networks cap video length; quotes are short anyway
CAPTION_CHARS = 66  # longer captions are split into timed chunks (two lines or so)
NO_MEDIA_CONSENT = "no media consent: a text card is still possible"


@dataclass(frozen=True)
class AudiogramResult:
    path: Path
    duration: float
    width: int
    height: int


@dataclass(frozen=True)
class Caption:
    start: float  # seconds into the audiogram
    end: float
    text: str


def media_refusal(session: Session, quote_id: int) -> str | None:
    """Why no audiogram can be made for this quote (None when one can), for buttons and lists."""
    quote = session.get(Quote, quote_id)
    if quote is None:
        return f"no quote {quote_id}"
    response: Response = quote.response
    if response.kind not in ("audio", "video") or not response.media_ref:
        return "the quote is from a written answer: a text card is still possible"
    person = response.respondent
    gate = ConsentGate.of(session)
    if not gate.may_quote(person):
        return "the respondent may not be quoted"
    if person.anonymous:
        return (
            "anonymous respondent: their voice and face are never published "
            "(a text card is still possible)"
        )
    if not gate.may_use_recording(person):
        return NO_MEDIA_CONSENT
    return None


# --- audio -------------------------------------------------------------------------------


def _decode_segments(path: Path, segments: list[Segment]) -> np.ndarray:
    """Mono float32 samples at AUDIO_RATE of each segment, joined in order."""
    wanted = [
        (round(s.start_seconds * AUDIO_RATE), round(s.end_seconds * AUDIO_RATE)) for s in segments
    ]
    last_needed = max(end for _, end in wanted)
    pieces: list[list[np.ndarray]] = [[] for _ in wanted]
    resampler = av.AudioResampler(format="flt", layout="mono", rate=AUDIO_RATE)
    position: int | None = None

    def take(chunk: np.ndarray) -> None:
        nonlocal position
        assert position is not None
        for i, (lo, hi) in enumerate(wanted):
            a, b = max(lo, position), min(hi, position + len(chunk))
            if a < b:
                pieces[i].append(chunk[a - position : b - position])
        position += len(chunk)

    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        for frame in container.decode(stream):
            if position is None:
                position = round(max(0.0, frame.time or 0.0) * AUDIO_RATE)
            for out in resampler.resample(frame):
                take(out.to_ndarray().reshape(-1).astype(np.float32))
            if position >= last_needed:
                break
        else:
            for out in resampler.resample(None):
                take(out.to_ndarray().reshape(-1).astype(np.float32))
    joined = []
    for (lo, hi), parts in zip(wanted, pieces, strict=True):
        got = np.concatenate(parts) if parts else np.zeros(0, np.float32)
        got = np.pad(got, (0, max(0, (hi - lo) - len(got))))  # silence if the file ends early
        fade = min(len(got) // 2, AUDIO_RATE // 100)  # 10 ms fades: no clicks at the cuts
        if fade:
            ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
            got[:fade] *= ramp
            got[-fade:] *= ramp[::-1]
        joined.append(got)
    return np.concatenate(joined).astype(np.float32)


def _envelope(samples: np.ndarray, bars: int) -> np.ndarray:
    """Loudness per bar, 0..1 (RMS, normalised to the loudest bar)."""
    chunks = np.array_split(samples, bars)
    rms = np.array([math.sqrt(float(np.mean(c * c))) if len(c) else 0.0 for c in chunks])
    peak = float(rms.max()) if len(rms) else 0.0
    return rms / peak if peak > 0 else rms


# --- captions ----------------------------------------------------------------------------


def _chunks(text: str, start: float, end: float) -> list[Caption]:
    """Split a long caption into word chunks, timed in proportion to their length."""
    words, chunks, current = text.split(), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > CAPTION_CHARS:
            chunks.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        chunks.append(current)
    total = sum(len(c) for c in chunks) or 1
    out, t = [], start
    for chunk in chunks:
        length = (end - start) * len(chunk) / total
        out.append(Caption(t, t + length, chunk))
        t += length
    return out


def build_captions(text: str, segments: list[Segment], cues: list[TranscriptCue]) -> list[Caption]:
    """Captions for the audiogram timeline: the quote's own words only, from the cues."""
    captions: list[Caption] = []
    offset = 0.0
    for n, seg in enumerate(segments):
        pieces = []
        for cue in cues:
            lo, hi = max(cue.start_char, seg.start_char), min(cue.end_char, seg.end_char)
            if lo >= hi:
                continue
            t0 = max(cue.start_seconds, seg.start_seconds)
            t1 = min(cue.end_seconds, seg.end_seconds)
            pieces.append((t0, max(t1, t0 + 0.3), text[lo:hi].strip()))
        if not pieces:  # times given on the span without cues: one caption for the span
            pieces = [
                (seg.start_seconds, seg.end_seconds, text[seg.start_char : seg.end_char].strip())
            ]
        for i, (t0, t1, words) in enumerate(pieces):
            if n > 0 and i == 0:
                words = "…" + words  # spans are joined by an ellipsis, as on the card
            start = offset + max(0.0, t0 - seg.start_seconds)
            end = offset + min(seg.duration, t1 - seg.start_seconds)
            captions.extend(_chunks(words, start, end))
        offset += seg.duration
    return captions


# --- drawing -----------------------------------------------------------------------------


def _font(assets_dir: Path, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for candidate in (
        assets_dir / "fonts" / "NotoSans-Bold.ttf",
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ):
        if candidate.is_file():
            return ImageFont.truetype(str(candidate), size)
    return ImageFont.load_default(size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: Any, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        trial = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(trial, font=font) <= width:
            lines[-1] = trial
        else:
            lines.append(word)
    return lines


class _Painter:
    """Draws frames: a cached base per caption, then the waveform for the moment."""

    def __init__(
        self,
        backdrop: Backdrop,
        captions: list[Caption],
        envelope: np.ndarray,
        duration: float,
        assets_dir: Path,
    ) -> None:
        self.w, self.h = backdrop.image.size
        self.palette = palette = backdrop.palette
        self.captions, self.envelope, self.duration = captions, envelope, duration
        top = backdrop.panel_top
        wave_height = min(int(self.h * 0.08), (self.h - top) // 5)
        self.wave_box = (40, top + 12, self.w - 40, top + 12 + wave_height)
        self.text_top = self.wave_box[3] + 16
        self.base = backdrop.image.copy()
        ImageDraw.Draw(self.base).rectangle((0, top, self.w, self.h), fill=palette.panel)
        self.font = _font(assets_dir, max(18, self.w // 22))
        self._cache: dict[int, Image.Image] = {}

    def _with_caption(self, index: int) -> Image.Image:
        if index not in self._cache:
            image = self.base.copy()
            if index >= 0:
                draw = ImageDraw.Draw(image)
                lines = _wrap(draw, self.captions[index].text, self.font, self.w - 80)
                size = getattr(self.font, "size", 20)
                y = self.text_top
                for line in lines[:4]:
                    x = (self.w - draw.textlength(line, font=self.font)) / 2
                    draw.text((x, y), line, font=self.font, fill=self.palette.text)
                    y += int(size * 1.25)
            self._cache = {index: image} if len(self._cache) > 8 else {**self._cache, index: image}
        return self._cache[index]

    def frame(self, t: float) -> Image.Image:
        index = next((i for i, c in enumerate(self.captions) if c.start <= t < c.end), -1)
        image = self._with_caption(index).copy()
        draw = ImageDraw.Draw(image)
        left, top, right, bottom = self.wave_box
        played = min(1.0, t / self.duration) if self.duration else 1.0
        step = (right - left) / len(self.envelope)
        middle = (top + bottom) / 2
        for i, level in enumerate(self.envelope):
            here = abs((i + 0.5) / len(self.envelope) - played) < 1.0 / len(self.envelope)
            half = max(2.0, (bottom - top) / 2 * float(level) * (1.15 if here else 1.0))
            x = left + i * step
            colour = (
                self.palette.accent
                if (i + 0.5) * step <= played * (right - left)
                else self.palette.muted
            )
            draw.rounded_rectangle(
                (x + 2, middle - half, x + step - 2, middle + half), radius=3, fill=colour
            )
        return image


# --- encoding ----------------------------------------------------------------------------


def _encode(out_path: Path, painter: _Painter, samples: np.ndarray) -> float:
    """Write the MP4; returns its duration in seconds."""
    duration = len(samples) / AUDIO_RATE
    frames = max(1, math.ceil(duration * FPS))
    per_frame = AUDIO_RATE // FPS
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=out_path.parent, prefix=".audiogram-", suffix=".mp4")
    os.close(fd)
    try:
        with av.open(tmp_name, mode="w", format="mp4", options={"movflags": "+faststart"}) as out:
            video = out.add_stream("libx264", rate=FPS, options={"preset": "veryfast", "crf": "26"})
            video.width, video.height, video.pix_fmt = painter.w, painter.h, "yuv420p"
            audio = out.add_stream("aac", rate=AUDIO_RATE, layout="mono")
            audio.bit_rate = 96_000
            for i in range(frames):
                image = av.VideoFrame.from_image(painter.frame(i / FPS))
                for packet in video.encode(image):
                    out.mux(packet)
                chunk = samples[i * per_frame : (i + 1) * per_frame]
                if i == frames - 1:
                    chunk = samples[i * per_frame :]
                if len(chunk):
                    frame = av.AudioFrame.from_ndarray(chunk[None, :], format="flt", layout="mono")
                    frame.sample_rate = AUDIO_RATE
                    frame.pts = i * per_frame
                    frame.time_base = Fraction(1, AUDIO_RATE)
                    for packet in audio.encode(frame):
                        out.mux(packet)
            for stream in (video, audio):
                for packet in stream.encode(None):
                    out.mux(packet)
        os.replace(tmp_name, out_path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return duration


def make_audiogram(
    session: Session,
    actor: Actor,
    quote_id: int,
    out_path: Path,
    *,
    fmt: str = "square",
    now: datetime | None = None,
) -> AudiogramResult:
    """Write a captioned audiogram MP4 of the quote's time range to `out_path`."""
    from curation.config import load_settings
    from curation.quotes.reading import card_content

    require(actor, Permission.PREVIEW_CARDS)
    if fmt not in FORMATS:
        raise UnusableInput(f"unknown audiogram format '{fmt}' (use {' or '.join(FORMATS)})")
    if session.get(Quote, quote_id) is None:
        raise NotFound(f"no quote {quote_id}")
    content = card_content(session, quote_id)  # the consent rule and the exact words
    refusal = media_refusal(session, quote_id)
    if refusal is not None:
        raise ConsentError(refusal)
    quote = session.get(Quote, quote_id)
    assert quote is not None
    response: Response = quote.response
    asset = session.scalar(select(MediaAsset).where(MediaAsset.sha256 == response.media_ref))
    if asset is None or not asset.has_audio:
        raise NotFound(
            f"quote {quote_id}: the recording (with sound) is missing from the media store"
        )
    segments = [
        s for s in quote_segments(session, quote) if s.start_seconds < asset.duration_seconds
    ]
    if not segments:
        raise UnusableInput(
            f"quote {quote_id}: the transcript has no timings, so the quote's place in the "
            "recording is unknown (add a VTT or SRT transcript; a text card is still possible)"
        )
    segments = [
        Segment(
            s.start_seconds, min(s.end_seconds, asset.duration_seconds), s.start_char, s.end_char
        )
        for s in segments
    ]
    total = sum(s.duration for s in segments)
    if total > MAX_AUDIOGRAM_SECONDS:
        raise UnusableInput(
            f"quote {quote_id} lasts {total:.0f} s; "
            f"audiograms are at most {MAX_AUDIOGRAM_SECONDS:.0f} s"
        )
    settings = load_settings()
    samples = _decode_segments(absolute_path(asset.path, settings=settings), segments)
    captions = build_captions(response.text, segments, cues_for(session, response.id))
    width, height = FORMATS[fmt]
    backdrop = audiogram_background(session, content, fmt, (width, height))
    painter = _Painter(backdrop, captions, _envelope(samples, BARS), total, settings.assets_dir)
    duration = _encode(Path(out_path), painter, samples)
    audit.record(
        session, actor, "audiogram.make", "quote", quote_id,
        {"format": fmt, "duration_seconds": round(duration, 3), "segments": len(segments)},
        now=now,
    )  # fmt: skip
    return AudiogramResult(Path(out_path), round(duration, 3), width, height)


def audiogram_path(quote_id: int, fmt: str = "square") -> Path:
    """Where the dashboard keeps a quote's audiogram (no personal data in the name)."""
    from curation.config import load_settings

    return load_settings().data_dir / "audiograms" / f"quote-{int(quote_id)}-{fmt}.mp4"


def remove_audiograms(quote_id: int) -> int:
    """Delete a quote's stored audiograms (on withdrawal or rejection); returns how many."""
    removed = 0
    for fmt in FORMATS:
        path = audiogram_path(quote_id, fmt)
        if path.exists():
            path.unlink()
            removed += 1
    return removed
