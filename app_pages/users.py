"""Users: who may sign in, with which role; add, deactivate, reset a password."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from curation import accounts, auth
from curation.actors import Permission, Role
from curation.errors import CurationError
from ui import context
from ui.safe_text import escape_markdown

actor = context.require_page(Permission.MANAGE_USERS)
db = context.database()

st.title("Users")
with db.session() as session:
    rows = accounts.list_users(session, actor)
st.dataframe(
    pd.DataFrame(
        [
            {
                "name": u.name,
                "role": u.role,
                "email": u.email or "",
                "active": u.active,
                "must change password": u.must_change_password,
                "last sign-in": u.last_sign_in_at,
            }
            for u in rows
        ]
    ),
    hide_index=True,
    use_container_width=True,
    key="users_table",
)

st.subheader("Add a user")
with st.form("user_add", clear_on_submit=True):
    name = st.text_input("User name", key="user_add_name", max_chars=120)
    role = st.selectbox("Role", [r.value for r in Role], key="user_add_role")
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
names = [u.name for u in rows]
chosen = st.selectbox("User", names, key="user_pick", index=None)
cols = st.columns(3)
if cols[0].button("Reset password", key="user_reset", disabled=chosen is None):
    try:
        with db.session() as session:
            one_time = auth.reset_password(session, actor, str(chosen))
        st.success(f"New one-time password for {escape_markdown(str(chosen))} (shown once):")
        st.code(one_time, language=None)
    except CurationError as exc:
        st.error(str(exc))
if cols[1].button("Deactivate", key="user_deactivate", disabled=chosen is None):
    try:
        with db.session() as session:
            accounts.set_active(session, actor, str(chosen), False)
        st.success(f"{escape_markdown(str(chosen))} can no longer sign in.")
    except CurationError as exc:
        st.error(str(exc))
if cols[2].button("Reactivate", key="user_reactivate", disabled=chosen is None):
    try:
        with db.session() as session:
            accounts.set_active(session, actor, str(chosen), True)
        st.success(f"{escape_markdown(str(chosen))} can sign in again.")
    except CurationError as exc:
        st.error(str(exc))
