"""Calendar: a week or a month of posts with their states and receipts; reschedule, cancel,
download an outbox pack and mark it posted by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pandas as pd
import plotly.express as px
import streamlit as st

from curation.access.actors import Permission
from curation.config import LONDON
from curation.errors import CurationError
from curation.posts import destinations, service
from ui import context, post_detail

actor = context.require_page(Permission.SCHEDULE_POSTS)
db = context.database()

st.title("Calendar")
cols = st.columns([1, 2])
view = cols[0].radio("View", ["Week", "Month"], horizontal=True, key="calendar_view")
anchor: date = cols[1].date_input("Showing", value=datetime.now(LONDON).date(), key="calendar_day")

if view == "Week":
    first = anchor - timedelta(days=anchor.weekday())
    last = first + timedelta(days=7)
else:
    first = anchor.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1)
start = datetime.combine(first, time.min, tzinfo=LONDON).astimezone(UTC)
end = datetime.combine(last, time.min, tzinfo=LONDON).astimezone(UTC)

with db.session() as session:
    waiting = destinations.not_connected_networks(session)
    found = service.calendar(session, actor, start, end)
    demo = destinations.demo_post_ids(session, [r["id"] for r in found])
    rows = destinations.with_states(found, waiting, demo)

st.caption(
    f"{len(rows)} posts from {first:%d %b} to {last - timedelta(days=1):%d %b %Y} (London times)."
)
parked = sorted({r["network"] for r in rows if r["state"].endswith("not connected")})
if parked:
    st.warning(
        f"Not connected: {', '.join(parked)}. Their posts wait and are never marked posted; "
        "they go out once a worker has the network's credentials (see Accounts).",
        icon=":material/link_off:",
    )
by_hand = [r for r in rows if r["status"] == "ready_by_hand"]
if by_hand:
    st.info(
        f"{len(by_hand)} outbox posts are ready to post by hand: open one below for its pack.",
        icon=":material/inventory_2:",
    )
if rows:
    frame = pd.DataFrame(rows)
    frame["when"] = pd.to_datetime(frame["day"] + " " + frame["time"])
    chart = px.scatter(
        frame, x="when", y="network", color="state", hover_data=["id", "quote_id"], title=None
    )
    chart.update_traces(marker={"size": 12})
    # The whole week or month, even with one post: else plotly zooms to milliseconds.
    chart.update_xaxes(
        range=[datetime.combine(first, time.min), datetime.combine(last, time.min)],
        tickformat="%a %d %b",
        title=None,
    )
    st.plotly_chart(chart, width="stretch", key="calendar_chart")
    for day, group in frame.groupby("day", sort=True):
        st.markdown(f"**{date.fromisoformat(str(day)):%A %d %B}**")
        st.dataframe(
            group[
                ["time", "network", "state", "id", "quote_id", "remote_url", "last_error"]
            ].fillna(""),  # blank cells, not "None"
            hide_index=True,
            width="stretch",
            key=f"calendar_table_{day}",
        )
    st.subheader("Post details")
    detail = st.selectbox(
        "Post",
        [r["id"] for r in rows],
        key="calendar_detail",
        format_func=lambda i: next(
            f"#{r['id']} {r['network']} {r['day']} {r['time']} · {r['state']}"
            for r in rows
            if r["id"] == i
        ),
    )
    post_detail.show(db, actor, next(r for r in rows if r["id"] == detail))
else:
    st.info("Nothing scheduled in this period.")

movable = [r for r in rows if r["status"] in service.RESCHEDULABLE]
if movable:
    st.subheader("Reschedule or cancel")
    choice = st.selectbox(
        "Post",
        [r["id"] for r in movable],
        key="calendar_post",
        format_func=lambda i: next(
            f"#{r['id']} {r['network']} {r['day']} {r['time']}" for r in movable if r["id"] == i
        ),
    )
    c1, c2 = st.columns(2)
    new_day = c1.date_input("New date", value=anchor, key="calendar_new_date")
    new_time = c2.time_input("New time", value=time(12, 30), step=300, key="calendar_new_time")
    naive = datetime.combine(new_day, new_time)
    options = service.fold_choices(naive)
    fold = None
    if options:
        fold = st.radio(
            "That time happens twice; which one?",
            [0, 1],
            horizontal=True,
            key="calendar_fold",
            format_func=lambda i: f"{options[i]:%H:%M} UTC",
        )
    b1, b2 = st.columns(2)
    if b1.button("Reschedule", key="calendar_reschedule"):
        try:
            with db.session() as session:
                post = service.reschedule(session, actor, int(choice), naive, fold=fold)
                st.success(f"Post {post.id} moved to {post.scheduled_local} London.")
        except CurationError as exc:
            st.error(str(exc))
    if b2.button("Cancel post", key="calendar_cancel"):
        try:
            with db.session() as session:
                service.cancel(session, actor, int(choice))
            st.success(f"Post {choice} cancelled.")
        except CurationError as exc:
            st.error(str(exc))
