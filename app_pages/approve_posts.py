"""Approve posts: a second person reads each post exactly as it will go out, then approves it."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from curation.access.actors import Permission
from curation.cards.service import card_png
from curation.errors import CurationError
from curation.posts import approval
from curation.store.posts import NETWORK_NAMES
from ui import context
from ui.safe_text import escape_markdown

actor = context.require_page(Permission.APPROVE_QUOTES)
db = context.database()
consultation_id = context.consultation_id()
FLASH = "approve_posts_flash"

st.title("Approve posts")
st.caption(
    "Nothing goes out until a second person has read it here: the post, the debate reply, "
    "the card and its alt text, exactly as they will be published. Editing a post after "
    "approval sends it back here."
)


def _when(local: str) -> str:
    return datetime.strptime(local, "%Y-%m-%d %H:%M").strftime("%a %d %b %Y, %H:%M")


def _approve(post_id: int, when: str) -> None:
    try:
        with db.session() as session:
            approval.approve_post(session, actor, post_id)
        st.session_state[FLASH] = ("success", f"Approved: it goes out {when} (London time). "
                                   "Its status is on the Calendar.")  # fmt: skip
    except CurationError as exc:
        st.session_state[FLASH] = ("error", str(exc))


flash = st.session_state.pop(FLASH, None)
if flash:
    (st.success if flash[0] == "success" else st.error)(flash[1])

with db.session() as session:
    waiting = approval.waiting_posts(session, actor, consultation_id)
if not waiting:
    st.info("No posts are waiting for approval.")
    st.stop()
st.caption(f"{len(waiting)} post(s) waiting, soonest first")

for post in waiting:
    when = _when(post.scheduled_local)
    with st.container(border=True, key=f"waiting_{post.id}"):
        head = f"**{NETWORK_NAMES.get(post.network, post.network)}** · {when} London"
        st.markdown(head + escape_markdown(f" · composed by {post.composed_by}"))
        if post.changed_since_approval:
            st.warning("Changed since it was approved: read it again.")
        text_col, card_col = st.columns([3, 2])
        with text_col:
            st.caption("Post")
            st.text(post.text)
            if post.reply_text:
                st.caption("Debate reply")
                st.text(post.reply_text)
            st.caption("The question")
            st.text(post.question)
            with st.expander("The whole answer"):
                st.text(post.answer_text)
        with card_col:
            if post.card_id is not None:
                try:
                    with db.session() as session:
                        st.image(card_png(session, actor, post.card_id), width="stretch")
                except CurationError as exc:
                    st.warning(f"Card unavailable: {exc}")
            elif post.media_path:
                st.caption("With the captioned audiogram (video).")
            if post.alt_text:
                st.caption("Alt text")
                st.text(post.alt_text)
        if post.composed_by == actor.name:
            st.caption("You composed this post: someone else approves it, unless single-person "
                       "approval is switched on.")  # fmt: skip
        st.button(
            "Approve this post", key=f"approve_post_{post.id}", type="primary",
            on_click=_approve, args=(post.id, when),
        )  # fmt: skip
