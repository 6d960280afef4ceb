"""Balance: how approved quotes spread across questions, missions, regions and sectors."""

from __future__ import annotations

import streamlit as st

from curation.actors import Permission
from curation.quotes import balance, charts
from curation.quotes.picking import escape_markdown
from ui import context

actor = context.require_page(Permission.VIEW_BALANCE)
db = context.database()
consultation_id = context.consultation_id()

st.title("Balance")
st.caption("Approved, scheduled and published quotes beside the quotable responses they come from.")

with db.session() as session:
    report = balance.balance_report(session, actor, consultation_id)

left, right = st.columns(2)
left.metric("Quotes counted", report.total_quotes)
right.metric("Quotable responses", report.total_responses)

dimension = (
    st.segmented_control(
        "Spread by",
        balance.DIMENSIONS,
        default="question",
        key="balance_dimension",
        format_func=str.capitalize,
    )
    or "question"
)
table = report.tables[dimension]
st.plotly_chart(
    charts.balance_figure(table, f"Quotes by {dimension}"),
    key="balance_chart",
    use_container_width=True,
)
st.dataframe(
    table,
    hide_index=True,
    use_container_width=True,
    key="balance_table",
    column_config={
        "group": st.column_config.TextColumn(dimension.capitalize()),
        "quote_share": st.column_config.NumberColumn("Share of quotes", format="percent"),
        "response_share": st.column_config.NumberColumn("Share of responses", format="percent"),
        "ratio": st.column_config.NumberColumn("Quotes / responses", format="%.2f"),
    },
)

st.subheader("Flags")
if not report.flags:
    st.success("Nothing over- or under-represented.")
for flag in report.flags:
    st.warning(escape_markdown(f"{flag.subject}: {flag.detail}"))
