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
    _demo_on_empty_store(db)
    _first_admin(db)


def _first_admin(db: Database) -> None:
    """On a store with no users, create "admin" and show its one-time password once.

    Printed to stderr (the terminal that started the dashboard, not a log) and written
    to a 0600 file in the data directory, deleted once the password is changed.
    """
    import sys

    from curation import auth

    with db.session() as session:
        password = auth.bootstrap_admin(session)
    if password is None:
        return
    path = auth.remember_first_admin_password(password)
    print(
        f"\nFirst start: sign in as '{auth.BOOTSTRAP_ADMIN}' with the one-time password\n"
        f"    {password}\n"
        f"and choose a new one. (Also in {path}, readable only by you, until then.)\n",
        file=sys.stderr,
        flush=True,
    )


def _demo_on_empty_store(db: Database) -> None:
    """On a store without a single respondent, add the demo respondents (first run)."""
    from sqlalchemy import exists, select

    from curation import demo
    from curation.store.foundation import Respondent

    with db.session() as session:
        if session.scalar(select(exists().where(Respondent.id.is_not(None)))):
            return
        # The demo answers are written for the bundled consultation's ten questions.
        demo.seed_demo(session, LOCAL_ADMIN, consultations.ensure_bundled(session, LOCAL_ADMIN))
