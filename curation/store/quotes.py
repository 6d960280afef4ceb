"""Models for quotes (exact spans of one response) and the notes written on them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from curation.store.base import Base, utcnow
from curation.store.foundation import Response


class QuoteStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # the respondent stopped being quotable
    SCHEDULED = "scheduled"  # set by the publishing flow
    PUBLISHED = "published"  # set by the publishing flow


class Quote(Base):
    """A respondent's exact words: ordered, non-overlapping spans of one response."""

    __tablename__ = "quotes"
    __table_args__ = (Index("ix_quotes_status_response", "status", "response_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    # [{"start": int, "end": int, "t_start"?: float, "t_end"?: float}, ...] in text order.
    spans: Mapped[list[Any]] = mapped_column(JSON)
    # A cache of the spans' text; always recomputed from the response and checked.
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=QuoteStatus.DRAFT.value)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_by: Mapped[str | None] = mapped_column(String(120))
    approved_at: Mapped[datetime | None] = mapped_column()
    rejected_by: Mapped[str | None] = mapped_column(String(120))
    pd_findings: Mapped[list[Any]] = mapped_column(JSON, default=list)
    pd_override_reason: Mapped[str | None] = mapped_column(Text)
    pd_override_by: Mapped[str | None] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    response: Mapped[Response] = relationship()
    notes: Mapped[list[QuoteNote]] = relationship(
        back_populates="quote", order_by="QuoteNote.id", cascade="all, delete-orphan"
    )


class QuoteNote(Base):
    __tablename__ = "quote_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    text: Mapped[str] = mapped_column(Text)

    quote: Mapped[Quote] = relationship(back_populates="notes")
