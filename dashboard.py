"""The dashboard's entry point: page config, sign-in gate, consultation choice, navigation."""

from __future__ import annotations

import streamlit as st

from curation.consultations import list_consultations
from ui import context, publisher_status
from ui.auth import signed_in_actor
from ui.pages import pages_for
from ui.safe_text import escape_markdown

st.set_page_config(page_title="Quote desk", page_icon=":material/format_quote:", layout="wide")

db = context.database()
context.show_demo_progress()
actor = signed_in_actor(db)  # shows the sign-in form and stops until someone signs in

with db.read_session() as session:  # reads never wait for a writer (an import)
    choices = {c.id: c.title for c in list_consultations(session)}
with st.sidebar:
    st.selectbox(
        "Consultation",
        options=list(choices),
        format_func=lambda cid: choices[cid],
        key=context.CONSULTATION_KEY,
    )
    st.caption(f"Signed in as **{escape_markdown(actor.name)}** ({actor.role.value})")
    publisher_status.show(db, actor)

sections: dict[str, list[st.Page]] = {}
for i, spec in enumerate(pages_for(actor)):
    sections.setdefault(spec.section, []).append(
        st.Page(spec.path, title=spec.title, icon=spec.icon, default=i == 0)
    )
st.navigation(sections, expanded=True).run()
