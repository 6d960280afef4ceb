"""Audit: every change as a sentence, who made it and when; the recorded details on request."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pandas as pd
import streamlit as st

from curation import audit, audit_sentences
from curation.access.actors import Permission
from curation.exports import audit_csv
from ui import context
from ui.formatting import DATE_INPUT_FORMAT, human_time
from ui.safe_text import escape_markdown

actor = context.require_page(Permission.VIEW_AUDIT)
db = context.database()

st.title("Audit log")
with db.session() as session:
    actions = audit.known_actions(session, actor)

cols = st.columns(3)
who = cols[0].text_input("Who", key="audit_actor", max_chars=120, placeholder="a user name").strip()
action = cols[1].selectbox(
    "What",
    ["", *sorted(actions, key=audit_sentences.action_label)],
    key="audit_action",
    format_func=lambda a: audit_sentences.action_label(a) if a else "Everything",
)
since = cols[2].date_input("Since", value=None, key="audit_since", format=DATE_INPUT_FORMAT)

filters = audit.AuditFilter(
    actor=who or None,
    action=action or None,
    since=datetime.combine(since, time.min, tzinfo=UTC) if since else None,
)
with db.session() as session:
    entries = audit_sentences.readable_entries(session, actor, filters)
    rows = audit.audit_entries(session, actor, filters)  # the same entries, for the CSV

st.caption(f"{len(entries)} entries, newest first (at most {audit.MAX_ROWS}).")
if entries:
    picked = st.dataframe(
        pd.DataFrame(
            {
                "When": [human_time(e.at) for e in entries],
                "What happened": [e.sentence for e in entries],
                "Role": [e.role.capitalize() for e in entries],
            }
        ),
        hide_index=True,
        width="stretch",
        key="audit_table",
        on_select="rerun",
        selection_mode="single-row",
    )
    chosen = picked.selection.rows[0] if picked.selection.rows else 0
    entry = entries[chosen]
    with st.expander(f"Details: {human_time(entry.at)}", expanded=bool(picked.selection.rows)):
        st.markdown(escape_markdown(entry.sentence))
        st.dataframe(
            pd.DataFrame(
                [("When", human_time(entry.at)), ("Who", f"{entry.actor} ({entry.role})"),
                 ("Recorded as", entry.action), *entry.details],
                columns=["Field", "Value"],
            ),
            hide_index=True, width="stretch", key="audit_details",
        )  # fmt: skip
        st.caption("Select another row of the table to see its details.")
else:
    st.info("Nothing recorded matches these filters.")
st.download_button(
    "Download CSV",
    data=audit_csv(rows),
    file_name="audit-log.csv",
    mime="text/csv",
    key="audit_csv",
    disabled=not rows,
)
