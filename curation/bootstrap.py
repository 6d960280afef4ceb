"""Getting a store ready for the dashboard: migrations, the consultation, first-run data."""

from __future__ import annotations

from curation import consultations
from curation.actors import LOCAL_ADMIN
from curation.store import Database


def prepare(db: Database) -> None:
    """Migrate and make sure a consultation exists (idempotent)."""
    db.migrate()
    with db.session() as session:
        if not consultations.list_consultations(session):
            consultations.ensure_bundled(session, LOCAL_ADMIN)
