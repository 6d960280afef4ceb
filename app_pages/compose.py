"""Compose: an approved quote's post per network with live counters, its card, and a London time."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import streamlit as st

from curation.access.actors import Permission
from curation.cards.templates import FORMATS, TEMPLATES
from curation.config import LONDON
from curation.errors import CurationError
from curation.posts import compose, destinations, heartbeat, service
from curation.posts.video import audiogram_possible
from ui import context

UNITS = {"x": "weighted", "bluesky": "graphemes"}

actor = context.require_page(Permission.COMPOSE_POSTS)
db = context.database()
consultation_id = context.consultation_id()

st.title("Compose")
with db.session() as session:
    quotes = service.composable_quotes(session, actor, consultation_id)
if not quotes:
    st.info("No approved quotes yet. Approve a quote on the Quotes page first.")
    st.stop()

labels = {q.id: f"#{q.id} · {q.status} · {q.label}" for q in quotes}
quote_id = st.selectbox(
    "Approved quote", list(labels), format_func=labels.__getitem__, key="compose_quote"
)
cols = st.columns(2)
template = cols[0].selectbox(
    "Card template",
    list(TEMPLATES),
    key="compose_template",
    format_func=lambda t: TEMPLATES[t].title,
)
fmt = cols[1].selectbox(
    "Card format", list(FORMATS), key="compose_format", format_func=lambda f: FORMATS[f].title
)

try:
    with db.session() as session:
        drafts = service.draft_texts(session, actor, quote_id)
        preview = service.card_preview(session, actor, quote_id, template, fmt)
        can_audiogram = audiogram_possible(session, actor, quote_id)
        allowed = destinations.allowed_networks(session, quote_id)
        waiting = destinations.not_connected_networks(session)
except CurationError as exc:
    st.error(str(exc))
    st.stop()

media = "card"
if can_audiogram:  # a recorded answer with media consent from a named respondent
    media = st.radio(
        "Attach",
        ["card", "audiogram"],
        horizontal=True,
        key=f"compose_media_{quote_id}",
        format_func=lambda m: (
            "The quote card (image)" if m == "card" else "The audiogram (captioned video)"
        ),
    )

left, right = st.columns([2, 3])
with left:
    st.image(preview.png, caption="Card preview", width="stretch")
    st.text_area(
        "Alt text (from the card)",
        value=preview.alt_text,
        disabled=True,
        key=f"compose_alt_{preview.card_id}",
    )

with right:
    demo = allowed == ("outbox",)
    if demo:
        st.info("A demo quote (fictional): it only goes to the outbox, to post by hand.")
    networks = st.multiselect(
        "Networks",
        list(allowed),
        default=["outbox" if demo else "x"],
        key="compose_networks_demo" if demo else "compose_networks",
        format_func=lambda n: f"{n} (not connected)" if n in waiting else n,
    )
    for network in networks:
        if network in waiting:
            st.warning(
                f'{network} is not connected: its posts wait as "not connected" and go out '
                "once a worker has its credentials.",
                icon=":material/link_off:",
            )
    if "outbox" in networks:
        st.caption("The outbox makes a pack to post by hand; it is never marked posted.")
    debate = st.toggle(
        "Add a debate follow-up that asks the consultation question", key="compose_debate"
    )
    texts: dict[str, str] = {}
    replies: dict[str, str | None] = {}
    for network in networks:
        texts[network] = st.text_area(
            f"{network} post",
            value=drafts[network]["text"],
            key=f"compose_text_{network}_{quote_id}",
            height=160,
        )
        counter = compose.counter(network, texts[network])
        (st.caption if counter.ok else st.error)(
            f"{counter.label()} ({UNITS.get(network, 'characters')})"
        )
        replies[network] = None
        if debate:
            replies[network] = st.text_area(
                f"{network} follow-up",
                value=drafts[network]["reply_text"],
                key=f"compose_reply_{network}_{quote_id}",
                height=80,
            )
            reply_counter = compose.counter(network, replies[network] or "")
            (st.caption if reply_counter.ok else st.error)(reply_counter.label())

st.subheader("When (Europe/London)")
mode = st.radio(
    "When",
    ["A London time", "Next free slot", "Now"],
    horizontal=True,
    key="compose_when",
    label_visibility="collapsed",
)
at: str | datetime = "now"
fold: int | None = None
if mode == "A London time":
    tomorrow = (datetime.now(LONDON) + timedelta(days=1)).date()
    c1, c2 = st.columns(2)
    day = c1.date_input("Date", value=tomorrow, key="compose_date")
    clock = c2.time_input("Time", value=time(12, 30), step=300, key="compose_time")
    at = datetime.combine(day, clock)
    options = service.fold_choices(at)
    if options:
        fold = st.radio(
            f"{at:%H:%M} happens twice on {day:%d %B} (the clocks go back). Which one?",
            [0, 1],
            key="compose_fold",
            horizontal=True,
            format_func=lambda i: (
                f"{'first (BST)' if i == 0 else 'second (GMT)'}: {options[i]:%H:%M} UTC"
            ),
        )
elif mode == "Next free slot":
    at = "next-slot"

if st.button("Schedule", key="compose_schedule", type="primary", disabled=not networks):
    for network in networks:
        try:
            with db.session() as session:
                post = service.schedule_post(
                    session,
                    actor,
                    quote_id,
                    network,
                    at,
                    text=texts[network],
                    reply_text=replies[network],
                    template=template,
                    fmt=fmt,
                    fold=fold,
                    media=media,
                )
                st.success(
                    f"{network}: post {post.id} scheduled for {post.scheduled_local} London. "
                    "It goes out once someone else approves it on the Approve posts page."
                )
        except CurationError as exc:
            st.error(f"{network}: {exc}")
    with db.session() as session:
        running = heartbeat.publisher_status(session).running
    if not running:
        st.warning(
            "No publisher is running, so nothing goes out on its own: start `curation worker`, "
            'or use "Publish what is due now" in the sidebar (approvers).',
            icon=":material/pause_circle:",
        )
