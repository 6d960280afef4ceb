"""Models for settled consent columns and confirmed answer readings, per consultation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from curation.store.base import Base, utcnow


class ColumnRoleChoice(Base):
    """A person's answer to "what does this column ask?", reused by later imports."""

    __tablename__ = "column_roles"
    __table_args__ = (UniqueConstraint("consultation_id", "header_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    header_key: Mapped[str] = mapped_column(String(500))  # the normalised header
    role: Mapped[str] = mapped_column(String(40))
    decided_by: Mapped[str] = mapped_column(String(120))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)


class AnswerReading(Base):
    """A confirmed reading of one distinct answer in one consent or naming column."""

    __tablename__ = "answer_readings"
    __table_args__ = (UniqueConstraint("consultation_id", "header_key", "role", "answer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    header_key: Mapped[str] = mapped_column(String(500))
    role: Mapped[str] = mapped_column(String(40))
    answer: Mapped[str] = mapped_column(String(300))  # normalised; "" for a blank answer
    reading: Mapped[str] = mapped_column(String(20))  # named | anonymous | not_quotable
    confirmed_by: Mapped[str] = mapped_column(String(120))
    confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)
