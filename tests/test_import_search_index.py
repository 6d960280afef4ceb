"""The import fills the full-text index in bulk: imported answers are searchable, the index's
trigger is back afterwards (also after a dry run or a failed import)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from curation.access.actors import Actor
from curation.ingest import import_file, writer
from curation.responses.browse import ResponseFilter, list_responses
from curation.store import Database
from curation.store.foundation import Consultation
from tests.quote_fixtures import add_response

EXPORT = Path(__file__).parent / "fixtures" / "exports" / "google_forms.csv"


def _trigger_present(db: Database) -> bool:
    with db.session() as session:
        sql = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = :n"
        return bool(session.scalar(text(sql), {"n": writer.FTS_INSERT_TRIGGER}))


def _index_matches_the_answers(db: Database) -> bool:
    """FTS5's own check that the index holds exactly the words of the stored answers."""
    with db.session() as session:
        session.execute(
            text("INSERT INTO responses_fts(responses_fts, rank) VALUES ('integrity-check', 1)")
        )
    return True


def _responses(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(text("responses"))) or 0


def test_imported_answers_are_searchable_and_later_ones_too(
    db: Database, consultation: Consultation, admin: Actor
) -> None:
    """Every imported answer is in the index; an answer added afterwards is indexed too."""
    with db.session() as session:
        report = import_file(session, admin, consultation.id, EXPORT)
    assert report.responses_created > 0
    assert _responses(db) == report.responses_created
    assert _index_matches_the_answers(db)
    assert _trigger_present(db)
    with db.session() as session:
        add_response(session, consultation, "Zanzibarian ferries would help.")
    with db.session() as session:
        page = list_responses(session, admin, consultation.id, ResponseFilter(search="zanzibarian"))
    assert page.total == 1


def test_dry_run_and_failure_leave_the_index_as_it_was(
    db: Database, consultation: Consultation, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dry run and an import that fails half-way leave no rows, no index entries, the trigger."""
    with db.session() as session:
        import_file(session, admin, consultation.id, EXPORT, dry_run=True)
    assert _responses(db) == 0
    assert _index_matches_the_answers(db)
    assert _trigger_present(db)

    def broken(self: writer.Writer, rows: object, tags: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(writer.Writer, "_insert_responses", broken)
    with pytest.raises(RuntimeError), db.session() as session:
        import_file(session, admin, consultation.id, EXPORT)
    assert _responses(db) == 0
    assert _index_matches_the_answers(db)
    assert _trigger_present(db)
