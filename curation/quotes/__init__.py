"""Quotes: exact spans of responses, suggestions, personal-data checks, approval, balance.

Modules: spans (offsets and text), suggest (ranking candidates), personal_data (checks),
workflow (draft -> approved -> scheduled -> published), reading (shortlist, card content),
picking (the picker's view), balance and charts (spread across groups).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from curation.access.actors import Actor

# The erasure hook `curation.rights.privacy` finds by name. Explicit signatures: the erasure
# flow inspects them to decide whether to pass the actor. Imported lazily to keep
# `curation.quotes.spans` and friends light.


def delete_quotes_for_respondent(
    session: Session, actor: Actor, respondent_id: int, *, now: datetime | None = None
) -> int:
    """Erasure: scrub every quote's words; see `workflow.delete_quotes_for_respondent`."""
    from curation.quotes.workflow import delete_quotes_for_respondent as run

    return run(session, actor, respondent_id, now=now)
