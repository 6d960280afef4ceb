"""Probe an uploaded media file with PyAV: what it is, how long, which streams; refuse the rest.

Untrusted input: the file's extension must match what its bytes say it is, only a few
containers and codecs are accepted, and size and duration are capped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import av

from curation.errors import UnusableInput

log = logging.getLogger(__name__)

MAX_BYTES = 200 * 1024 * 1024  # a 2-minute HD phone video is well under this
MAX_DURATION_SECONDS = 10 * 60.0


@dataclass(frozen=True)
class MediaCaps:
    """Limits applied to every upload (tests pass small ones)."""

    max_bytes: int = MAX_BYTES
    max_duration_seconds: float = MAX_DURATION_SECONDS


DEFAULT_CAPS = MediaCaps()

# extension -> the demuxer names FFmpeg reports for such a file
_CONTAINERS: dict[str, set[str]] = {
    "mp3": {"mp3"},
    "m4a": {"mov", "mp4", "m4a"},
    "mp4": {"mov", "mp4", "m4a"},
    "mov": {"mov", "mp4", "m4a"},
    "wav": {"wav"},
    "ogg": {"ogg"},
    "webm": {"matroska", "webm"},
}
AUDIO_ONLY_EXTENSIONS = {"mp3", "m4a", "wav", "ogg"}
ALLOWED_EXTENSIONS = tuple(sorted(_CONTAINERS))
AUDIO_CODECS = {
    "mp3", "mp3float", "aac", "alac", "flac", "opus", "vorbis", "libopus", "libvorbis",
    "pcm_s16le", "pcm_s24le", "pcm_s32le", "pcm_f32le", "pcm_u8", "pcm_mulaw", "pcm_alaw",
}  # fmt: skip
VIDEO_CODECS = {"h264", "hevc", "vp8", "vp9", "av1", "mpeg4", "prores", "mjpeg"}

_MIME = {
    ("audio", "mp3"): "audio/mpeg",
    ("audio", "m4a"): "audio/mp4",
    ("audio", "mp4"): "audio/mp4",
    ("audio", "mov"): "audio/mp4",
    ("audio", "wav"): "audio/wav",
    ("audio", "ogg"): "audio/ogg",
    ("audio", "webm"): "audio/webm",
    ("video", "mp4"): "video/mp4",
    ("video", "m4a"): "video/mp4",
    ("video", "mov"): "video/quicktime",
    ("video", "webm"): "video/webm",
}


@dataclass(frozen=True)
class MediaInfo:
    """What a probe found; `extension` is the canonical one the file is stored under."""

    kind: str  # audio | video
    mime: str
    container: str
    extension: str
    duration_seconds: float
    has_audio: bool
    has_video: bool
    width: int | None
    height: int | None
    bytes: int
    audio_codec: str | None
    video_codec: str | None


def _extension(path: Path, name: str | None) -> str:
    ext = Path(name or path.name).suffix.lower().lstrip(".")
    if ext not in _CONTAINERS:
        raise UnusableInput(
            f"{name or path.name}: unsupported file type '.{ext}' "
            f"(allowed: {', '.join('.' + e for e in ALLOWED_EXTENSIONS)})"
        )
    return ext


def _duration(container: av.container.InputContainer) -> float:
    """The container's duration, else the longest stream's, else the last packet's end."""
    if container.duration and container.duration > 0:
        return float(container.duration) / 1_000_000
    best = 0.0
    for stream in container.streams:
        if stream.duration and stream.time_base:
            best = max(best, float(stream.duration * stream.time_base))
    if best > 0:
        return best
    for packet in container.demux():
        if packet.pts is not None and packet.time_base:
            best = max(best, float((packet.pts + (packet.duration or 0)) * packet.time_base))
    return best


def probe(path: Path, *, name: str | None = None, caps: MediaCaps = DEFAULT_CAPS) -> MediaInfo:
    """Read `path` (uploaded as `name`) and describe it, or raise `UnusableInput` saying why."""
    label = name or path.name
    ext = _extension(path, name)
    size = path.stat().st_size
    if size == 0:
        raise UnusableInput(f"{label}: the file is empty (0 bytes)")
    if size > caps.max_bytes:
        raise UnusableInput(
            f"{label}: {size / 1_048_576:.1f} MB is over the "
            f"{caps.max_bytes / 1_048_576:.0f} MB limit"
        )
    try:
        container = av.open(str(path), mode="r")
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        log.debug("probe failed for %s: %s", label, exc)
        raise UnusableInput(
            f"{label}: not a readable .{ext} file (is it another type renamed?)"
        ) from exc
    with container:
        demuxers = set(container.format.name.split(","))
        if not demuxers & _CONTAINERS[ext]:
            raise UnusableInput(
                f"{label}: the file is really '{container.format.name}', not .{ext} "
                "(was it renamed?); export it again as one of "
                + ", ".join("." + e for e in ALLOWED_EXTENSIONS)
            )
        audio = next(iter(container.streams.audio), None)
        video = next(
            (
                s
                for s in container.streams.video
                if not s.disposition & av.stream.Disposition.attached_pic
            ),
            None,
        )
        if audio is None and video is None:
            raise UnusableInput(f"{label}: no audio or video stream found")
        audio_codec = audio.codec_context.name if audio is not None else None
        video_codec = video.codec_context.name if video is not None else None
        if audio_codec is not None and audio_codec not in AUDIO_CODECS:
            raise UnusableInput(f"{label}: audio codec '{audio_codec}' is not supported")
        if video_codec is not None and video_codec not in VIDEO_CODECS:
            raise UnusableInput(f"{label}: video codec '{video_codec}' is not supported")
        if video is not None and ext in AUDIO_ONLY_EXTENSIONS:
            raise UnusableInput(f"{label}: .{ext} is an audio type but the file holds video")
        duration = _duration(container)
        width = int(video.codec_context.width) if video is not None else None
        height = int(video.codec_context.height) if video is not None else None
    if duration <= 0.05:
        raise UnusableInput(f"{label}: the recording has no length (0 seconds)")
    if duration > caps.max_duration_seconds:
        raise UnusableInput(
            f"{label}: {duration:.0f} s is over the {caps.max_duration_seconds:.0f} s limit"
        )
    kind = "video" if video is not None else "audio"
    return MediaInfo(
        kind=kind,
        mime=_MIME[(kind, ext)],
        container=container.format.name,
        extension=ext,
        duration_seconds=round(duration, 3),
        has_audio=audio is not None,
        has_video=video is not None,
        width=width,
        height=height,
        bytes=size,
        audio_codec=audio_codec,
        video_codec=video_codec,
    )
