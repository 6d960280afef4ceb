"""Shared fixtures: fresh stores (SQLite; PostgreSQL where a server answers), actors, a clock."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from curation import consultations
from curation.access.actors import LOCAL_ADMIN, Actor, Role
from curation.store import Database
from curation.store.foundation import Consultation
from tests.fakes.servers import FakeBluesky, FakeMastodon, FakeX

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


def _postgres_admin_url() -> str | None:
    """The PostgreSQL server to test against, or None where none answers."""
    url = os.environ.get("CURATION_TEST_POSTGRES_URL") or DEFAULT_PG
    try:
        engine = create_engine(
            make_url(url).set(drivername="postgresql+psycopg"), connect_args={"connect_timeout": 2}
        )
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception:
        return None
    return url


_PG = _postgres_admin_url()
if _PG is None and os.environ.get("CI") == "true":
    # On a laptop the PostgreSQL tests skip; in CI a missing server is a failure, not a skip.
    raise pytest.UsageError(
        "CI=true but no PostgreSQL server answers at CURATION_TEST_POSTGRES_URL "
        f"({os.environ.get('CURATION_TEST_POSTGRES_URL') or DEFAULT_PG})"
    )


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own data directory and SQLite file; nothing touches ./data."""
    monkeypatch.setenv("CURATION_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CURATION_DATABASE_URL", f"sqlite:///{tmp_path / 'data' / 'test.sqlite3'}")
    # A first start seeds a small demo without speech before the page shows (not 320 people).
    monkeypatch.setenv("CURATION_DEMO_SEED", "small")
    for name in list(os.environ):
        if name.startswith(("CURATION_X_", "CURATION_BLUESKY_", "CURATION_MASTODON_")):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty SQLite store; also the one CURATION_DATABASE_URL points at."""
    db = Database(os.environ["CURATION_DATABASE_URL"])
    db.migrate()
    yield db
    db.dispose()


@pytest.fixture
def postgres_db() -> Iterator[Database]:
    """A migrated, empty PostgreSQL database of its own, dropped afterwards."""
    if _PG is None:
        pytest.skip("no PostgreSQL server answers (set CURATION_TEST_POSTGRES_URL)")
    admin = create_engine(
        make_url(_PG).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    name = f"curation_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(_PG).set(database=name).render_as_string(hide_password=False)
    db = Database(url)
    db.migrate()
    try:
        yield db
    finally:
        db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_db(request: pytest.FixtureRequest) -> Database:
    """The same test on SQLite and on PostgreSQL."""
    name = "sqlite_db" if request.param == "sqlite" else "postgres_db"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


@pytest.fixture
def db(sqlite_db: Database) -> Database:
    """The default store for tests: SQLite."""
    return sqlite_db


@pytest.fixture
def consultation(db: Database) -> Consultation:
    """The bundled levelling-up consultation, stored."""
    with db.session() as session:
        return consultations.ensure_bundled(session, LOCAL_ADMIN)


@pytest.fixture
def admin() -> Actor:
    return LOCAL_ADMIN


@pytest.fixture
def curator() -> Actor:
    return Actor("cara-curator", Role.CURATOR)


@pytest.fixture
def approver() -> Actor:
    return Actor("abe-approver", Role.APPROVER)


@pytest.fixture
def viewer() -> Actor:
    return Actor("vic-viewer", Role.VIEWER)


@pytest.fixture
def now() -> datetime:
    """A fixed instant for tests that need a clock."""
    return datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def fake_x() -> Iterator[FakeX]:
    """A fake X API on 127.0.0.1, recording every request."""
    server = FakeX()
    yield server
    server.close()


@pytest.fixture
def fake_mastodon() -> Iterator[FakeMastodon]:
    """A fake Mastodon instance on 127.0.0.1, recording every request."""
    server = FakeMastodon()
    yield server
    server.close()


@pytest.fixture
def fake_bluesky() -> Iterator[FakeBluesky]:
    """A fake Bluesky PDS on 127.0.0.1, recording every request."""
    server = FakeBluesky()
    yield server
    server.close()
