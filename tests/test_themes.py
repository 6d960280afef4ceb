"""Themes per question: found locally, exact passages, shares, and staff edits that survive."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from curation.access.actors import LOCAL_ADMIN
from curation.analysis import job, service
from curation.errors import UnusableInput
from curation.store import Database
from curation.store.analysis import AnalysisRun, ResponseReading
from curation.store.foundation import Response
from tests.analysis_fixtures import store_answers


def analyse(db: Database, consultation_id: int) -> list[tuple[str, float]]:
    """Run the analysis as the CLI does; the progress reported."""
    seen: list[tuple[str, float]] = []
    with db.session() as session:
        run_id = job.start_run(session, LOCAL_ADMIN, consultation_id)
    job.run_analysis(db, LOCAL_ADMIN, run_id, on_progress=lambda s, f: seen.append((s, f)))
    return seen


@pytest.fixture
def stored(db, consultation):
    with db.session() as session:
        return store_answers(session, consultation)


def _themes(db, consultation) -> list[service.ThemeView]:
    with db.session() as session:
        return service.list_themes(session, LOCAL_ADMIN, consultation.id, 4)


def test_each_topic_lands_in_its_own_theme(db, consultation, stored) -> None:
    """Answers on buses, housing and schools are separated: each theme is mostly one topic."""
    analyse(db, consultation.id)
    with db.session() as session:
        rows = session.execute(select(ResponseReading.response_id, ResponseReading.answer_theme_id))
        readings = {rid: theme for rid, theme in rows}
    by_theme: dict[int | None, Counter[str]] = {}
    for rid, topic in stored.topic_of.items():
        by_theme.setdefault(readings[rid], Counter())[topic] += 1
    assert None not in by_theme
    purity = sum(c.most_common(1)[0][1] for c in by_theme.values()) / len(stored.topic_of)
    assert purity >= 0.9
    assert {c.most_common(1)[0][0] for c in by_theme.values()} >= {"buses", "housing", "schools"}


def test_passages_are_exact_spans_of_quotable_answers(db, consultation, stored) -> None:
    """Every passage equals answer_text[start:end] and comes from a quotable respondent."""
    analyse(db, consultation.id)
    themes = _themes(db, consultation)
    passages = [p for t in themes for p in t.passages]
    assert passages
    with db.session() as session:
        for p in passages:
            text = session.get(Response, p.response_id).text  # type: ignore[union-attr]
            assert p.text == text[p.start : p.end]
            assert p.response_id not in stored.not_quotable


def test_shares_count_a_campaign_once(db, consultation, stored) -> None:
    """Shares of answers and of quotable answers use campaign groups counted once."""
    analyse(db, consultation.id)
    themes = _themes(db, consultation)
    with db.session() as session:
        run = service.latest_run(session, LOCAL_ADMIN, consultation.id)
    assert run is not None and run.status == "done"
    totals = next(iter(run.figures["questions"].values()))
    assert totals["answers"] == 3 * 14 + 1  # the campaign's 8 answers count once
    assert totals["quotable"] == 3 * 14 - 6 + 1  # two of each topic's 14 did not consent
    assert sum(t.answer_share for t in themes) == pytest.approx(1.0, abs=0.05)
    assert all(0 < t.quotable_share <= 1 for t in themes)


def test_progress_is_reported_to_the_end(db, consultation, stored) -> None:
    """The job reports stages with rising progress, ending at 1.0, and stores it on the run."""
    seen = analyse(db, consultation.id)
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    with db.session() as session:
        run = session.scalars(select(AnalysisRun)).one()
        assert (run.status, run.progress) == ("done", 1.0)


def test_recompute_is_deterministic(db, consultation, stored) -> None:
    """Two runs over the same answers give the same themes and terms."""
    analyse(db, consultation.id)
    first = [(t.label, t.terms, t.answers) for t in _themes(db, consultation)]
    analyse(db, consultation.id)
    assert [(t.label, t.terms, t.answers) for t in _themes(db, consultation)] == first


def test_rename_survives_a_recompute(db, consultation, stored, curator) -> None:
    """A label a person gave is carried to the matching theme after recomputing."""
    analyse(db, consultation.id)
    target = next(t for t in _themes(db, consultation) if "bus" in t.terms)
    with db.session() as session:
        service.rename_theme(session, curator, target.id, "Buses  and fares")
    analyse(db, consultation.id)
    labels = {t.label: t for t in _themes(db, consultation)}
    assert "Buses and fares" in labels and labels["Buses and fares"].edited
    assert "bus" in labels["Buses and fares"].terms


def test_merge_survives_a_recompute(db, consultation, stored, curator) -> None:
    """Two merged themes stay merged after recomputing; the target keeps its label."""
    analyse(db, consultation.id)
    before = _themes(db, consultation)
    source = next(t for t in before if "schools" in t.terms or "pupils" in t.terms)
    target = next(t for t in before if "housing" in t.terms or "rents" in t.terms)
    with db.session() as session:
        service.rename_theme(session, curator, target.id, "Homes and schools")
        service.merge_themes(session, curator, source.id, target.id)
    merged = _themes(db, consultation)
    assert len(merged) == len(before) - 1
    assert sum(t.answers for t in merged) == sum(t.answers for t in before)
    analyse(db, consultation.id)
    after = _themes(db, consultation)
    assert len(after) == len(before) - 1
    assert "Homes and schools" in [t.label for t in after]


def test_split_survives_a_recompute(db, consultation, stored, curator) -> None:
    """A theme split in two stays split after recomputing."""
    analyse(db, consultation.id)
    before = _themes(db, consultation)
    with db.session() as session:
        service.split_theme(session, curator, before[0].id)
    assert len(_themes(db, consultation)) == len(before) + 1
    analyse(db, consultation.id)
    assert len(_themes(db, consultation)) == len(before) + 1


def test_edits_refuse_bad_input(db, consultation, stored, curator) -> None:
    """An empty label, or merging a theme into itself, is refused."""
    analyse(db, consultation.id)
    theme = _themes(db, consultation)[0]
    with db.session() as session, pytest.raises(UnusableInput):
        service.rename_theme(session, curator, theme.id, "   ")
    with db.session() as session, pytest.raises(UnusableInput):
        service.merge_themes(session, curator, theme.id, theme.id)


def test_background_job_runs_to_the_end(db, consultation, stored) -> None:
    """The page's background job records its run, works in a thread and ends "done" at 100%."""
    import threading

    run_id = job.start_in_background(db, LOCAL_ADMIN, consultation.id)
    for thread in threading.enumerate():
        if thread.name == f"analysis-{run_id}":
            thread.join(timeout=120)
    with db.session() as session:
        run = service.latest_run(session, LOCAL_ADMIN, consultation.id)
    assert run is not None and (run.id, run.status, run.progress) == (run_id, "done", 1.0)
    assert _themes(db, consultation)
