"""Getting a store ready for the dashboard: migrations, the consultation, first-run data.

The sign-in form must not wait for the demo data: `prepare` migrates, makes sure a
consultation and a first admin exist, and leaves the demo to `CURATION_DEMO_SEED`:

- `background` (the default): on an empty store, a thread adds the demo respondents,
  then generates their recordings (speech, the slow part) in a second transaction;
  `demo_progress` tells the pages how far it got.
- `now`: the same, before `prepare` returns.
- `small`: a small demo without speech, before `prepare` returns (the tests' seed).
- `off`: no demo data.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass

from curation import consultations
from curation.access.actors import LOCAL_ADMIN
from curation.store import Database

log = logging.getLogger(__name__)

DEMO_MODES = ("background", "now", "small", "off")
SMALL_DEMO_RESPONDENTS = 60  # with four recorded answers among them


@dataclass
class DemoProgress:
    """How far the first-run demo seeding got (read by pages, written by its thread)."""

    state: str = "seeding"  # seeding | done | failed
    step: str = "respondents"  # respondents | recordings | finished
    error: str | None = None

    @property
    def running(self) -> bool:
        return self.state == "seeding"


_progress: dict[str, DemoProgress] = {}
_threads: dict[str, threading.Thread] = {}
_lock = threading.Lock()


def demo_mode() -> str:
    """`CURATION_DEMO_SEED`, checked (default: background)."""
    mode = os.environ.get("CURATION_DEMO_SEED", "background").strip().lower() or "background"
    if mode not in DEMO_MODES:
        raise ValueError(f"CURATION_DEMO_SEED must be one of {', '.join(DEMO_MODES)}, not {mode!r}")
    return mode


def prepare(db: Database, *, demo: str | None = None) -> DemoProgress | None:
    """Migrate, make sure a consultation and a first admin exist, and start the demo seeding
    on an empty store (see the module docstring). Idempotent; returns the seeding's progress
    when one runs or ran in this process."""
    db.migrate()
    with db.session() as session:
        if not consultations.list_consultations(session):
            consultations.ensure_bundled(session, LOCAL_ADMIN)
    _first_admin(db)
    return _demo_on_empty_store(db, demo or demo_mode())


def demo_progress(db: Database) -> DemoProgress | None:
    """The first-run demo seeding of this store in this process, if any."""
    return _progress.get(db.url)


def wait_for_demo(db: Database, timeout: float | None = None) -> DemoProgress | None:
    """Block until a background seeding of `db` ends (scripts and tests)."""
    thread = _threads.get(db.url)
    if thread is not None:
        thread.join(timeout)
    return demo_progress(db)


def _first_admin(db: Database) -> None:
    """On a store with no users, create "admin" and show its one-time password once.

    Printed to stderr (the terminal that started the dashboard, not a log) and written
    to a 0600 file in the data directory, deleted once the password is changed.
    """
    import sys

    from curation.access import auth

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


def _store_is_empty(db: Database) -> bool:
    from sqlalchemy import exists, select

    from curation.store.foundation import Respondent

    with db.read_session() as session:
        return not session.scalar(select(exists().where(Respondent.id.is_not(None))))


def _demo_on_empty_store(db: Database, mode: str) -> DemoProgress | None:
    """On a store without a single respondent, add the demo respondents (first run)."""
    if mode == "off":
        return None
    with _lock:
        if db.url in _threads and _threads[db.url].is_alive():
            return _progress[db.url]
        if not _store_is_empty(db):
            return _progress.get(db.url)
        progress = _progress[db.url] = DemoProgress()
        if mode == "background":
            thread = threading.Thread(
                target=_seed, args=(db, progress, mode), name="demo-seed", daemon=True
            )
            _threads[db.url] = thread
            thread.start()
            return progress
    _seed(db, progress, mode)
    return progress


def _seed(db: Database, progress: DemoProgress, mode: str) -> None:
    """Respondents (with the publishing history) in one transaction, recordings in another."""
    from curation.demo import respondents as demo
    from curation.demo.media import add_demo_media

    try:
        with db.session() as session:
            # The demo answers are written for the bundled consultation's ten questions.
            consultation = consultations.ensure_bundled(session, LOCAL_ADMIN)
            count = SMALL_DEMO_RESPONDENTS if mode == "small" else demo.DEMO_RESPONDENTS
            report = demo.seed_demo(
                session, LOCAL_ADMIN, consultation, count=count, with_media=False
            )
        if report.created:
            progress.step = "recordings"
            with db.session() as session:
                add_demo_media(session, LOCAL_ADMIN, report.consultation_id,
                               speech=mode != "small")  # fmt: skip
        progress.step, progress.state = "finished", "done"
    except Exception as exc:  # a page shows that it failed; the store itself is usable
        progress.state, progress.error = "failed", type(exc).__name__
        log.warning("demo seeding failed: %s", type(exc).__name__, exc_info=True)
