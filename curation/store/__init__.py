"""The responses store: engine, sessions and migrations (SQLite by default, PostgreSQL too)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_S = 30

_migrated: set[str] = set()
_migrate_lock = threading.Lock()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    """Every transaction takes the write lock at BEGIN (waiting under the busy timeout).

    A deferred transaction that reads and then writes must upgrade its lock, and SQLite
    refuses such an upgrade at once ("database is locked") when another connection
    writes, without waiting. Only `Database.read_session` begins deferred."""
    conn.exec_driver_sql("BEGIN" if conn.info.get("begin_deferred") else "BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, a busy timeout and foreign keys."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            from curation.config import create_private_file

            create_private_file(Path(parsed.database))  # owner-only, like the data folder
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        # Let SQLAlchemy issue BEGIN itself, so write transactions begin IMMEDIATE.
        event.listen(engine, "connect", lambda conn, _r: setattr(conn, "isolation_level", None))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed, pool_pre_ping=True)


class DatabaseUnreachable(Exception):
    """The store cannot be reached or opened: one line, never the password."""

    @classmethod
    def from_error(cls, url: str, exc: BaseException) -> DatabaseUnreachable:
        cause = getattr(exc, "orig", None) or exc
        lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
        where = make_url(url).render_as_string(hide_password=True)
        return cls(
            f"cannot reach the database {where}: {lines[0] if lines else type(cause).__name__}"
        )


class Database:
    """One store: an engine plus a session factory. Cheap to pass around."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on any error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def immediate_session(self) -> Iterator[Session]:
        """A unit of work that takes SQLite's write lock at once (as every `session` does)."""
        with self.session() as session:
            yield session

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A read-only unit of work: on SQLite it begins deferred, so it never waits for a
        writer (WAL readers see the last commit); anything it writes is rolled back."""
        if not self.is_sqlite:
            session = self._sessions()
            try:
                yield session
            finally:
                session.rollback()
                session.close()
            return
        with self.engine.connect() as conn:
            conn.info["begin_deferred"] = True
            try:
                with Session(bind=conn, expire_on_commit=False) as session:
                    try:
                        yield session
                    finally:
                        session.rollback()
            finally:
                conn.info.pop("begin_deferred", None)

    def migrate(self) -> None:
        """Bring the schema to the newest migration (idempotent, once per process per URL).

        A store already at the newest revision is recognised without loading Alembic
        (which costs more than the rest of a CLI command's start)."""
        with _migrate_lock:
            if self.url in _migrated:
                return
            if self._at_head():
                _migrated.add(self.url)
                return
            from alembic import command

            with self.engine.begin() as conn:
                cfg = alembic_config(self.url)
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
            _migrated.add(self.url)

    def _at_head(self) -> bool:
        head = _head_revision()
        if head is None:
            return False
        try:
            with self.read_session() as session:
                stored = session.execute(text("SELECT version_num FROM alembic_version")).all()
        except DBAPIError:
            return False  # no store yet, or no version table: let Alembic say what is wrong
        return [tuple(row) for row in stored] == [(head,)]

    def dispose(self) -> None:
        self.engine.dispose()


_REVISION = re.compile(r'^(down_revision|revision)\s*(?::[^=]*)?=\s*["\']?([\w]+)', re.MULTILINE)


def _head_revision() -> str | None:
    """The single newest migration, read from the scripts' own `revision` lines (None if the
    chain is not a simple line: then Alembic decides)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        source = script.read_text(encoding="utf-8")
        found = {m.group(1): m.group(2) for m in _REVISION.finditer(source)}
        if "revision" in found:
            revisions.add(found["revision"])
            if found.get("down_revision") not in (None, "None"):
                parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def open_database(url: str | None = None, *, migrate: bool = True) -> Database:
    """Open the configured store (or `url`) and apply migrations."""
    from curation.config import load_settings, make_private_dir

    settings = load_settings()
    make_private_dir(settings.data_dir)  # a new data folder is the owner's only
    db = Database(url or settings.database_url)
    if migrate:
        try:
            db.migrate()
        except (OperationalError, InterfaceError) as exc:
            db.dispose()
            raise DatabaseUnreachable.from_error(db.url, exc) from exc
    return db
