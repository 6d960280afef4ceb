"""Models for what the answers say: themes found per question, near-duplicate groups, tone.

These are readings of the text, recomputed by the analysis job; staff edits to themes are
kept as `ThemeEdit` rows and replayed after every recompute.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from curation.store.base import Base, utcnow


class AnalysisRun(Base):
    """One run of the analysis job, with its progress (0..1) for pages to show."""

    __tablename__ = "analysis_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default="queued")  # queued|running|done|failed
    stage: Mapped[str] = mapped_column(String(80), default="")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actor: Mapped[str] = mapped_column(String(120))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()


class AnswerTheme(Base):
    """A theme found in the answers to one question (not a mission: those are `Theme`)."""

    __tablename__ = "answer_themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))
    label_edited: Mapped[bool] = mapped_column(Boolean, default=False)
    terms: Mapped[list[Any]] = mapped_column(JSON, default=list)
    answers: Mapped[int] = mapped_column(Integer, default=0)  # campaign groups counted once
    quotable: Mapped[int] = mapped_column(Integer, default=0)
    # [{"response_id", "start", "end"}]: exact spans; the words are read from the answer.
    passages: Mapped[list[Any]] = mapped_column(JSON, default=list)


class ResponseReading(Base):
    """What the analysis read in one response: its theme, its duplicate group, its tone."""

    __tablename__ = "response_readings"

    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    answer_theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("answer_themes.id", ondelete="SET NULL"), index=True
    )
    theme_strength: Mapped[float | None] = mapped_column(Float)  # how strongly (0..1)
    # The smallest response id of its near-duplicate group; None when it stands alone.
    group_key: Mapped[int | None] = mapped_column(Integer, index=True)
    group_size: Mapped[int] = mapped_column(Integer, default=1)
    language: Mapped[str | None] = mapped_column(String(8))  # en | cy | None (not sure)
    tone: Mapped[str | None] = mapped_column(String(20))  # positive|neutral|negative|None
    tone_score: Mapped[float | None] = mapped_column(Float)
    content_hash: Mapped[str] = mapped_column(String(64), default="")


class ThemeEdit(Base):
    """A staff edit (rename, merge, split) kept so it can be replayed after a recompute."""

    __tablename__ = "answer_theme_edits"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))  # rename | merge | split
    terms: Mapped[list[Any]] = mapped_column(JSON, default=list)  # the theme edited
    other_terms: Mapped[list[Any]] = mapped_column(JSON, default=list)  # merge: merged into
    label: Mapped[str | None] = mapped_column(String(200))
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(default=utcnow)
