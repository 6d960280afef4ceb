"""The browser's session cookie: read from the page request, written by a tiny inline script.

Streamlit reads cookies (`st.context.cookies`, sent when the page opens) but has no call to set
one, so an `st.components.v2` component (Streamlit's own, rendered in the page itself, no
iframe, no third-party package) sets `document.cookie`. The script takes only our own
token (random URL-safe characters, checked here), never user text.
"""

from __future__ import annotations

import streamlit as st

from curation.access import sessions as browser_sessions

COOKIE_NAME = "quote_desk_session"
_KEY = "session_cookie"

_JS = """
export default function (component) {
    const { data } = component;
    if (!data || !data.name) { return; }
    const secure = window.location.protocol === "https:" ? "; Secure" : "";
    document.cookie = data.name + "=" + (data.value || "") + "; Path=/; Max-Age="
        + data.maxAge + "; SameSite=Strict" + secure;
}
"""

_cookie_writer = st.components.v2.component("quote_desk_session_cookie", js=_JS)


def read_token() -> str | None:
    """The token the browser sent when this page opened (a refresh, a deep link), if any."""
    try:
        value = st.context.cookies.get(COOKIE_NAME)
    except Exception:  # no browser request behind this run (bare script runs)
        return None
    return value if browser_sessions.well_formed(value) else None


def write(token: str) -> None:
    """Hand `token` to the browser, kept until the session's longest lifetime."""
    if not browser_sessions.well_formed(token):
        raise ValueError("not a session token")
    max_age = int(browser_sessions.MAX_LIFETIME.total_seconds())
    _mount({"name": COOKIE_NAME, "value": token, "maxAge": max_age})


def clear() -> None:
    """Tell the browser to forget the cookie (the session is already revoked server-side)."""
    _mount({"name": COOKIE_NAME, "value": "", "maxAge": 0})


def _mount(data: dict[str, object]) -> None:
    with st.sidebar:
        _cookie_writer(key=_KEY, data=data, height=0)
