"""The sign-in gate: nothing past this point runs for someone who has not signed in.

Local accounts by default; single sign-on through `st.login` when secrets have an
`[auth]` section. Sessions end after inactivity (`curation.access.sessions.session_timeout`).

A password sign-in also starts a server-side session (`curation.access.sessions`) whose
token the browser keeps in a cookie (`ui.session_cookie`), so a refresh or a deep link opens
signed in; the token is checked on every run, so a revocation (sign-out, deactivation, a
password reset) takes effect on the next click in every tab.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from curation.access import auth, oidc
from curation.access import sessions as browser_sessions
from curation.access.actors import Actor
from curation.errors import CurationError
from curation.store import Database
from curation.store.base import utcnow
from ui import session_cookie
from ui.context import ACTOR_KEY
from ui.safe_text import escape_markdown

LAST_SEEN_KEY = "auth_last_seen"
MUST_CHANGE_KEY = "auth_must_change"
METHOD_KEY = "auth_method"
TOKEN_KEY = "auth_session_token"  # noqa: S105 (a session_state key)
_COOKIE_KEY = "auth_cookie"  # what the browser's cookie needs next: "write" or "clear"
_TRIED_KEY = "auth_cookie_tried"  # the cookie token this tab already looked up
_NOTICE_KEY = "auth_notice"


def _oidc_roles() -> Mapping[str, Any] | None:
    """The role mapping when single sign-on is configured, else None."""
    try:
        if "auth" not in st.secrets:
            return None
        curation = st.secrets.get("curation") or {}
        roles = dict(curation.get("roles") or {})
        for extra in ("roles_by_email", "roles_by_group"):
            if extra in curation and extra not in roles:
                roles[extra] = dict(curation[extra])
        return roles
    except Exception:  # no secrets file at all, or an unreadable one
        return None


def sign_out(
    db: Database, notice: str | None = None, reason: str = browser_sessions.SIGNED_OUT
) -> None:
    """Forget who is signed in here and revoke their browser session in the store."""
    token = st.session_state.pop(TOKEN_KEY, None)
    if isinstance(token, str):
        with db.session() as session:
            browser_sessions.end(session, token, reason)
        st.session_state[_COOKIE_KEY] = "clear"
    for key in (ACTOR_KEY, LAST_SEEN_KEY, MUST_CHANGE_KEY, METHOD_KEY):
        st.session_state.pop(key, None)
    if notice:
        st.session_state[_NOTICE_KEY] = notice


def _sync_cookie() -> None:
    """Write or clear the browser's cookie when a sign-in or sign-out asked for it."""
    wanted = st.session_state.pop(_COOKIE_KEY, None)
    token = st.session_state.get(TOKEN_KEY)
    if wanted == "write" and isinstance(token, str):
        session_cookie.write(token)
    elif wanted == "clear":
        session_cookie.clear()


def _resume_from_cookie(db: Database) -> bool:
    """Sign in from the browser's cookie (a refresh, a deep link) if its session is good."""
    token = session_cookie.read_token()
    if token is None or st.session_state.get(_TRIED_KEY) == token:
        return False
    st.session_state[_TRIED_KEY] = token  # a dead token is looked up once per tab
    with db.session() as session:
        resumed = browser_sessions.resume(session, token)
    if resumed is None:
        st.session_state[_COOKIE_KEY] = "clear"
        return False
    st.session_state[ACTOR_KEY] = resumed.actor
    st.session_state[LAST_SEEN_KEY] = utcnow()
    st.session_state[MUST_CHANGE_KEY] = resumed.must_change_password
    st.session_state[METHOD_KEY] = "password"
    st.session_state[TOKEN_KEY] = token
    return True


def _session_still_good(db: Database) -> bool:
    """The browser session behind this tab is live (and now marked used); True without one."""
    token = st.session_state.get(TOKEN_KEY)
    if not isinstance(token, str):
        return True
    with db.session() as session:
        return browser_sessions.resume(session, token) is not None


def signed_in_actor(db: Database) -> Actor:
    """The signed-in actor; otherwise shows the sign-in (or password change) form and stops."""
    now = utcnow()
    roles = _oidc_roles()
    _sync_cookie()
    who = st.session_state.get(ACTOR_KEY)
    if not isinstance(who, Actor) and roles is None and _resume_from_cookie(db):
        who = st.session_state.get(ACTOR_KEY)
    if isinstance(who, Actor):
        last_seen = st.session_state.get(LAST_SEEN_KEY)
        if auth.session_expired(last_seen, now, browser_sessions.session_timeout()):
            was_oidc = st.session_state.get(METHOD_KEY) == "oidc"
            sign_out(db, "You were signed out after a period of inactivity.", browser_sessions.IDLE)
            if was_oidc:
                st.logout()
            st.rerun()
        if not _session_still_good(db):
            sign_out(db, "Your session has ended; please sign in again.")
            st.rerun()
        st.session_state[LAST_SEEN_KEY] = now
        who = _still_allowed(db, who, roles)
        if st.session_state.get(MUST_CHANGE_KEY):
            _password_change_form(db, who)
            st.stop()
        _sign_out_button(db)
        return who
    if roles is not None:
        _oidc_gate(db, roles)
    else:
        _sign_in_form(db)
    st.stop()
    raise AssertionError("unreachable")  # st.stop raises


def _still_allowed(db: Database, who: Actor, roles: Mapping[str, Any] | None) -> Actor:
    """`who` with the role the store (or the sign-on mapping) gives now; signs out the rest.

    Runs on every click, so a deactivated user is out and a demoted one loses the pages
    and actions of their old role straight away, not when they next sign in.
    """
    was_oidc = st.session_state.get(METHOD_KEY) == "oidc"
    with db.session() as session:
        current = auth.current_actor(session, who, single_sign_on=was_oidc)
    if current is not None and was_oidc and roles is not None and st.user.is_logged_in:
        email, groups = oidc.identity_from_claims(st.user.to_dict())
        role = oidc.role_for_identity(email, groups, roles)
        current = Actor(current.name, role) if role is not None else None
    if current is None:
        sign_out(
            db,
            "Your account can no longer sign in here; you are signed out.",
            browser_sessions.DEACTIVATED,
        )
        if was_oidc:
            st.logout()
        st.rerun()
        raise AssertionError("unreachable")  # st.rerun raises
    if current != who:
        st.session_state[ACTOR_KEY] = current
    return current


def _sign_out_button(db: Database) -> None:
    with st.sidebar:
        if st.button("Sign out", key="signout", icon=":material/logout:"):
            was_oidc = st.session_state.get(METHOD_KEY) == "oidc"
            sign_out(db, "You are signed out.")
            if was_oidc:
                st.logout()
            st.rerun()


def _show_notice() -> None:
    notice = st.session_state.pop(_NOTICE_KEY, None)
    if notice:
        st.info(notice)


def _sign_in_form(db: Database) -> None:
    st.title("Quote desk")
    _show_notice()
    with st.form("signin", clear_on_submit=True):
        st.subheader("Sign in")
        name = st.text_input("User name", key="signin_name", max_chars=120)
        password = st.text_input(
            "Password", type="password", key="signin_password", max_chars=auth.MAX_PASSWORD_LENGTH
        )
        submitted = st.form_submit_button("Sign in", key="signin_submit", type="primary")
    if not submitted:
        return
    with db.session() as session:
        result = auth.sign_in(session, name, password)
        token = browser_sessions.start(session, result.actor) if result else None
    if result is None or token is None:
        st.error("That user name and password do not match an active account.")
        return
    st.session_state[TOKEN_KEY] = token
    st.session_state[_COOKIE_KEY] = "write"
    st.session_state[ACTOR_KEY] = result.actor
    st.session_state[LAST_SEEN_KEY] = utcnow()
    st.session_state[MUST_CHANGE_KEY] = result.must_change_password
    st.session_state[METHOD_KEY] = "password"
    st.rerun()


def _password_change_form(db: Database, who: Actor) -> None:
    st.title("Choose a new password")
    st.write(
        f"Signed in as **{escape_markdown(who.name)}**. Your password was set for you; "
        "choose your own "
        f"(at least {auth.MIN_PASSWORD_LENGTH} characters, not your user name)."
    )
    with st.form("newpw", clear_on_submit=True):
        first = st.text_input(
            "New password", type="password", key="newpw_1", max_chars=auth.MAX_PASSWORD_LENGTH
        )
        second = st.text_input(
            "New password again", type="password", key="newpw_2", max_chars=auth.MAX_PASSWORD_LENGTH
        )
        submitted = st.form_submit_button("Save password", key="newpw_submit", type="primary")
    if st.button("Sign out", key="signout"):
        sign_out(db)
        st.rerun()
    if not submitted:
        return
    if first != second:
        st.error("The two passwords differ.")
        return
    try:
        with db.session() as session:
            auth.complete_forced_change(session, who, first)
    except CurationError as exc:
        st.error(str(exc))
        return
    st.session_state[MUST_CHANGE_KEY] = False
    st.rerun()


def _oidc_gate(db: Database, roles: Mapping[str, Any]) -> None:
    st.title("Quote desk")
    _show_notice()
    if not st.user.is_logged_in:
        st.button(
            "Sign in with your organisation account",
            key="oidc_signin",
            on_click=st.login,
            type="primary",
        )
        return
    email, groups = oidc.identity_from_claims(st.user.to_dict())
    with db.session() as session:
        actor = oidc.oidc_sign_in(session, email, groups, roles)
    if actor is None:
        st.error("Your account has no role in the quote desk. Ask an administrator to add you.")
        st.button("Sign out", key="signout", on_click=st.logout)
        return
    st.session_state[ACTOR_KEY] = actor
    st.session_state[LAST_SEEN_KEY] = utcnow()
    st.session_state[METHOD_KEY] = "oidc"
    st.rerun()
