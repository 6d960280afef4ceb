"""The store: migrations match the models, consultations load, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from curation import consultations
from curation.access.actors import LOCAL_ADMIN
from curation.errors import UnusableInput
from curation.rights.consent import quotable_clause
from curation.store import Database
from curation.store.foundation import Respondent
from curation.store.models import Base


def test_migrations_match_the_models(any_db: Database) -> None:
    """After upgrading to head, the schema has nothing the models lack and vice versa."""
    with any_db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    # Full-text search objects (FTS5 table and its shadow tables, the GIN index) are not models.
    diff = [
        d for d in diff if not (isinstance(d, tuple) and "_fts" in str(getattr(d[1], "name", d[1])))
    ]
    assert diff == []


def test_bundled_consultation_has_ten_questions_and_twelve_missions(any_db: Database) -> None:
    """The consultation call's ten questions and the white paper's twelve missions load."""
    with any_db.session() as session:
        c = consultations.ensure_bundled(session, LOCAL_ADMIN)
        assert [q.number for q in c.questions] == list(range(1, 11))
        assert len(c.themes) == 12
        assert c.questions[3].text == "Who should own and define what success looks like?"


def test_a_second_consultation_can_be_added(any_db: Database, tmp_path: Path) -> None:
    """Another consultation file adds a second consultation beside the first."""
    other = tmp_path / "other.toml"
    other.write_text(
        'slug = "parks-2027"\ntitle = "Parks"\norganisation = "Council"\n'
        '[[questions]]\nnumber = 1\nlabel = "Parks"\ntext = "What do you think of the parks?"\n',
        encoding="utf-8",
    )
    with any_db.session() as session:
        consultations.ensure_bundled(session, LOCAL_ADMIN)
        consultations.add_consultation(session, LOCAL_ADMIN, other)
    with any_db.session() as session:
        slugs = [c.slug for c in consultations.list_consultations(session)]
        assert slugs == ["levelling-up-2022", "parks-2027"]
        assert consultations.get_consultation(session, "parks-2027").questions[0].label == "Parks"


def test_bad_consultation_file_is_refused_with_reason(db: Database, tmp_path: Path) -> None:
    """A consultation file with no questions is refused and says so."""
    bad = tmp_path / "bad.toml"
    bad.write_text('slug = "x"\ntitle = "X"\norganisation = "Y"\n', encoding="utf-8")
    with db.session() as session, pytest.raises(UnusableInput, match="no \\[\\[questions\\]\\]"):
        consultations.add_consultation(session, LOCAL_ADMIN, bad)


def test_quotable_clause_agrees_with_the_rule(any_db: Database) -> None:
    """The SQL form of the consent rule selects exactly the quotable respondents."""
    from datetime import UTC, datetime

    with any_db.session() as session:
        c = consultations.ensure_bundled(session, LOCAL_ADMIN)
        people = [
            Respondent(consultation_id=c.id, source_key="a", name="Ann", consent_to_quote=True),
            Respondent(consultation_id=c.id, source_key="b", name="Ben", consent_to_quote=False),
            Respondent(
                consultation_id=c.id,
                source_key="c",
                name="Cy",
                consent_to_quote=True,
                anonymous=True,
            ),
            Respondent(
                consultation_id=c.id,
                source_key="d",
                name="Di",
                consent_to_quote=True,
                withdrawn_at=datetime(2026, 1, 1, tzinfo=UTC),
            ),
            Respondent(consultation_id=c.id, source_key="e", name="", consent_to_quote=True),
        ]
        session.add_all(people)
    with any_db.session() as session:
        names = session.scalars(select(Respondent.source_key).where(quotable_clause())).all()
        assert sorted(names) == ["a"]
        with_anon = session.scalars(
            select(Respondent.source_key).where(quotable_clause(allow_anonymous=True))
        ).all()
        assert sorted(with_anon) == ["a", "c"]
