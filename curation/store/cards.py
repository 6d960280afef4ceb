"""Model for rendered quote cards: the PNG on disk (by content hash) and its alt text."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from curation.store.base import Base, utcnow


class Card(Base):
    """One rendered card of a quote in one template and format.

    `path` is relative to `settings.cards_dir`; identical inputs give the same
    `content_hash`, so the same row (and file) is reused.
    """

    __tablename__ = "cards"
    __table_args__ = (UniqueConstraint("quote_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id", ondelete="CASCADE"), index=True)
    template: Mapped[str] = mapped_column(String(40))
    format: Mapped[str] = mapped_column(String(20))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    path: Mapped[str] = mapped_column(String(500))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(Integer)
    font_size: Mapped[int] = mapped_column(Integer)
    alt_text: Mapped[str] = mapped_column(Text)
    alt_text_edited: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120))
