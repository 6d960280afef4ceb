"""Balance: how approved quotes spread across questions, missions, regions, sectors, themes
and tone; the quote plan that would close the gaps; the themes with their passages."""

from __future__ import annotations

import streamlit as st

from curation.access.actors import Permission
from curation.analysis import job, plan, service
from curation.errors import CurationError
from curation.quotes import balance, charts, workflow
from ui import context
from ui.safe_text import escape_markdown

actor = context.require_page(Permission.VIEW_BALANCE)
db = context.database()
consultation_id = context.consultation_id()

st.title("Balance")
st.caption("Approved, scheduled and published quotes beside the quotable responses they come from.")

with db.session() as session:
    report = balance.balance_report(session, actor, consultation_id)
    the_plan = plan.quote_plan(session, actor, consultation_id, report=report)

left, right = st.columns(2)
left.metric("Quotes counted", report.total_quotes)
right.metric("Quotable responses", report.total_responses)
if report.analysed and report.effective_responses < report.total_responses:
    st.caption(
        f"Campaign and near-duplicate groups count once: the shares below treat the "
        f"{report.total_responses} quotable responses as {report.effective_responses:,.0f}."
    )

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
    width="stretch",
)
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    key="balance_table",
    column_config={
        "group": st.column_config.TextColumn(dimension.capitalize()),
        "quotable_responses": st.column_config.NumberColumn("Quotable responses", format="%.1f"),
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


def make_quote(response_id: int, start: int, end: int) -> None:
    """One click: the passage becomes a draft quote through the quote service."""
    try:
        with db.session() as session:
            quote = workflow.create_quote(session, actor, response_id, [(start, end)])
            st.session_state["balance_notice"] = f"Saved as draft quote {quote.id}."
    except CurationError as exc:
        st.session_state["balance_notice"] = f"Not saved: {exc}"


st.subheader("Quote plan")
notice = st.session_state.pop("balance_notice", None)
if notice:
    st.info(escape_markdown(notice))
figure = the_plan.representativeness
st.markdown(
    "**Representativeness:** "
    + (f"{figure:.0%}" if figure is not None else "not measured until a quote is approved")
    + f" · differences over {balance.GAP:.0%} points are flagged above."
)
for n, proposal in enumerate(the_plan.proposals):
    with st.container(border=True, key=f"plan_proposal_{n}"):
        st.text(proposal.text)
        st.caption(escape_markdown(f"{proposal.attribution} · theme: {proposal.theme}"))
        if proposal.closes:
            st.caption(escape_markdown("Would bring closer: " + "; ".join(proposal.closes[:4])))
        st.button(
            "Make this a quote",
            key=f"plan_quote_{proposal.response_id}_{proposal.start}",
            on_click=make_quote,
            args=(proposal.response_id, proposal.start, proposal.end),
            disabled=not actor.can(Permission.PICK_QUOTES),
        )
if not the_plan.proposals:
    st.caption("No passage to propose yet: find themes below, or every gap is closed.")


def _running(run: service.RunView | None) -> bool:
    return run is not None and run.status in ("queued", "running")


with db.session() as session:
    last_run = service.latest_run(session, actor, consultation_id)


@st.fragment(run_every=2.0 if _running(last_run) else None)  # polls only while a run works
def analysis_status() -> None:
    with db.session() as session:
        run = service.latest_run(session, actor, consultation_id)
    if _running(run):
        assert run is not None
        st.progress(run.progress, text=f"{run.stage} ({run.progress:.0%})")
    elif _running(last_run):
        st.rerun(scope="app")  # the run just ended: show its themes
    elif run is not None and run.status == "failed":
        st.error(f"The last analysis failed ({run.message}).")
    elif run is not None:
        groups = run.figures.get("groups", 0)
        st.caption(
            f"Last analysed {run.finished_at:%d %b %Y %H:%M} UTC: {groups} near-duplicate groups "
            f"(word 3-gram similarity of at least {run.figures.get('threshold', 0):.0%})."
        )


st.subheader("Themes in the answers")
analysis_status()
if st.button("Find themes, campaigns and tone", key="balance_analyse", disabled=_running(last_run)):
    job.start_in_background(db, actor, consultation_id)
    st.rerun()

with db.session() as session:
    themes = service.list_themes(session, actor, consultation_id)
if not themes:
    st.info("No themes yet.")
    st.stop()
questions = sorted({t.question_number for t in themes})
chosen = st.selectbox(
    "Question", questions, key="balance_theme_question", format_func=lambda n: f"Q{n}"
)
shown = [t for t in themes if t.question_number == chosen]
for theme in shown:
    with st.container(border=True, key=f"theme_box_{theme.id}"):
        st.markdown(
            f"**{escape_markdown(theme.label)}** · {theme.answer_share:.0%} of answers, "
            f"{theme.quotable_share:.0%} of quotable answers"
        )
        st.caption(escape_markdown("Terms: " + ", ".join(theme.terms)))
        for n, passage in enumerate(theme.passages):
            st.text(passage.text)
            st.caption(escape_markdown(passage.attribution))
            st.button(
                "Make this a quote",
                key=f"theme_quote_{theme.id}_{n}",
                on_click=make_quote,
                args=(passage.response_id, passage.start, passage.end),
                disabled=not actor.can(Permission.PICK_QUOTES),
            )

with st.expander("Edit themes"):
    labels = {t.id: f"{t.label} (#{t.id})" for t in shown}
    target = st.selectbox(
        "Theme", list(labels), key="theme_edit_target", format_func=lambda i: labels[i]
    )
    new_label = st.text_input("New label", key="theme_edit_label", max_chars=service.MAX_LABEL)
    other = st.selectbox(
        "Merge into", [i for i in labels if i != target], key="theme_edit_other",
        format_func=lambda i: labels[i],
    )  # fmt: skip
    cols = st.columns(3)
    action = None
    if cols[0].button("Rename", key="theme_rename", disabled=not new_label):
        action = "rename"
    if cols[1].button("Merge", key="theme_merge", disabled=other is None):
        action = "merge"
    if cols[2].button("Split in two", key="theme_split"):
        action = "split"
    if action is not None:
        try:
            with db.session() as session:
                if action == "rename":
                    service.rename_theme(session, actor, int(target), new_label)
                elif action == "merge":
                    service.merge_themes(session, actor, int(target), int(other))
                else:
                    service.split_theme(session, actor, int(target))
        except CurationError as exc:
            st.error(str(exc))
        else:
            st.rerun()
