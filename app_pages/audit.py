"""Audit: every change, who made it and when; before and after for consent and status."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pandas as pd
import streamlit as st

from curation import audit_log
from curation.actors import Permission
from curation.exports import audit_csv
from ui import context

actor = context.require_page(Permission.VIEW_AUDIT)
db = context.database()

st.title("Audit log")
with db.session() as session:
    actions = audit_log.known_actions(session, actor)

cols = st.columns(3)
who = cols[0].text_input("Actor", key="audit_actor", max_chars=120).strip()
action = cols[1].selectbox(
    "Action", ["", *actions], key="audit_action", format_func=lambda a: a or "any action"
)
since = cols[2].date_input("Since", value=None, key="audit_since")

filters = audit_log.AuditFilter(
    actor=who or None,
    action=action or None,
    since=datetime.combine(since, time.min, tzinfo=UTC) if since else None,
)
with db.session() as session:
    rows = audit_log.audit_entries(session, actor, filters)

st.caption(f"{len(rows)} entries, newest first (at most {audit_log.MAX_ROWS}).")
if rows:
    table = pd.DataFrame(
        [
            {
                "when (UTC)": r.at.strftime("%Y-%m-%d %H:%M:%S"),
                "who": r.actor,
                "role": r.role,
                "action": r.action,
                "target": f"{r.target_type} {r.target_id or ''}".strip(),
                "before → after": r.change,
                "details": str(r.details),
            }
            for r in rows
        ]
    )
    st.dataframe(table, hide_index=True, use_container_width=True, key="audit_table")
st.download_button(
    "Download CSV",
    data=audit_csv(rows),
    file_name="audit-log.csv",
    mime="text/csv",
    key="audit_csv",
    disabled=not rows,
)
