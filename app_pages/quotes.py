"""Quotes: the shortlist, filtered; approve or reject with a note."""

from __future__ import annotations

import streamlit as st

from curation.access.actors import Permission
from curation.errors import CurationError
from curation.quotes import workflow
from ui import context
from ui.safe_text import escape_markdown

actor = context.require_page(Permission.PICK_QUOTES)
db = context.database()
consultation_id = context.consultation_id()
can_approve = actor.can(Permission.APPROVE_QUOTES)
FLASH = "quotes_flash"
ANY = "Any"  # a real option: a None option would make Streamlit show a clear (×) icon

st.title("Quotes")


def _act(action: str, quote_id: int) -> None:
    """Button callback: runs before the page re-renders, so the list shows the result."""
    note = st.session_state.get(f"note_{quote_id}", "")
    try:
        with db.session() as session:
            if action == "approve":
                override = st.session_state.get(f"override_{quote_id}") or None
                workflow.approve(session, actor, quote_id, override_reason=override)
            elif action == "reject":
                workflow.reject(session, actor, quote_id, note)
            else:
                workflow.add_note(session, actor, quote_id, note)
        st.session_state[FLASH] = ("success", f"Quote {quote_id}: {action} done.")
    except CurationError as exc:
        st.session_state[FLASH] = ("error", f"Quote {quote_id}: {exc}")


with db.session() as session:
    filters = workflow.shortlist_filters(session, consultation_id)

cols = st.columns(4)
status = cols[0].selectbox("Status", ["any", *filters.statuses], index=1, key="quotes_status")
question = cols[1].selectbox(
    "Question",
    [ANY, *filters.questions],
    key="quotes_question",
    format_func=lambda n: ANY if n == ANY else f"Q{n} {filters.questions[n]}",
)
mission = cols[2].selectbox(
    "Mission",
    [ANY, *filters.missions],
    key="quotes_mission",
    format_func=lambda s: ANY if s == ANY else filters.missions[s],
)
region = cols[3].selectbox(
    "Region",
    [ANY, *filters.regions],
    key="quotes_region",
)

flash = st.session_state.pop(FLASH, None)
if flash:
    (st.success if flash[0] == "success" else st.error)(flash[1])

with db.session() as session:
    rows = workflow.list_quotes(
        session,
        actor,
        consultation_id,
        status=None if status == "any" else status,
        question=question if isinstance(question, int) else None,  # ANY is the text option
        theme=None if mission == ANY else mission,
        region=None if region == ANY else region,
    )
st.caption(f"{len(rows)} quote(s)")
if not rows:
    wanted = "" if status == "any" else f"{status} "
    st.info(
        f"No {wanted}quotes match these filters. Pick one on the Responses page, "
        "or choose another status or filter."
    )

for row in rows:
    with st.container(border=True, key=f"quote_{row.id}"):
        st.markdown("“" + escape_markdown(row.text) + "”")
        st.caption(
            escape_markdown(
                f"#{row.id} · {row.status} · Q{row.question_number} {row.question_label} · "
                f"{row.attribution} · picked by {row.created_by}"
                + (f" · approved by {row.approved_by}" if row.approved_by else "")
            )
        )
        for finding in row.pd_findings:
            words = row.text[finding["start"] : finding["end"]]
            st.warning(
                f"Personal data? {escape_markdown(finding['reason'])}: {escape_markdown(words)}"
            )
        if row.pd_override_reason:
            st.caption("Override: " + escape_markdown(row.pd_override_reason))
        for author, text in row.notes:
            st.caption(escape_markdown(f"{author}: {text}"))
        st.text_input("Note", key=f"note_{row.id}", max_chars=2000)
        buttons = st.columns(3)
        buttons[0].button(
            "Add note", key=f"add_note_{row.id}", on_click=_act, args=("note", row.id)
        )
        if can_approve and row.status == "draft":
            if row.pd_findings:
                st.text_input(
                    "Override reason (required to approve with findings)",
                    key=f"override_{row.id}",
                    max_chars=2000,
                )
            buttons[1].button(
                "Approve",
                key=f"approve_{row.id}",
                type="primary",
                on_click=_act,
                args=("approve", row.id),
            )
        if can_approve and row.status in ("draft", "approved"):
            buttons[2].button(
                "Reject (needs a note)",
                key=f"reject_{row.id}",
                on_click=_act,
                args=("reject", row.id),
            )
