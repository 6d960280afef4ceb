"""AppTest of the Admin pages: Users, Privacy, Audit."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from curation import app_settings
from curation.access import accounts
from curation.access.actors import Actor, Role
from curation.store.foundation import Respondent, Response, User

ROOT = Path(__file__).resolve().parent.parent
ADMIN = Actor("ada", Role.ADMIN)


def page(name: str, actor: Actor = ADMIN) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / name), default_timeout=30)
    at.session_state["actor"] = actor
    return at.run()


@pytest.mark.parametrize("name", ["users.py", "privacy.py", "audit.py"])
def test_admin_pages_open_for_admins_and_refuse_approvers(db, consultation, name):
    """Admins open each page without error; an approver is refused."""
    at = page(name)
    assert not at.exception
    assert not at.error
    refused = page(name, Actor("abe", Role.APPROVER))
    assert any("cannot use this page" in e.value for e in refused.error)


def test_users_page_adds_a_user_with_a_one_time_password(db, consultation):
    """Adding a user shows a one-time password once; the user must change it."""
    at = page("users.py")
    at.text_input(key="user_add_name").input("newbie")
    at.selectbox(key="user_add_role").select("curator")
    at.button(key="user_add_submit").click()
    at.run()
    assert not at.exception
    assert len(at.code) == 1 and len(at.code[0].value) >= 12
    with db.session() as s:
        user = s.scalar(select(User).where(User.name == "newbie"))
        assert user.role == "curator" and user.must_change_password


def test_users_page_deactivates_and_resets(db, consultation, admin):
    """Deactivate stops a user; reset gives a new one-time password."""
    with db.session() as s:
        accounts.create_user(s, admin, "bob", "viewer", password="bob's good password")
    at = page("users.py")
    at.selectbox(key="user_pick").select("bob")
    at.run()
    at.button(key="user_deactivate").click()
    at.run()
    assert not at.exception and at.success
    at.button(key="user_reset").click()
    at.run()
    assert len(at.code) == 1
    with db.session() as s:
        user = s.scalar(select(User).where(User.name == "bob"))
        assert not user.active and user.must_change_password


def test_privacy_page_erases_a_withdrawn_respondent(db, consultation, now):
    """Erase on the Privacy page removes the name and text of a withdrawn respondent."""
    with db.session() as s:
        r = Respondent(
            consultation_id=consultation.id,
            source_key="p1",
            name="Ann Example",
            consent_to_quote=True,
            withdrawn_at=now,
        )
        r.responses = [
            Response(
                question_id=consultation.questions[0].id,
                text="secret words",
                content_hash=hashlib.sha256(b"x").hexdigest(),
            )
        ]
        s.add(r)
        s.flush()
        rid = r.id
    at = page("privacy.py")
    at.selectbox(key="privacy_respondent").set_value(rid)
    at.run()
    at.button(key="privacy_erase").click()
    at.run()
    assert not at.exception
    assert any("Erased Ann Example" in m.value for m in at.success)
    with db.session() as s:
        r = s.get(Respondent, rid)
        assert r.name is None and r.responses[0].text == ""


def test_privacy_page_refuses_to_erase_before_withdrawal(db, consultation):
    """Erasing someone who has not withdrawn shows the reason."""
    with db.session() as s:
        r = Respondent(
            consultation_id=consultation.id, source_key="p2", name="Bo", consent_to_quote=True
        )
        s.add(r)
        s.flush()
        rid = r.id
    at = page("privacy.py")
    at.selectbox(key="privacy_respondent").set_value(rid)
    at.run()
    at.button(key="privacy_erase").click()
    at.run()
    assert any("withdraw first" in e.value for e in at.error)


def test_privacy_page_retention_dry_run_and_switches(db, consultation):
    """The dry run reports a count; the switches save the settings."""
    at = page("privacy.py")
    at.button(key="retention_dry_run").click()
    at.run()
    assert any("would be purged" in i.value for i in at.info)
    at.toggle(key="setting_allow_anonymous_quotes").set_value(True)
    at.run()
    assert not at.exception
    with db.session() as s:
        assert app_settings.get(s, "allow_anonymous_quotes") is True


def test_audit_page_lists_filters_and_offers_csv(db, consultation, admin):
    """The audit page shows entries, filters by action, and offers a CSV download."""
    with db.session() as s:
        accounts.create_user(s, admin, "bob", "viewer", password="bob's good password")
    at = page("audit.py")
    assert not at.exception
    assert len(at.dataframe) == 2  # the log, and the details of its first entry
    frame = at.dataframe[0].value
    assert "local-admin added the user bob as viewer" in set(frame["What happened"])
    at.selectbox(key="audit_action").select("user.add")
    at.run()
    assert list(at.dataframe[0].value["What happened"]) == [
        "local-admin added the user bob as viewer"
    ]


def test_privacy_page_withdraws_then_erases(db, consultation):
    """Withdraw then Erase on the Privacy page: the respondent ends withdrawn and erased."""
    with db.session() as s:
        r = Respondent(
            consultation_id=consultation.id, source_key="p3", name="Cy", consent_to_quote=True
        )
        s.add(r)
        s.flush()
        rid = r.id
    at = page("privacy.py")
    at.selectbox(key="privacy_respondent").set_value(rid)
    at.run()
    at.button(key="privacy_withdraw").click()
    at.run()
    assert not at.exception
    assert any("withdrawn" in m.value for m in at.success)
    at.button(key="privacy_erase").click()
    at.run()
    with db.session() as s:
        r = s.get(Respondent, rid)
        assert r.withdrawn_at is not None and r.erased_at is not None and r.name is None
