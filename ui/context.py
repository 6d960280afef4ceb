"""Per-session context for pages: the database, the acting user, the chosen consultation.

Pages call these instead of touching `st.session_state` keys directly.
"""

from __future__ import annotations

import streamlit as st

from curation.access.actors import Actor, Permission
from curation.config import load_settings
from curation.store import Database, DatabaseUnreachable, open_database

ACTOR_KEY = "actor"
CONSULTATION_KEY = "consultation_id"


@st.cache_resource(show_spinner="Preparing the store…")
def _database(url: str) -> Database:
    from curation import bootstrap

    db = open_database(url)
    bootstrap.prepare(db)  # quick: the demo data of a first run is added in the background
    return db


def show_demo_progress() -> None:
    """While the first run's demo data is still being added, say so (once per page run)."""
    from curation import bootstrap

    progress = bootstrap.demo_progress(database())
    if progress is None or progress.state == "done":
        return
    if progress.running:
        what = "demo respondents" if progress.step == "respondents" else "demo recordings"
        st.caption(f":material/hourglass_top: Adding the {what} in the background…")
    else:
        st.caption(":material/error: The demo data could not be added; see the server log.")


def database() -> Database:
    """The store named by the environment, migrated and prepared once per process; with the
    store unreachable, one line saying so and the page stops (no traceback)."""
    try:
        return _database(load_settings().database_url)
    except DatabaseUnreachable as exc:
        st.error(str(exc), icon=":material/cloud_off:")
        st.stop()
        raise  # st.stop() raises; this keeps type checkers informed


def actor() -> Actor:
    """The signed-in actor; stops the page when nobody is signed in."""
    who = st.session_state.get(ACTOR_KEY)
    if not isinstance(who, Actor):
        st.warning("Please sign in.")
        st.stop()
    return who


def require_page(permission: Permission) -> Actor:
    """The actor, if their role may use this page; otherwise a refusal and stop."""
    who = actor()
    if not who.can(permission):
        st.error(f"Your role ({who.role.value}) cannot use this page.")
        st.stop()
    return who


def consultation_id() -> int:
    """The consultation chosen in the sidebar, or the current one."""
    chosen = st.session_state.get(CONSULTATION_KEY)
    if isinstance(chosen, int):
        return chosen
    from curation.consultations import get_consultation

    with database().read_session() as session:  # never waits for an import to finish
        found = get_consultation(session).id
    st.session_state[CONSULTATION_KEY] = found
    return found
