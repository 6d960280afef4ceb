"""The picker, Quotes and Balance pages, driven by widget key with AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from curation.access.actors import Actor, Role
from curation.quotes import workflow
from curation.quotes.suggest import suggest_quotes
from curation.store import Database
from curation.store.foundation import Consultation
from curation.store.quotes import Quote
from tests.quote_fixtures import LONG_ANSWER, add_response

ROOT = Path(__file__).resolve().parent.parent
RICH_TEXT = LONG_ANSWER + " Nobody asked the people who rely on the buses every day what they need."
PHONE_TEXT = "Ring our hub on 01482 123456 if you want to help the food bank this winter."


def _page(name: str, actor, **state: object) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / f"{name}.py"), default_timeout=30)
    at.session_state["actor"] = actor
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _response(db: Database, consultation: Consultation, text: str = LONG_ANSWER) -> int:
    with db.session() as session:
        return add_response(session, consultation, text=text).id


def test_pick_a_suggestion_and_save_it(db, consultation, curator) -> None:
    """One click on a suggestion fills start/end, previews it, and "Save quote" stores a draft."""
    rid = _response(db, consultation, RICH_TEXT)
    at = _page("pick", curator, pick_response_id=rid)
    expected = suggest_quotes(
        RICH_TEXT,
        question_text=consultation.questions[3].text,
        themes=consultation.themes,
        respondent_name="Priya Shah",
    )
    assert len(expected) == 3
    at.button(key="suggest_1").click().run()
    assert not at.exception
    assert (at.number_input(key="pick_start").value, at.number_input(key="pick_end").value) == (
        expected[1].start,
        expected[1].end,
    )
    assert any(f"{len(expected[1].text)} characters" in c.value for c in at.caption)
    at.button(key="pick_save").click().run()
    assert not at.exception and at.success
    with db.session() as session:
        quote = session.scalars(select(Quote)).one()
        assert (quote.text, quote.status, quote.created_by) == (
            expected[1].text,
            "draft",
            curator.name,
        )


def test_pick_by_sentences_joins_with_ellipsis(db, consultation, curator) -> None:
    """Choosing two non-adjacent sentences previews and saves them joined by " … "."""
    rid = _response(db, consultation)
    at = _page("pick", curator, pick_response_id=rid)
    at.radio(key="pick_mode").set_value("Sentences").run()
    at.multiselect(key="pick_sentences").set_value([1, 3]).run()
    assert not at.exception
    at.button(key="pick_save").click().run()
    with db.session() as session:
        text = session.scalars(select(Quote.text)).one()
    assert text == (
        "Local people should decide what success looks like, not officials in Whitehall. … "
        "Our bus routes were cut and young people in Hull cannot reach college or jobs any more."
    )


def test_typed_response_id_and_personal_data_warning(db, consultation, curator) -> None:
    """With no response chosen the id can be typed; a phone number in the selection is shown."""
    rid = _response(db, consultation, text=PHONE_TEXT)
    at = _page("pick", curator)
    assert at.info  # asks for a response
    at.number_input(key="pick_response_input").set_value(rid).run()
    at.number_input(key="pick_start").set_value(0).run()
    at.number_input(key="pick_end").set_value(len(PHONE_TEXT)).run()
    assert not at.exception
    assert any("UK phone number" in w.value for w in at.warning)


def test_non_quotable_response_is_refused_on_the_picker(db, consultation, curator) -> None:
    """A response whose respondent did not consent shows an error, not its text."""
    with db.session() as session:
        rid = add_response(session, consultation, consent=False).id
    at = _page("pick", curator, pick_response_id=rid)
    assert at.error and "may not be quoted" in at.error[0].value
    assert not any("Whitehall" in m.value for m in at.markdown)


def test_approve_on_the_quotes_page(db, consultation, curator, approver, now) -> None:
    """An approver sees the draft on the shortlist and approves it with one click."""
    rid = _response(db, consultation)
    with db.session() as session:
        qid = workflow.create_quote(session, curator, rid, [(23, 103)], now=now).id
    at = _page("quotes", approver, consultation_id=consultation.id)
    at.button(key=f"approve_{qid}").click().run()
    assert not at.exception and at.success
    with db.session() as session:
        quote = session.get(Quote, qid)
        assert quote is not None and (quote.status, quote.approved_by) == (
            "approved",
            approver.name,
        )


def test_override_reason_on_the_quotes_page(db, consultation, curator, approver, now) -> None:
    """Approval with a finding is refused until the override reason field is filled in."""
    rid = _response(db, consultation, text=PHONE_TEXT)
    with db.session() as session:
        qid = workflow.create_quote(session, curator, rid, [(0, len(PHONE_TEXT))], now=now).id
    at = _page("quotes", approver, consultation_id=consultation.id)
    at.button(key=f"approve_{qid}").click().run()
    assert at.error and "override reason" in at.error[0].value
    at.text_input(key=f"override_{qid}").input("the charity's public helpline")
    at.button(key=f"approve_{qid}").click().run()
    assert not at.exception
    with db.session() as session:
        quote = session.get(Quote, qid)
        assert quote is not None and quote.status == "approved"
        assert quote.pd_override_reason == "the charity's public helpline"


def test_reject_with_a_note_on_the_quotes_page(db, consultation, curator, approver, now) -> None:
    """Rejecting with a note records the note; the curator never sees approve buttons."""
    rid = _response(db, consultation)
    with db.session() as session:
        qid = workflow.create_quote(session, curator, rid, [(23, 103)], now=now).id
    curator_view = _page("quotes", curator, consultation_id=consultation.id)
    assert not [b for b in curator_view.button if b.key == f"approve_{qid}"]
    at = _page("quotes", approver, consultation_id=consultation.id)
    at.text_input(key=f"note_{qid}").input("duplicates another quote")
    at.button(key=f"reject_{qid}").click().run()
    assert not at.exception
    with db.session() as session:
        quote = session.get(Quote, qid)
        assert quote is not None and quote.status == "rejected"
        assert [n.text for n in quote.notes] == ["duplicates another quote"]


def test_balance_page_renders_chart_table_and_flags(
    db, consultation, curator, approver, now
) -> None:
    """The balance page shows the figures and flags every unquoted question."""
    rid = _response(db, consultation)
    with db.session() as session:
        qid = workflow.create_quote(session, curator, rid, [(23, 103)], now=now).id
        workflow.approve(session, approver, qid, now=now)
    at = _page("balance", approver, consultation_id=consultation.id)
    assert [m.value for m in at.metric] == ["1", "1"]
    assert len(at.warning) == 9  # questions other than Q4
    assert at.dataframe[0].value["quotes"].sum() == 1


@pytest.mark.parametrize("page", ["pick", "quotes", "balance"])
@pytest.mark.parametrize("role", list(Role))
def test_pages_render_or_refuse_for_every_role(db, consultation, page, role) -> None:
    """Each page renders for roles that may use it and refuses the others, without errors."""
    from ui.pages import PAGES

    spec = next(p for p in PAGES if p.path == f"app_pages/{page}.py")
    actor = Actor(f"someone-{role.value}", role)
    at = _page(page, actor, consultation_id=consultation.id)
    refused = any("cannot use this page" in e.value for e in at.error)
    assert refused is not actor.can(spec.permission)


def test_chosen_response_id_is_shown_in_the_id_box(db, consultation, curator) -> None:
    """Arriving with a response chosen elsewhere, the "Response id" box shows its id."""
    rid = _response(db, consultation)
    at = _page("pick", curator, pick_response_id=rid)
    assert at.number_input(key="pick_response_input").value == rid


def test_highlight_adds_no_extra_spaces_around_suggestions() -> None:
    """Highlighted sentences drop one neighbouring space (the highlight's padding replaces it)."""
    from ui.safe_text import highlight_markdown

    text = "Good work. Funding helps. Our college. I hope."
    assert highlight_markdown(text, [(11, 25), (26, 38)]) == (
        "Good work\\.:orange-background[Funding helps\\.]"
        ":orange-background[Our college\\.]I hope\\."
    )
    assert highlight_markdown(text, []) == "Good work\\. Funding helps\\. Our college\\. I hope\\."


def test_empty_quotes_list_says_what_to_do(db, consultation, curator) -> None:
    """With no draft quotes the page says where to pick one; the Any filters are real options."""
    at = _page("quotes", curator)
    assert at.selectbox(key="quotes_status").value == "draft"
    assert at.selectbox(key="quotes_question").value == "Any"
    assert any("No draft quotes" in i.value and "Responses page" in i.value for i in at.info)
