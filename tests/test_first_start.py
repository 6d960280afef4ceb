"""A fresh install shows the sign-in form at once: the demo data is added in the background
(with progress), or small and without speech for tests, or not at all."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from curation import bootstrap
from curation.access import auth
from curation.demo import respondents as demo
from curation.demo import speech as synth
from curation.store import Database
from curation.store.foundation import Respondent, Response, User

ROOT = Path(__file__).resolve().parent.parent


def _respondents(db: Database) -> int:
    with db.read_session() as session:
        return session.scalar(select(func.count()).select_from(Respondent)) or 0


@pytest.fixture
def held_seeding(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The background seeding waits for the returned event before it writes (60 people)."""
    release = threading.Event()
    real = demo.seed_demo

    def held(*args: Any, **kwargs: Any) -> demo.DemoReport:
        release.wait()
        return real(*args, **kwargs)

    monkeypatch.setattr(demo, "seed_demo", held)
    monkeypatch.setattr(demo, "DEMO_RESPONDENTS", 60)
    monkeypatch.setattr(synth, "espeak_available", lambda: False)
    monkeypatch.setenv("CURATION_DEMO_SEED", "background")
    yield release
    release.set()


def test_prepare_returns_before_the_background_demo(
    sqlite_db: Database, held_seeding: threading.Event
) -> None:
    """`prepare` returns (the admin made) before the background demo; then the demo lands."""
    progress = bootstrap.prepare(sqlite_db)
    assert progress is not None and progress.running
    with sqlite_db.read_session() as session:
        assert session.scalar(select(User).where(User.name == auth.BOOTSTRAP_ADMIN)) is not None
    assert _respondents(sqlite_db) == 0
    held_seeding.set()
    done = bootstrap.wait_for_demo(sqlite_db)
    assert done is not None and done.state == "done", done
    assert _respondents(sqlite_db) == 60
    with sqlite_db.read_session() as session:
        recorded = session.scalar(
            select(func.count()).select_from(Response).where(Response.media_ref.is_not(None))
        )
    assert recorded  # the recordings came in the second step
    assert bootstrap.prepare(sqlite_db) is done  # a second start seeds nothing more


def test_sign_in_form_shows_while_the_demo_is_added(
    sqlite_db: Database, held_seeding: threading.Event
) -> None:
    """The first visit renders the sign-in form and a progress line, not a long spinner."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=30)
    at.run()
    assert not at.exception
    assert at.text_input(key="signin_name") is not None
    assert any("Adding the demo respondents" in c.value for c in at.caption)
    held_seeding.set()
    bootstrap.wait_for_demo(sqlite_db)
    at.run()
    assert not any("Adding the demo" in c.value for c in at.caption)


def test_small_seed_for_tests_and_off(sqlite_db: Database, tmp_path: Path) -> None:
    """`small` seeds a few dozen people before returning; `off` seeds nothing."""
    progress = bootstrap.prepare(sqlite_db, demo="small")
    assert progress is not None and progress.state == "done"
    assert _respondents(sqlite_db) == bootstrap.SMALL_DEMO_RESPONDENTS
    other = Database(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    try:
        assert bootstrap.prepare(other, demo="off") is None
        assert _respondents(other) == 0
    finally:
        other.dispose()
