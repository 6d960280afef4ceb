"""The demo data: deterministic, fictional, varied, every consent state, only demo rows touched."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from response_fixtures import add_person
from sqlalchemy import func, select
from typer.testing import CliRunner

from curation import bootstrap, consultations
from curation.access.actors import LOCAL_ADMIN, Actor
from curation.cli import app
from curation.demo import respondents as demo
from curation.errors import PermissionDenied
from curation.responses.browse import UK_REGIONS
from curation.store import Database
from curation.store.foundation import AuditEntry, Respondent, Response, ResponseTheme

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)


def seeded(db: Database, **kw: object) -> demo.DemoReport:
    with db.session() as s:
        c = consultations.ensure_bundled(s, LOCAL_ADMIN)
        return demo.seed_demo(s, LOCAL_ADMIN, c, now=NOW, **kw)  # type: ignore[arg-type]


def snapshot(db: Database) -> list[tuple[object, ...]]:
    with db.session() as s:
        rows = s.execute(
            select(
                Respondent.source_key,
                Respondent.name,
                Respondent.region,
                Respondent.sector,
                Respondent.consent_to_quote,
                Respondent.anonymous,
                Respondent.withdrawn_at,
                Response.kind,
                Response.text,
                Response.submitted_at,
            )
            .join(Response, Response.respondent_id == Respondent.id)
            .order_by(Respondent.source_key, Response.question_id, Response.kind)
        )
        return [tuple(r) for r in rows]


def test_demo_is_deterministic(db: Database, tmp_path: Path) -> None:
    """The same seed gives the same people and the same words in another store."""
    seeded(db)
    other = Database(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    other.migrate()
    seeded(other)
    assert snapshot(db) == snapshot(other)
    other.dispose()


def test_demo_covers_regions_sectors_consent_states_and_formats(db: Database) -> None:
    """300+ respondents in all UK regions and sectors, every consent state and format."""
    report = seeded(db)
    assert report.created and report.respondents >= 300
    with db.session() as s:
        people = s.scalars(select(Respondent)).all()
        answers = s.scalars(select(Response)).all()
        tagged = s.scalar(select(func.count(func.distinct(ResponseTheme.response_id))))
    assert {p.region for p in people} == set(UK_REGIONS)
    assert {p.sector for p in people} == set(demo.SECTORS)
    assert all(p.is_demo and p.email and p.email.endswith("@example.org") for p in people)
    states = Counter(
        "withdrawn"
        if p.withdrawn_at
        else "anonymous"
        if p.anonymous and p.consent_to_quote
        else "named"
        if p.consent_to_quote
        else "blank"
        if not (p.consent_raw or "").strip()
        else "not consented"
        for p in people
    )
    assert set(states) == {"named", "anonymous", "not consented", "blank", "withdrawn"}
    assert 0.45 < states["named"] / len(people) < 0.65
    assert {a.kind for a in answers} == {"text", "audio", "video"}
    assert len({a.question_id for a in answers}) == 10
    texts = [a.text for a in answers]
    assert any("Diolch" in t for t in texts), "some answers are in Welsh"
    assert any(any(ord(ch) > 0x1F000 for ch in t) for t in texts), "some answers have emoji"
    assert any("\n\n" in t for t in texts) and any(t.count(".") == 1 for t in texts)
    assert any(n in p.name for p in people for n in ("Siân", "Gwên", "Dafydd") if p.name)
    assert tagged and tagged > len(answers) / 2, "missions are tagged by keywords"


def test_demo_is_added_once_and_reset_replaces_only_demo_data(db: Database) -> None:
    """Seeding twice adds nothing; --reset gives the same data again and keeps real respondents."""
    with db.session() as s:
        c = consultations.ensure_bundled(s, LOCAL_ADMIN)
        add_person(s, c, {1: "A real answer."}, name="Real Person")
    first = seeded(db)
    before = snapshot(db)
    again = seeded(db)
    assert not again.created and again.respondents == first.respondents
    assert again.responses == first.responses
    for _ in range(2):
        reset = seeded(db, reset=True)
        assert reset.created and reset.respondents == first.respondents
        assert snapshot(db) == before
    with db.session() as s:
        assert s.scalar(select(Respondent).where(Respondent.name == "Real Person")) is not None
        c = consultations.ensure_bundled(s, LOCAL_ADMIN)
        assert demo.remove_demo(s, LOCAL_ADMIN, c) == first.respondents
    with db.session() as s:
        assert s.scalar(select(func.count(Respondent.id))) == 1
        assert s.scalar(select(func.count(Response.id))) == 1
    with db.engine.connect() as conn:
        conn.exec_driver_sql("INSERT INTO responses_fts(responses_fts) VALUES ('integrity-check')")


def test_demo_is_audited(db: Database) -> None:
    """Seeding writes an audit entry with counts only."""
    report = seeded(db)
    with db.session() as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "demo.seed"))
    assert entry is not None and entry.actor == LOCAL_ADMIN.name
    assert entry.details["respondents"] == report.respondents


def test_viewers_cannot_seed_demo_data(db: Database, viewer: Actor) -> None:
    """Adding demo respondents needs the import permission."""
    with db.session() as s:
        c = consultations.ensure_bundled(s, LOCAL_ADMIN)
        with pytest.raises(PermissionDenied):
            demo.seed_demo(s, viewer, c)


def test_dashboard_start_seeds_an_empty_store_only(db: Database) -> None:
    """bootstrap.prepare adds the demo to an empty store, and not to one with respondents."""
    bootstrap.prepare(db, demo="now")  # the full demo, before returning
    with db.session() as s:
        n = s.scalar(select(func.count(Respondent.id)))
    assert n == demo.DEMO_RESPONDENTS
    with db.session() as s:
        c = consultations.ensure_bundled(s, LOCAL_ADMIN)
        demo.remove_demo(s, LOCAL_ADMIN, c)
        add_person(s, c, {1: "Imported answer."})
    bootstrap.prepare(db)
    with db.session() as s:
        assert s.scalar(select(func.count(Respondent.id))) == 1


@pytest.mark.parametrize("args", [["demo", "--json"], ["demo", "--reset", "--json"]])
def test_cli_demo_prints_counts(db: Database, args: list[str]) -> None:
    """`curation demo [--reset] --json` seeds the bundled consultation and prints counts."""
    runner = CliRunner()
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    out = json.loads(first.stdout)
    assert out["consultation"] == "levelling-up-2022" and out["respondents"] >= 300
    second = json.loads(runner.invoke(app, args).stdout)
    assert second["respondents"] == out["respondents"]
    assert second["created"] is ("--reset" in args)
