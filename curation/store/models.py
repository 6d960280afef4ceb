"""Every model module, imported so `Base.metadata` is complete (Alembic, tests)."""

from curation.store.base import Base
from curation.store.foundation import (
    AuditEntry,
    Consultation,
    ErasureRecord,
    ImportBatch,
    Question,
    Respondent,
    Response,
    ResponseTheme,
    Setting,
    Theme,
    User,
)

__all__ = [
    "AuditEntry",
    "Base",
    "Consultation",
    "ErasureRecord",
    "ImportBatch",
    "Question",
    "Respondent",
    "Response",
    "ResponseTheme",
    "Setting",
    "Theme",
    "User",
]
