"""The dashboard's sign-in gate (AppTest of dashboard.py): nothing is reachable before sign-in."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.proto.TextInput_pb2 import TextInput as TextInputProto
from streamlit.testing.v1 import AppTest

from curation.access import accounts, auth
from curation.access.actors import Actor, Role
from curation.store import Database
from curation.store.base import utcnow
from ui.auth import LAST_SEEN_KEY

PASSWORD = "correct horse battery"
ROOT = Path(__file__).resolve().parent.parent


def _user(db: Database, admin: Actor, name: str, role: Role, **kw) -> None:
    with db.session() as s:
        accounts.create_user(s, admin, name, role, password=kw.get("password", PASSWORD))
        if kw.get("must_change"):
            auth.set_password(s, admin, name, PASSWORD, must_change=True)


def _sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="signin_name").input(name)
    at.text_input(key="signin_password").input(password)
    at.button(key="signin_submit").click()
    return at.run()


@pytest.fixture
def app(db: Database, consultation) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=30)
    at.run()
    return at


def test_sign_in_form_is_shown_first_and_nothing_else(app, db, admin):
    """Before sign-in only the form renders: no navigation, no consultation choice, no data."""
    assert not app.exception
    assert app.text_input(key="signin_name") is not None
    assert app.text_input(key="signin_password").proto.type == TextInputProto.PASSWORD
    assert len(app.selectbox) == 0 and len(app.dataframe) == 0 and len(app.metric) == 0
    assert "actor" not in app.session_state
    app.switch_page("app_pages/responses.py").run()  # as if opening the page's URL
    assert not app.exception
    assert _has(app, "signin_name")
    assert [t.value for t in app.title] == ["Quote desk"]


def test_wrong_password_is_refused(app, db, admin):
    """A wrong password shows an error and signs nobody in."""
    _user(db, admin, "vic", Role.VIEWER)
    _sign_in(app, "vic", "not the password at all")
    assert not app.exception
    assert any("do not match" in e.value for e in app.error)
    assert "actor" not in app.session_state
    assert app.text_input(key="signin_name") is not None


def test_viewer_sees_only_viewer_pages(app, db, admin):
    """A signed-in viewer gets the Responses page; curator and admin pages are not in navigation."""
    _user(db, admin, "vic", Role.VIEWER)
    _sign_in(app, "vic", PASSWORD)
    assert not app.exception
    assert app.session_state["actor"] == Actor("vic", Role.VIEWER)
    assert app.button(key="signout") is not None
    app.switch_page("app_pages/responses.py")  # registered for a viewer
    for page in (
        "app_pages/pick.py",
        "app_pages/users.py",
        "app_pages/audit.py",
        "app_pages/privacy.py",
    ):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            app.switch_page(page)


@pytest.mark.parametrize(
    "page",
    ["app_pages/pick.py", "app_pages/users.py", "app_pages/audit.py", "app_pages/privacy.py"],
)
def test_viewer_opening_a_curator_page_directly_is_refused(db, consultation, page):
    """Running a page script directly as a viewer shows a refusal and stops."""
    at = AppTest.from_file(str(ROOT / page), default_timeout=30)
    at.session_state["actor"] = Actor("vic", Role.VIEWER)
    at.run()
    assert not at.exception
    assert any("cannot use this page" in e.value for e in at.error)


def test_first_sign_in_forces_a_password_change(app, db, admin):
    """A one-time password leads to the change form; after it, the dashboard opens."""
    _user(db, admin, "cara", Role.VIEWER, must_change=True)
    _sign_in(app, "cara", PASSWORD)
    assert not app.exception
    assert app.text_input(key="newpw_1") is not None
    app.text_input(key="newpw_1").input("cara's own password")
    app.text_input(key="newpw_2").input("cara's own passwordX")
    app.button(key="newpw_submit").click()
    app.run()
    assert any("differ" in e.value for e in app.error)
    app.text_input(key="newpw_1").input("cara's own password")
    app.text_input(key="newpw_2").input("cara's own password")
    app.button(key="newpw_submit").click()
    app.run()
    assert not app.exception
    assert not _has(app, "newpw_1")
    with db.session() as s:
        assert auth.authenticate(s, "cara", "cara's own password") is not None
        assert not auth.must_change_password(s, "cara")


def _has(at: AppTest, key: str) -> bool:
    try:
        at.text_input(key=key)
    except KeyError:
        return False
    return True


def test_sign_out_and_inactivity_end_the_session(app, db, admin):
    """Sign out returns to the form; so does a session idle past the timeout."""
    _user(db, admin, "vic", Role.VIEWER)
    _sign_in(app, "vic", PASSWORD)
    app.button(key="signout").click()
    app.run()
    assert "actor" not in app.session_state
    assert _has(app, "signin_name")
    _sign_in(app, "vic", PASSWORD)
    assert "actor" in app.session_state
    app.session_state[LAST_SEEN_KEY] = utcnow() - timedelta(minutes=31)
    app.run()
    assert "actor" not in app.session_state
    assert _has(app, "signin_name")
    assert any("inactivity" in i.value for i in app.info)


OIDC_SECRETS = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "x" * 32,
        "client_id": "id",
        "client_secret": "s",
        "server_metadata_url": "https://idp.example.org/.well-known/openid-configuration",
    },
    "curation": {"roles": {"viewers": ["@example.org"], "admins": ["ada@example.org"]}},
}


def _oidc_app(user: dict) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=30)
    at.secrets = OIDC_SECRETS
    at.user = user
    return at.run()


def test_oidc_offers_single_sign_on_instead_of_the_password_form(db, consultation):
    """With an [auth] section, the gate offers st.login and no password form."""
    at = _oidc_app({"is_logged_in": False})
    assert not at.exception
    assert at.button(key="oidc_signin") is not None
    assert not _has(at, "signin_name")
    assert "actor" not in at.session_state


def test_oidc_maps_the_role_and_refuses_unknown_people(db, consultation):
    """A mapped email signs in with its role; an unmapped one is refused."""
    at = _oidc_app({"is_logged_in": True, "email": "vic@example.org", "email_verified": True})
    assert not at.exception
    assert at.session_state["actor"] == Actor("vic@example.org", Role.VIEWER)
    stranger = _oidc_app({"is_logged_in": True, "email": "eve@elsewhere.net"})
    assert not stranger.exception
    assert "actor" not in stranger.session_state
    assert any("no role" in e.value for e in stranger.error)
