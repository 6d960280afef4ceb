"""The balance view: quote shares beside quotable-response shares, and the flags (hand-computed)."""

from __future__ import annotations

import pytest

from curation.access.actors import LOCAL_ADMIN
from curation.errors import PermissionDenied
from curation.quotes import balance, charts, workflow
from curation.store import Database
from curation.store.foundation import Consultation
from tests.quote_fixtures import LONG_ANSWER, add_response

SPAN = [(LONG_ANSWER.index("Local"), LONG_ANSWER.index("Whitehall.") + len("Whitehall."))]


@pytest.fixture
def report(
    db: Database, consultation: Consultation, curator, approver, now
) -> balance.BalanceReport:
    """9 quotable responses (3 Wales, 6 London) + 1 non-consented; 4 counted quotes."""
    with db.session() as session:
        a1 = add_response(
            session,
            consultation,
            question=1,
            name="Ann Wales",
            region="Wales",
            sector="Charity",
            missions=["transport"],
        )
        a2 = add_response(session, consultation, question=2, respondent=a1.respondent)
        a3 = add_response(session, consultation, question=3, respondent=a1.respondent)
        b = add_response(
            session,
            consultation,
            question=1,
            name="Ben",
            region="London",
            sector="Business",
            missions=["transport", "health"],
        )
        c = add_response(
            session, consultation, question=2, name="Cat", region="London", sector="Business"
        )
        d = add_response(
            session, consultation, question=1, name="Dan", region="London", sector=None
        )
        for q, who in ((5, "Fay"), (6, "Gus"), (7, "Hal")):
            add_response(
                session, consultation, question=q, name=who, region="London", sector="Business"
            )
        add_response(session, consultation, question=1, name="Eve", region="Wales", consent=False)
        ids = [r.id for r in (a1, a2, a3, b, c, d)]
        quotes = [workflow.create_quote(session, curator, rid, SPAN, now=now).id for rid in ids]
        for qid in quotes[:4]:
            workflow.approve(session, approver, qid, now=now)
        workflow.mark_scheduled(session, LOCAL_ADMIN, quotes[1], now=now)
        workflow.mark_published(session, LOCAL_ADMIN, quotes[2], now=now)
        workflow.reject(session, approver, quotes[5], "not this one", now=now)
        return balance.balance_report(session, approver, consultation.id)


def _row(report: balance.BalanceReport, dimension: str, group: str) -> dict[str, object]:
    table = report.tables[dimension]
    return table[table["group"] == group].iloc[0].to_dict()  # type: ignore[no-any-return]


def test_totals_count_only_approved_scheduled_published_and_quotable(report) -> None:
    """Drafts, rejections and non-consented responses are left out of the totals."""
    assert (report.total_quotes, report.total_responses) == (4, 9)


def test_region_shares(report) -> None:
    """Wales: 3 of 4 quotes (75%) from 3 of 9 responses; London: 1 of 4 from 6 of 9."""
    wales = _row(report, "region", "Wales")
    assert (wales["quotes"], wales["quotable_responses"]) == (3, 3)
    assert wales["quote_share"] == pytest.approx(0.75)
    assert wales["response_share"] == pytest.approx(3 / 9)
    assert wales["ratio"] == pytest.approx(2.25)
    london = _row(report, "region", "London")
    assert (london["quotes"], london["quote_share"], london["response_share"]) == (
        1,
        pytest.approx(0.25),
        pytest.approx(6 / 9),
    )


def test_question_mission_and_sector_tables(report) -> None:
    """All ten questions and twelve missions are listed; sectors include Unknown."""
    questions = report.tables["question"]
    assert len(questions) == 10 and list(questions["quotes"])[:4] == [2, 1, 1, 0]
    q1 = _row(report, "question", "Q1 Pandemic inequalities")
    assert (q1["quotable_responses"], q1["quote_share"]) == (3, pytest.approx(0.5))
    missions = report.tables["mission"]
    assert len(missions) == 12
    transport = _row(report, "mission", "Transport")
    assert (transport["quotes"], transport["quotable_responses"]) == (2, 2)
    assert _row(report, "mission", "Health")["quote_share"] == pytest.approx(0.25)
    sectors = report.tables["sector"]
    assert list(sectors["group"]) == ["Business", "Charity", "Unknown"]
    assert list(sectors["quotes"]) == [1, 3, 0]
    assert list(sectors["quotable_responses"]) == [5, 3, 1]


def test_flags(report) -> None:
    """Wales (over twice its share), Ann (quoted 3 times) and unquoted questions are flagged."""
    kinds = [(f.kind, f.subject) for f in report.flags]
    assert ("region_over", "Wales") in kinds
    assert ("region_over", "London") not in kinds
    assert ("respondent_over", "Ann Wales, Hull Food Bank (Wales)") in kinds
    unquoted = [s for k, s in kinds if k == "question_unquoted"]
    assert len(unquoted) == 7 and unquoted[0] == "Q4 Defining success"


def test_chart_has_both_shares(report) -> None:
    """The plotly figure shows quote share and response share for every group."""
    figure = charts.balance_figure(report.tables["region"], "By region")
    assert [t.name for t in figure.data] == ["Share of quotes", "Share of quotable responses"]
    assert list(figure.data[0].x) == list(report.tables["region"]["group"])


def test_balance_needs_permission(db, consultation, curator) -> None:
    """Curators may not see the balance view (VIEW_BALANCE is for approvers)."""
    with db.session() as session, pytest.raises(PermissionDenied):
        balance.balance_report(session, curator, consultation.id)


def test_campaign_members_count_once_and_theme_and_tone_tables(
    db: Database, consultation: Consultation, curator, approver, now
) -> None:
    """Two members of one campaign weigh 1/2 each; theme and tone tables use the readings."""
    from curation.store.analysis import AnswerTheme, ResponseReading

    with db.session() as session:
        a, b, c, _unread = (add_response(session, consultation, question=1, name=n) for n in "ABCD")
        q1 = a.question_id
        buses = AnswerTheme(consultation_id=consultation.id, question_id=q1, number=1,
                            label="Buses", terms=["bus"], passages=[])  # fmt: skip
        session.add(buses)
        session.flush()
        session.add_all([
            ResponseReading(response_id=a.id, answer_theme_id=buses.id, tone="positive"),
            ResponseReading(response_id=b.id, answer_theme_id=buses.id, tone="negative",
                            group_key=b.id, group_size=2),
            ResponseReading(response_id=c.id, tone="negative", group_key=b.id, group_size=2),
        ])  # fmt: skip
        session.flush()
        qid = workflow.create_quote(session, curator, a.id, SPAN, now=now).id
        workflow.approve(session, approver, qid, now=now)
        report = balance.balance_report(session, approver, consultation.id)
    assert (report.total_responses, report.effective_responses) == (4, 3.0)
    tone = report.tables["tone"].set_index("group")
    assert tone.loc["negative", "quotable_responses"] == pytest.approx(1.0)
    assert tone.loc["negative", "response_share"] == pytest.approx(1 / 3)
    assert tone.loc["positive", "quote_share"] == pytest.approx(1.0)
    assert tone.loc[balance.NOT_ANALYSED, "quotable_responses"] == pytest.approx(1.0)
    themes = report.tables["theme"].set_index("group")
    assert themes.loc["Q1 · Buses", "quotable_responses"] == pytest.approx(1.5)
    assert themes.loc["Q1 · No distinctive theme", "quotable_responses"] == pytest.approx(0.5)
    gaps = [f.subject for f in report.flags if f.kind == "share_gap"]
    assert "Tone: positive" in gaps and "Tone: negative" in gaps
