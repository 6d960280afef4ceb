"""Campaign members marked on the Responses page; the representativeness line on Engagement."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from curation.quotes import workflow
from curation.store.foundation import Response
from tests.analysis_fixtures import store_answers
from tests.test_themes import analyse

ROOT = Path(__file__).resolve().parent.parent


def _page(name: str, actor, **state: object) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / f"{name}.py"), default_timeout=60)
    at.session_state["actor"] = actor
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def test_responses_page_marks_campaign_members(db, consultation, curator) -> None:
    """Each of the 8 campaign answers says it is one of 8 near-identical answers."""
    with db.session() as session:
        store_answers(session, consultation)
    analyse(db, consultation.id)
    at = _page("responses", curator, consultation_id=consultation.id, resp_search="Fair Deal")
    marks = [c.value for c in at.caption if c.value.startswith("Campaign:")]
    assert len(marks) == 8 and all("one of 8 near-identical" in m for m in marks)


def test_responses_page_marks_nothing_before_an_analysis(db, consultation, curator) -> None:
    """Without an analysis no answer is marked as part of a campaign."""
    with db.session() as session:
        store_answers(session, consultation)
    at = _page("responses", curator, consultation_id=consultation.id)
    assert not [c for c in at.caption if c.value.startswith("Campaign:")]


def test_engagement_page_shows_representativeness(db, consultation, curator, approver, now) -> None:
    """Managers see one line: "no quotes yet", then a percentage once a quote is approved."""
    with db.session() as session:
        stored = store_answers(session, consultation)
    analyse(db, consultation.id)
    at = _page("engagement", approver, consultation_id=consultation.id)
    line = [m.value for m in at.markdown if m.value.startswith("**Representativeness")]
    assert line == ["**Representativeness:** no quotes yet."]
    rid = next(iter(stored.topic_of))
    with db.session() as session:
        text = session.get(Response, rid).text  # type: ignore[union-attr]
        qid = workflow.create_quote(session, curator, rid, [(0, text.index(".") + 1)], now=now).id
        workflow.approve(session, approver, qid, now=now)
    at = _page("engagement", approver, consultation_id=consultation.id)
    line = [m.value for m in at.markdown if m.value.startswith("**Representativeness")]
    assert len(line) == 1 and "%" in line[0]


def test_balance_page_shows_a_running_analysis(db, consultation, approver) -> None:
    """While a run works, the page shows its stage and progress and offers no second run."""
    from curation.store.analysis import AnalysisRun

    with db.session() as session:
        session.add(AnalysisRun(consultation_id=consultation.id, status="running",
                                stage="Themes for Q3", progress=0.4, actor="someone"))  # fmt: skip
    at = _page("balance", approver, consultation_id=consultation.id)
    bars = at.get("progress")
    assert len(bars) == 1 and "Themes for Q3 (40%)" in str(bars[0].proto)
    assert at.button(key="balance_analyse").disabled
