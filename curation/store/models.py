"""Every model module, imported so `Base.metadata` is complete (Alembic, tests)."""

from curation.store.analysis import AnalysisRun, AnswerTheme, ResponseReading, ThemeEdit  # noqa: F401
from curation.store.base import Base
from curation.store.cards import Card  # noqa: F401
from curation.store.consent import AnswerReading, ColumnRoleChoice  # noqa: F401
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
from curation.store.media import MediaAsset, TranscriptCue  # noqa: F401
from curation.store.metrics import MetricSnapshot  # noqa: F401
from curation.store.posts import (  # noqa: F401
    AccountHealth,
    Post,
    PostingSlot,
    PostReceipt,
    WorkerHeartbeat,
)
from curation.store.quotes import Quote, QuoteNote, QuoteStatus  # noqa: F401
from curation.store.sessions import SignInSession  # noqa: F401

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
