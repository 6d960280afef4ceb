"""Engagement: which questions, missions and voices start a debate, and when to post."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import streamlit as st

from curation.access.actors import Permission
from curation.analysis.plan import representativeness_figure
from curation.config import LONDON
from curation.metrics import Filters, engagement_view
from curation.metrics.aggregate import BREAKDOWNS, HEATMAP_MIN_POSTS
from curation.metrics.charts import brand_palette, breakdown_figure, heatmap_figure, series_figure
from curation.metrics.report import engagement_csv, engagement_html, format_kpi
from curation.publishers.registry import SOCIAL_NETWORKS
from ui import context

actor = context.require_page(Permission.VIEW_ENGAGEMENT)
db = context.database()
consultation_id = context.consultation_id()

st.title("Engagement")
st.caption(
    "Each post's latest metrics; days and hours in Europe/London. "
    "Engagement rate = engagements ÷ impressions, over posts whose impressions are known."
)

today = datetime.now(LONDON).date()
left, right = st.columns([2, 3])
chosen = left.date_input(
    "Posted between",
    value=(today - timedelta(days=27), today),
    max_value=today,
    key="engagement_dates",
    format="DD/MM/YYYY",
)
networks = right.multiselect(
    "Networks",
    list(SOCIAL_NETWORKS),
    default=[],
    key="engagement_networks",
    placeholder="All networks",
)
start: date | None = None
end: date | None = None
if isinstance(chosen, tuple | list) and len(chosen) == 2:
    start, end = chosen[0], chosen[1]
elif isinstance(chosen, tuple | list) and len(chosen) == 1:
    start = end = chosen[0]
filters = Filters(start=start, end=end, networks=tuple(networks))

with db.session() as session:
    view = engagement_view(session, actor, consultation_id, filters)

tiles = st.columns(len(view.kpis))
for column, kpi in zip(tiles, view.kpis, strict=True):
    value, change = format_kpi(kpi)
    column.metric(kpi.label, value, delta=change, border=True)
st.caption(
    "Change is against the same number of days just before the chosen range. "
    "Replies + quotes are the “debate” signal."
)
if actor.can(Permission.VIEW_BALANCE):
    with db.session() as session:
        fairness = representativeness_figure(session, actor, consultation_id)
    fairness_line = (
        "no quotes yet."
        if fairness is None
        else (f"{fairness:.0%}: how closely the quotes mirror the quotable answers (see Balance).")
    )
    st.markdown(f"**Representativeness:** {fairness_line}")

if view.demo_posts:
    st.info(
        f"{view.demo_posts} of these posts are the fictional demo history "
        "(`curation demo --remove` takes them away with the demo respondents)."
    )
if view.totals["posts"] == 0:
    st.info(
        "No published posts with metrics in this range yet. Widen the dates, or run "
        "`curation metrics sync` after posting."
    )

palette = brand_palette()
st.plotly_chart(series_figure(view.series, palette), key="engagement_series", width="stretch")

st.subheader("What starts a debate")
by = (
    st.segmented_control(
        "Break down by",
        list(BREAKDOWNS),
        default="question",
        key="engagement_breakdown",
        format_func=lambda key: BREAKDOWNS[key],
    )
    or "question"
)
st.plotly_chart(
    breakdown_figure(view.breakdowns[by], by, palette),
    key="engagement_breakdown_chart",
    width="stretch",
)
st.dataframe(
    view.breakdowns[by],
    hide_index=True,
    width="stretch",
    key="engagement_breakdown_table",
    column_config={
        by: st.column_config.TextColumn(BREAKDOWNS[by]),
        "engagement_rate": st.column_config.NumberColumn("Engagement rate", format="percent"),
    },
)

st.subheader("Best time to post")
if view.heatmap_thin:
    st.warning(
        f"Thin data: only {view.heatmap_posts} posts so far (fewer than "
        f"{HEATMAP_MIN_POSTS}). Treat this as a hint, not a rule."
    )
else:
    st.caption(f"From this account's own {view.heatmap_posts} posts, all dates.")
st.plotly_chart(
    heatmap_figure(view.heatmap, palette, thin=view.heatmap_thin),
    key="engagement_heatmap",
    width="stretch",
)

st.subheader("Top quotes")
top = view.top_quotes.assign(
    response_link=view.top_quotes["response_id"].map(lambda rid: f"pick?response_id={rid}")
)
st.dataframe(
    top[
        [
            "quote_text",
            "question",
            "networks",
            "posts",
            "engagements",
            "debate",
            "post_url",
            "response_link",
        ]
    ],
    hide_index=True,
    width="stretch",
    key="engagement_top_quotes",
    column_config={
        "quote_text": st.column_config.TextColumn("Quote", width="large"),
        "debate": st.column_config.NumberColumn("Replies + quotes"),
        "post_url": st.column_config.LinkColumn("Post", display_text="open post"),
        "response_link": st.column_config.LinkColumn("Response", display_text="open response"),
    },
)

title = "Engagement report"
down_csv, down_html = st.columns(2)
down_csv.download_button(
    "Download CSV",
    data=lambda: engagement_csv(view),
    file_name="engagement.csv",
    mime="text/csv",
    key="engagement_download_csv",
    on_click="ignore",
)
down_html.download_button(
    "Download HTML report",
    data=lambda: engagement_html(view, title=title, palette=palette),
    file_name="engagement.html",
    mime="text/html",
    key="engagement_download_html",
    on_click="ignore",
)
