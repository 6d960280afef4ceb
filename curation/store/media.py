"""Models for audio and video responses: stored media files and transcript cue timings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from curation.store.base import Base, utcnow


class MediaAsset(Base):
    """One probed media file, stored once by content hash; `Response.media_ref` holds `sha256`."""

    __tablename__ = "media_assets"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    # Relative to settings.media_dir, so the data directory can move.
    path: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(10))  # audio | video
    mime: Mapped[str] = mapped_column(String(80))
    container: Mapped[str] = mapped_column(String(40))
    duration_seconds: Mapped[float] = mapped_column(Float)
    has_audio: Mapped[bool] = mapped_column(Boolean, default=False)
    has_video: Mapped[bool] = mapped_column(Boolean, default=False)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120))


class TranscriptCue(Base):
    """A timed piece of a media response's transcript, as char offsets into `Response.text`."""

    __tablename__ = "transcript_cues"
    __table_args__ = (UniqueConstraint("response_id", "index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    index: Mapped[int] = mapped_column(Integer)
    start_seconds: Mapped[float] = mapped_column(Float)
    end_seconds: Mapped[float] = mapped_column(Float)
    start_char: Mapped[int] = mapped_column(Integer)
    end_char: Mapped[int] = mapped_column(Integer)
