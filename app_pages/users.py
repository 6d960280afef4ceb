"""Users: who may sign in, with which role; add, deactivate, reset a password."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from curation.access import accounts, auth
from curation.access.actors import Permission, Role
from curation.errors import CurationError
from ui import context
from ui.formatting import NEVER, human_time
from ui.safe_text import escape_markdown

actor = context.require_page(Permission.MANAGE_USERS)
db = context.database()

st.title("Users")
table_slot = st.container()  # filled last, so it shows any change made below on this run

with st.expander("What each role can do", expanded=False):
    st.dataframe(
        pd.DataFrame(
            [(r.value.capitalize(), accounts.ROLE_DESCRIPTIONS[r]) for r in Role],
            columns=["Role", "Can"],
        ),
        hide_index=True,
        width="stretch",
        key="users_roles",
    )


def _role_choice(value: str) -> str:
    return f"{value.capitalize()}: {accounts.ROLE_DESCRIPTIONS[Role(value)]}"


st.subheader("Add a user")
with st.form("user_add", clear_on_submit=True):
    name = st.text_input("User name", key="user_add_name", max_chars=120)
    role = st.selectbox(
        "Role", [r.value for r in Role], key="user_add_role", format_func=_role_choice
    )
    email = st.text_input(
        "Email (optional; used for single sign-on)", key="user_add_email", max_chars=320
    )
    add = st.form_submit_button("Add user", key="user_add_submit")
if add:
    try:
        with db.session() as session:
            one_time = accounts.create_user(session, actor, name, role, email=email or None)
        st.success(
            f"Added {escape_markdown(name)}. Give them this one-time password (shown once); "
            "they choose their own at first sign-in:"
        )
        st.code(one_time or "", language=None)
    except CurationError as exc:
        st.error(str(exc))

st.subheader("Change an account")
with db.session() as session:
    names = [u.name for u in accounts.list_users(session, actor)]
chosen = st.selectbox("User", names, key="user_pick", index=None, placeholder="Choose a user")
cols = st.columns(3)
if cols[0].button("Reset password", key="user_reset", disabled=chosen is None):
    try:
        with db.session() as session:
            one_time = auth.reset_password(session, actor, str(chosen))
        st.success(
            f"New one-time password for {escape_markdown(str(chosen))} (shown once); "
            "they are signed out everywhere:"
        )
        st.code(one_time, language=None)
    except CurationError as exc:
        st.error(str(exc))
if cols[1].button("Deactivate", key="user_deactivate", disabled=chosen is None):
    try:
        with db.session() as session:
            accounts.set_active(session, actor, str(chosen), False)
        st.success(f"{escape_markdown(str(chosen))} can no longer sign in and is signed out.")
    except CurationError as exc:
        st.error(str(exc))
if cols[2].button("Reactivate", key="user_reactivate", disabled=chosen is None):
    try:
        with db.session() as session:
            accounts.set_active(session, actor, str(chosen), True)
        st.success(f"{escape_markdown(str(chosen))} can sign in again.")
    except CurationError as exc:
        st.error(str(exc))

with db.session() as session:
    rows = accounts.list_users(session, actor)
table_slot.dataframe(
    pd.DataFrame(
        [
            {
                "Name": u.name,
                "Role": u.role.capitalize(),
                "Email": u.email or "",
                "Can sign in": "Yes" if u.active else "No (deactivated)",
                "Password": (
                    "One-time: to change at first sign-in"
                    if u.must_change_password
                    else ("Set" if u.has_password else "Single sign-on only")
                ),
                "Last sign-in": human_time(u.last_sign_in_at, empty=NEVER),
            }
            for u in rows
        ]
    ),
    hide_index=True,
    width="stretch",
    key="users_table",
)
