"""People, not ids: names, quote words and one human time format on Users, Audit, Accounts,
Privacy and Media."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from curation import audit, audit_sentences
from curation.access import accounts
from curation.access.actors import Actor, Role
from curation.quotes.workflow import create_quote
from curation.respondent_search import find_respondents
from curation.store.foundation import Respondent, Response
from curation.store.posts import AccountHealth
from ui.formatting import human_date, human_time

ROOT = Path(__file__).resolve().parent.parent
ADMIN = Actor("ada", Role.ADMIN)
ISO_TIME = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}"


def _page(name: str, actor: Actor = ADMIN, **state: object) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / name), default_timeout=30)
    at.session_state["actor"] = actor
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def _person(db, consultation, source: str, name: str | None, **kw) -> int:
    with db.session() as s:
        r = Respondent(consultation_id=consultation.id, source_key=source, name=name,
                       consent_to_quote=kw.pop("consent", True), source_ids={"row": source},
                       **kw)  # fmt: skip
        digest = hashlib.sha256(source.encode()).hexdigest()
        text = "Buses are the first thing to fix in our town, and soon."
        question = consultation.questions[0].id
        r.responses = [Response(question_id=question, content_hash=digest, text=text)]
        s.add(r)
        s.flush()
        return r.id


def _cells(frame) -> list[str]:
    return [str(v) for v in frame.to_numpy().ravel()]


def test_one_time_format_in_london_time():
    """Times read "Tue 10 Mar 2026, 12:30" in London time (GMT and BST), dates alike."""
    assert human_time(datetime(2026, 3, 10, 12, 30, tzinfo=UTC)) == "Tue 10 Mar 2026, 12:30"
    assert human_time(datetime(2026, 7, 10, 12, 30, tzinfo=UTC)) == "Fri 10 Jul 2026, 13:30"
    assert human_time("2026-11-29T19:55:11.123456+00:00") == "Sun 29 Nov 2026, 19:55"
    assert human_time(datetime(2026, 3, 10, 12, 30)) == "Tue 10 Mar 2026, 12:30"  # naive: UTC
    assert human_time(None, empty="never") == "never"
    assert human_date(datetime(2026, 3, 31, 23, 30, tzinfo=UTC)) == "Wed 1 Apr 2026"


def test_users_table_shows_a_new_user_at_once_without_none(db, consultation):
    """A user added on the page is in the table on the same run; no cell reads None."""
    at = _page("users.py")
    at.text_input(key="user_add_name").input("newbie")
    at.selectbox(key="user_add_role").select("curator")
    at.button(key="user_add_submit").click()
    at.run()
    assert not at.exception
    frame = at.dataframe[0].value
    assert "newbie" in set(frame["Name"])
    row = frame[frame["Name"] == "newbie"].iloc[0]
    assert row["Role"] == "Curator" and row["Last sign-in"] == "never"
    assert row["Password"].startswith("One-time")
    assert not any(c in ("None", "nan", "NaT") for c in _cells(frame))


def test_users_table_shows_a_deactivation_at_once(db, consultation, admin):
    """Deactivating a user changes their row in the same run."""
    with db.session() as s:
        accounts.create_user(s, admin, "bob", "viewer", password="bob's good password")
    at = _page("users.py", user_pick="bob")
    at.button(key="user_deactivate").click()
    at.run()
    frame = at.dataframe[0].value
    assert frame[frame["Name"] == "bob"].iloc[0]["Can sign in"] == "No (deactivated)"


def test_users_page_describes_each_role(db, consultation):
    """Every role has a plain description, in the roles table and in the role picker."""
    at = _page("users.py")
    roles = at.dataframe[1].value
    assert list(roles["Role"]) == ["Viewer", "Curator", "Approver", "Admin"]
    assert all(len(text) > 30 for text in roles["Can"])
    options = at.selectbox(key="user_add_role").options
    assert any(o.startswith("Approver: ") and "approving" in o for o in options)


def test_audit_log_reads_as_sentences_with_names_and_quote_words(db, consultation, admin, now):
    """Entries name people and quote words; details are labelled fields, never dicts."""
    with db.session() as s:
        accounts.create_user(s, admin, "bob", "viewer", password="bob's good password")
    rid = _person(db, consultation, "a1", "Ann Example")
    with db.session() as s:
        response_id = s.get(Respondent, rid).responses[0].id
        create_quote(s, Actor("cara", Role.CURATOR), response_id, [(0, 44)])
        accounts.set_active(s, admin, "bob", False)
        audit.record(s, admin, "respondent.withdraw", "respondent", rid, {"reason": "asked"})
    at = _page("audit.py")
    assert not at.exception
    said = list(at.dataframe[0].value["What happened"])
    assert "local-admin deactivated bob" in said
    assert "local-admin withdrew Ann Example" in said
    assert "cara picked the quote “Buses are the first thing to fix in…”" in said
    assert not any("{" in line or "}" in line for line in said)
    when = list(at.dataframe[0].value["When"])
    assert all(" 20" in w and ", " in w for w in when)  # "Tue 10 Mar 2026, 12:30"
    details = at.dataframe[1].value
    assert list(details.columns) == ["Field", "Value"]
    assert not any("{" in c for c in _cells(details))


def test_audit_sentences_hide_the_words_of_someone_who_withdrew(db, consultation, admin, now):
    """Once a respondent may not be quoted, their quote is "a quote" in the log."""
    rid = _person(db, consultation, "a2", "Bo Gone")
    with db.session() as s:
        response_id = s.get(Respondent, rid).responses[0].id
        create_quote(s, Actor("cara", Role.CURATOR), response_id, [(0, 30)])
        s.get(Respondent, rid).withdrawn_at = now
    with db.session() as s:
        said = [e.sentence for e in audit_sentences.readable_entries(s, admin)]
    assert "cara picked a quote" in said and not any("Buses" in line for line in said)


def test_audit_action_filter_shows_plain_names(db, consultation, admin):
    """The What filter lists "User added", not "user.add"."""
    with db.session() as s:
        accounts.create_user(s, admin, "bob", "viewer", password="bob's good password")
    at = _page("audit.py")
    options = at.selectbox(key="audit_action").options
    assert "User added" in options and "user.add" not in options


def test_accounts_page_shows_human_times_and_plain_headers(db, consultation):
    """Last tested reads in the one format; headers are words, not field names."""
    with db.session() as s:
        checked = datetime(2026, 3, 10, 12, 30, 5, 123456, tzinfo=UTC)
        s.add(AccountHealth(network="bluesky", ok=True, account="@desk.example",
                            last_checked=checked))  # fmt: skip
    at = _page("accounts.py")
    assert not at.exception
    frame = at.dataframe[0].value
    assert "needs_reconnect" not in frame.columns and "last_checked" not in frame.columns
    row = frame[frame["Network"] == "Bluesky"].iloc[0]
    assert row["Last tested"] == "Tue 10 Mar 2026, 12:30" and row["State"] == "Working"
    assert set(frame[frame["Network"] == "X"]["Last tested"]) == {"never"}
    assert not any(c in ("None", "nan") for c in _cells(frame))


def test_privacy_page_picks_a_respondent_by_name(db, consultation):
    """Searching a name offers that person; withdrawing them names them; no id boxes."""
    _person(db, consultation, "p1", "Zed Other")
    rid = _person(db, consultation, "p2", "Ann Example", email="ann@example.org")
    at = _page("privacy.py", consultation_id=consultation.id)
    assert len(at.number_input) == 0
    at.text_input(key="privacy_search").input("ann@example")
    at.run()
    picker = at.selectbox(key="privacy_respondent")
    assert len(picker.options) == 1 and picker.options[0].startswith("Ann Example · ")
    picker.select(rid)
    at.run()
    at.button(key="privacy_withdraw").click()
    at.run()
    assert not at.exception
    assert any("Ann Example is withdrawn" in m.value for m in at.success)
    with db.session() as s:
        assert s.get(Respondent, rid).withdrawn_at is not None


def test_media_page_picks_people_and_questions_by_name(db, consultation, curator):
    """Media offers respondents by name and questions by label; anonymous ones stay unnamed."""
    _person(db, consultation, "m1", "Ann Example")
    _person(db, consultation, "m2", "Secret Person", anonymous=True)
    at = _page("media.py", curator, consultation_id=consultation.id)
    assert not at.exception
    assert len(at.number_input) == 0
    people = at.selectbox(key="media_respondent").options
    assert any(p.startswith("Ann Example · ") for p in people)
    assert any(p.startswith("Anonymous respondent · submission m2") for p in people)
    assert not any("Secret Person" in p for p in people)
    questions = at.selectbox(key="media_question").options
    assert questions[0].startswith("Q1 · ") and len(questions) == len(consultation.questions)


def test_only_admins_find_anonymous_people_by_name(db, consultation, curator, admin):
    """A curator's name search skips anonymous respondents; an admin's finds them, with email."""
    _person(db, consultation, "s1", "Secret Person", anonymous=True, email="s@example.org")
    with db.session() as s:
        assert find_respondents(s, curator, consultation.id, "secret") == []
        found = find_respondents(s, admin, consultation.id, "secret")
    assert [c.label.split(" · ")[:3] for c in found] == [
        ["Secret Person", "anonymous", "s@example.org"]
    ]


@pytest.mark.parametrize("text", ["100%", "a_b", "\\"])
def test_search_words_are_not_patterns(db, consultation, admin, text):
    """% and _ in a search are literal characters, not wildcards."""
    _person(db, consultation, "w1", "Plain Name")
    with db.session() as s:
        assert find_respondents(s, admin, consultation.id, text) == []
