"""Sessions that survive a refresh and a deep link: hashed, revocable browser tokens."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from curation.access import accounts, auth
from curation.access import sessions as browser_sessions
from curation.access.actors import Actor, Role
from curation.store import Database
from curation.store.base import utcnow
from curation.store.sessions import SignInSession
from ui import session_cookie

PASSWORD = "correct horse battery"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def vic(db: Database, admin: Actor, consultation) -> Actor:
    """A viewer with a password of their own."""
    with db.session() as s:
        accounts.create_user(s, admin, "vic", Role.VIEWER, password=PASSWORD)
    return Actor("vic", Role.VIEWER)


def _start(db: Database, who: Actor, **kw) -> str:
    with db.session() as s:
        return browser_sessions.start(s, who, **kw)


def _row(db: Database, token: str) -> SignInSession:
    with db.session() as s:
        row = s.scalar(
            select(SignInSession).where(
                SignInSession.token_hash == browser_sessions.token_hash(token)
            )
        )
        assert row is not None
        s.expunge(row)
        return row


def _fresh_tab(monkeypatch: pytest.MonkeyPatch, cookie: str | None) -> AppTest:
    """A new browser tab (a refresh or a deep link) that sends `cookie`."""
    monkeypatch.setattr(session_cookie, "read_token", lambda: cookie)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=30)
    return at.run()


def _signed_in(at: AppTest) -> bool:
    return "actor" in at.session_state


def _sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="signin_name").input(name)
    at.text_input(key="signin_password").input(password)
    at.button(key="signin_submit").click()
    return at.run()


def test_only_the_hash_of_a_token_is_stored(db, vic):
    """The store keeps the token's SHA-256, never the token itself."""
    token = _start(db, vic)
    assert browser_sessions.well_formed(token)
    row = _row(db, token)
    assert row.token_hash != token and len(row.token_hash) == 64
    assert row.expires_at - row.created_at == browser_sessions.MAX_LIFETIME


def test_signing_in_with_a_password_starts_a_session_for_the_browser(db, vic, monkeypatch):
    """A password sign-in leaves one live session whose token this tab holds."""
    at = _sign_in(_fresh_tab(monkeypatch, None), "vic", PASSWORD)
    assert not at.exception and _signed_in(at)
    token = at.session_state["auth_session_token"]
    assert _row(db, token).revoked_at is None
    with db.session() as s:
        assert browser_sessions.resume(s, token) is not None


def test_a_valid_token_signs_in_on_a_fresh_run(db, vic, monkeypatch):
    """A refresh or deep link carrying a live token opens the dashboard signed in."""
    token = _start(db, vic)
    at = _fresh_tab(monkeypatch, token)
    assert not at.exception
    assert at.session_state["actor"] == vic
    assert at.button(key="signout") is not None
    assert "signin_name" not in [t.key for t in at.text_input]  # no sign-in form


def test_an_idle_token_does_not_sign_in(db, vic, monkeypatch):
    """A token unused for longer than the inactivity timeout is refused and revoked."""
    monkeypatch.setenv("CURATION_SESSION_TIMEOUT_MINUTES", "20")
    token = _start(db, vic, now=utcnow() - timedelta(minutes=21))
    at = _fresh_tab(monkeypatch, token)
    assert not at.exception and not _signed_in(at)
    assert at.text_input(key="signin_name") is not None
    assert _row(db, token).revoked_reason == browser_sessions.IDLE


def test_activity_within_the_timeout_keeps_a_token_alive(db, vic):
    """Each use moves the inactivity clock on, so an active person is not signed out."""
    start = utcnow() - timedelta(minutes=50)
    token = _start(db, vic, now=start)
    timeout = timedelta(minutes=30)
    with db.session() as s:
        assert (
            browser_sessions.resume(s, token, now=start + timedelta(minutes=25), timeout=timeout)
            is not None
        )
    with db.session() as s:
        assert (
            browser_sessions.resume(s, token, now=start + timedelta(minutes=50), timeout=timeout)
            is not None
        )


def test_a_token_past_its_lifetime_does_not_sign_in(db, vic):
    """However active, a token older than MAX_LIFETIME is refused."""
    start = utcnow() - browser_sessions.MAX_LIFETIME
    token = _start(db, vic, now=start)
    with db.session() as s:
        assert (
            browser_sessions.resume(
                s, token, now=start + browser_sessions.MAX_LIFETIME, timeout=timedelta(days=1)
            )
            is None
        )


def test_a_revoked_or_unknown_token_does_not_sign_in(db, vic, monkeypatch):
    """A revoked token, a made-up one and garbage all show the sign-in form."""
    token = _start(db, vic)
    with db.session() as s:
        assert browser_sessions.end(s, token)
    for cookie in (token, "A" * 43, "<script>"):
        at = _fresh_tab(monkeypatch, cookie)
        assert not at.exception and not _signed_in(at), cookie
        assert at.text_input(key="signin_name") is not None


def test_sign_out_revokes_the_token_at_once(db, vic, monkeypatch):
    """Sign out revokes the session, so the same cookie no longer signs in."""
    token = _start(db, vic)
    at = _fresh_tab(monkeypatch, token)
    assert _signed_in(at)
    at.button(key="signout").click()
    at.run()
    assert not at.exception and not _signed_in(at)
    assert _row(db, token).revoked_reason == browser_sessions.SIGNED_OUT
    assert not _signed_in(_fresh_tab(monkeypatch, token))


def test_sign_out_in_one_tab_signs_out_the_others(db, vic, monkeypatch):
    """Two tabs share the browser's session; signing out in one ends it in the other."""
    token = _start(db, vic)
    first, second = _fresh_tab(monkeypatch, token), _fresh_tab(monkeypatch, token)
    first.button(key="signout").click()
    first.run()
    second.run()  # the next click in the other tab
    assert not second.exception and not _signed_in(second)
    assert second.text_input(key="signin_name") is not None


def test_deactivation_revokes_every_session_of_the_user(db, vic, admin, monkeypatch):
    """Deactivating a user revokes their tokens: an open tab and a refresh are both out."""
    token = _start(db, vic)
    other = _start(db, vic)
    tab = _fresh_tab(monkeypatch, token)
    assert _signed_in(tab)
    with db.session() as s:
        accounts.set_active(s, admin, "vic", False)
    assert _row(db, token).revoked_reason == browser_sessions.DEACTIVATED
    assert _row(db, other).revoked_reason == browser_sessions.DEACTIVATED
    tab.run()
    assert not tab.exception and not _signed_in(tab)
    assert not _signed_in(_fresh_tab(monkeypatch, token))
    with db.session() as s:  # reactivating does not bring old tokens back
        accounts.set_active(s, admin, "vic", True)
    assert not _signed_in(_fresh_tab(monkeypatch, token))


def test_a_password_reset_revokes_the_users_sessions(db, vic, admin):
    """An admin's password reset signs the user out everywhere."""
    token = _start(db, vic)
    with db.session() as s:
        auth.reset_password(s, admin, "vic")
    assert _row(db, token).revoked_reason == browser_sessions.PASSWORD_RESET


def test_a_resumed_session_still_asks_for_a_pending_password_change(db, vic, admin, monkeypatch):
    """A refresh during a forced password change keeps the change form, not the dashboard."""
    with db.session() as s:
        auth.set_password(s, admin, "vic", PASSWORD, must_change=True)
    token = _start(db, vic)
    at = _fresh_tab(monkeypatch, token)
    assert not at.exception
    assert at.text_input(key="newpw_1") is not None


def test_an_inactive_tab_revokes_its_token(db, vic, monkeypatch):
    """A tab idle past the timeout signs out and revokes the token it held."""
    from ui.auth import LAST_SEEN_KEY

    token = _start(db, vic)
    at = _fresh_tab(monkeypatch, token)
    at.session_state[LAST_SEEN_KEY] = utcnow() - timedelta(minutes=31)
    at.run()
    assert not _signed_in(at)
    assert _row(db, token).revoked_reason == browser_sessions.IDLE


def test_a_user_without_a_local_account_gets_no_token(db):
    """Only active local accounts get a browser session (single sign-on has its own)."""
    from curation.errors import UnusableInput

    with db.session() as s, pytest.raises(UnusableInput):
        browser_sessions.start(s, Actor("nobody@example.org", Role.VIEWER))


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="no Chromium")
def test_in_a_browser_a_refresh_and_a_deep_link_stay_signed_in(db, vic, tmp_path):
    """Real Chromium: sign in, reload, open a page's URL directly: still in; sign out ends it."""
    import os

    sync_api = pytest.importorskip("playwright.sync_api")
    from tests.dashboard_server import CHROMIUM, CHROMIUM_ARGS, dashboard

    env = {k: os.environ[k] for k in ("CURATION_DATA_DIR", "CURATION_DATABASE_URL")}
    wait = 30_000
    with dashboard(env, tmp_path / "streamlit.log") as base, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
        page.goto(base)
        name = page.locator(".st-key-signin_name input")
        sync_api.expect(name).to_be_visible(timeout=wait)
        name.fill("vic")
        page.locator(".st-key-signin_password input").fill(PASSWORD)
        page.locator(".st-key-signin_submit button").click()
        signout = page.locator(".st-key-signout button")
        sync_api.expect(signout).to_be_visible(timeout=wait)
        page.wait_for_function(  # the cookie is written by a script right after sign-in
            "() => document.cookie.includes('quote_desk_session=')", timeout=wait
        )
        cookie = next(c for c in page.context.cookies() if c["name"] == "quote_desk_session")
        assert cookie["sameSite"] == "Strict" and cookie["path"] == "/"
        page.reload()
        sync_api.expect(signout).to_be_visible(timeout=wait)
        deep = page.context.new_page()  # a link opened in a new tab
        deep.goto(f"{base}/responses")
        sync_api.expect(deep.locator(".st-key-signout button")).to_be_visible(timeout=wait)
        sync_api.expect(deep.locator("h1", has_text="Responses").first).to_be_visible(timeout=wait)
        signout.click()
        sync_api.expect(name).to_be_visible(timeout=wait)
        page.wait_for_function(  # the browser forgets the revoked token too
            "() => !document.cookie.includes('quote_desk_session=')", timeout=wait
        )
        page.reload()
        sync_api.expect(name).to_be_visible(timeout=wait)
        assert not page.locator('[data-testid="stException"]').count()
        browser.close()
