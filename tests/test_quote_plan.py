"""The quote plan: gaps over 10 points flagged, proposals that close them, exact words only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from curation.access.actors import LOCAL_ADMIN
from curation.analysis import plan, service
from curation.cli import app
from curation.quotes import balance, workflow
from curation.quotes.personal_data import find_personal_data
from curation.store.analysis import ResponseReading
from curation.store.foundation import Respondent, Response
from curation.store.quotes import Quote
from tests.analysis_fixtures import store_answers
from tests.test_themes import analyse

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def stored(db, consultation, curator, approver, now):
    """The analysis fixtures, analysed, with two approved quotes from bus answers only."""
    with db.session() as session:
        out = store_answers(session, consultation)
    analyse(db, consultation.id)
    buses = [rid for rid, t in out.topic_of.items()
             if t == "buses" and rid not in out.not_quotable][:2]  # fmt: skip
    with db.session() as session:
        for rid in buses:
            text = session.get(Response, rid).text  # type: ignore[union-attr]
            end = text.index(".") + 1
            qid = workflow.create_quote(session, curator, rid, [(0, end)], now=now).id
            workflow.approve(session, approver, qid, now=now)
    out.quoted = buses  # type: ignore[attr-defined]
    return out


def _plan(db, consultation, approver) -> plan.QuotePlan:
    with db.session() as session:
        return plan.quote_plan(session, approver, consultation.id)


def test_balance_counts_a_campaign_once(db, consultation, stored, approver) -> None:
    """The 8 campaign answers weigh as one: effective responses = quotable - 8 + 1."""
    with db.session() as session:
        report = balance.balance_report(session, approver, consultation.id)
    assert report.total_responses == 3 * 14 - 6 + 8
    assert report.effective_responses == pytest.approx(3 * 14 - 6 + 1)
    tone = report.tables["tone"]
    assert tone["quotable_responses"].sum() == pytest.approx(report.effective_responses)
    themes = report.tables["theme"]
    assert len(themes) == 3 and themes["quotes"].sum() == 2


def test_gaps_over_ten_points_are_flagged(db, consultation, stored, approver) -> None:
    """All quotes on one theme: that theme is over by >10 points, the others under."""
    the_plan = _plan(db, consultation, approver)
    themes = [g for g in the_plan.gaps if g.dimension == "theme"]
    over = [g for g in themes if g.points > 10]
    under = [g for g in themes if g.points < -10]
    assert len(over) == 1 and len(under) == 2
    assert all(g.flagged for g in over + under)
    with db.session() as session:
        flags = balance.balance_report(session, approver, consultation.id).flags
    assert sum(f.kind == "share_gap" and f.subject.startswith("Theme") for f in flags) == 3
    assert the_plan.representativeness is not None and 0 < the_plan.representativeness < 1


def test_proposals_close_the_gap(db, consultation, stored, approver) -> None:
    """The first proposals come from the under-quoted themes, not the over-quoted one."""
    the_plan = _plan(db, consultation, approver)
    over = next(g.group for g in the_plan.gaps if g.dimension == "theme" and g.points > 10)
    assert len(the_plan.proposals) >= 2
    assert all(not over.endswith(p.theme) for p in the_plan.proposals[:2])
    assert all(any(c.startswith("theme: ") for c in p.closes) for p in the_plan.proposals[:2])


def test_every_suggested_passage_is_the_respondents_exact_words(
    db, consultation, stored, approver
) -> None:
    """Proposals and theme passages equal answer_text[start:end]: no character is changed."""
    the_plan = _plan(db, consultation, approver)
    with db.session() as session:
        themes = service.list_themes(session, approver, consultation.id)
        items = [(p.response_id, p.start, p.end, p.text) for p in the_plan.proposals]
        items += [(p.response_id, p.start, p.end, p.text) for t in themes for p in t.passages]
        assert items
        for rid, start, end, text in items:
            answer = session.get(Response, rid).text  # type: ignore[union-attr]
            assert text == answer[start:end]
            assert all(answer[start + i] == ch for i, ch in enumerate(text))


def test_proposals_respect_consent_groups_and_personal_data(
    db, consultation, stored, approver
) -> None:
    """Never a non-quotable or already-quoted answer, two from one campaign, or personal data."""
    the_plan = _plan(db, consultation, approver)
    with db.session() as session:
        groups = dict(session.execute(
            select(ResponseReading.response_id, ResponseReading.group_key)).all())  # fmt: skip
        for p in the_plan.proposals:
            assert p.response_id not in stored.not_quotable + stored.quoted
            person = session.get(Response, p.response_id).respondent  # type: ignore[union-attr]
            assert find_personal_data(p.text, respondent_name=person.name) == []
    keys = [groups[p.response_id] for p in the_plan.proposals if groups[p.response_id]]
    assert len(keys) == len(set(keys))
    assert len({p.attribution for p in the_plan.proposals}) == len(the_plan.proposals)


def test_withdrawn_respondents_leave_the_plan_at_once(db, consultation, stored, approver) -> None:
    """A respondent who stops being quotable after the analysis is never proposed."""
    first = _plan(db, consultation, approver).proposals[0]
    with db.session() as session:
        response = session.get(Response, first.response_id)
        assert response is not None
        session.get(Respondent, response.respondent_id).consent_to_quote = False  # type: ignore[union-attr]
    again = _plan(db, consultation, approver)
    assert first.response_id not in [p.response_id for p in again.proposals]
    with db.session() as session:
        passages = [p for t in service.list_themes(session, approver, consultation.id)
                    for p in t.passages]  # fmt: skip
    assert first.response_id not in [p.response_id for p in passages]


def test_cli_balance_json(db, consultation, stored) -> None:
    """`curation balance --json` prints the gaps, the proposals and representativeness."""
    result = CliRunner().invoke(app, ["balance", "--json"])
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["quotes"] == 2 and out["gap_limit_points"] == 10
    assert any(g["flagged"] and g["dimension"] == "theme" for g in out["gaps"])
    assert out["proposals"] and {"response_id", "start", "end", "text"} <= set(out["proposals"][0])


def test_cli_themes_and_duplicates(db, consultation, stored) -> None:
    """`themes list --json`, `themes rename` and `duplicates --json` work on the stored run."""
    listed = json.loads(CliRunner().invoke(app, ["themes", "list", "--json"]).stdout)
    assert len(listed) == 3
    renamed = CliRunner().invoke(app, ["themes", "rename", str(listed[0]["id"]), "Buses first"])
    assert renamed.exit_code == 0
    dup = json.loads(CliRunner().invoke(app, ["duplicates", "--json"]).stdout)
    assert dup["threshold"] == 0.6 and [g["size"] for g in dup["groups"]] == [8]
    bad = CliRunner().invoke(app, ["themes", "compute", "--threshold", "1.5"])
    assert bad.exit_code == 2


def test_balance_page_turns_a_proposal_into_a_quote(db, consultation, stored, approver) -> None:
    """One click on "Make this a quote" saves a draft quote with exactly the passage's words."""
    at = AppTest.from_file(str(ROOT / "app_pages" / "balance.py"), default_timeout=60)
    at.session_state["actor"] = approver
    at.session_state["consultation_id"] = consultation.id
    at.run()
    assert not at.exception, at.exception
    assert any("Representativeness" in m.value for m in at.markdown)
    proposal = _plan(db, consultation, approver).proposals[0]
    at.button(key=f"plan_quote_{proposal.response_id}_{proposal.start}").click().run()
    assert not at.exception, at.exception
    with db.session() as session:
        quote = session.scalars(
            select(Quote).where(Quote.response_id == proposal.response_id)
        ).one()
        assert (quote.text, quote.status) == (proposal.text, "draft")
    assert any("Saved as draft quote" in i.value for i in at.info)


def test_balance_page_renames_a_theme(db, consultation, stored, approver) -> None:
    """The theme editor renames the chosen theme, and the page shows the new label."""
    at = AppTest.from_file(str(ROOT / "app_pages" / "balance.py"), default_timeout=60)
    at.session_state["actor"] = approver
    at.session_state["consultation_id"] = consultation.id
    at.run()
    at.text_input(key="theme_edit_label").input("Getting about").run()
    at.button(key="theme_rename").click().run()
    assert not at.exception, at.exception
    assert any("Getting about" in m.value for m in at.markdown)
    with db.session() as session:
        assert "Getting about" in [t.label for t in service.list_themes(
            session, LOCAL_ADMIN, consultation.id)]  # fmt: skip
