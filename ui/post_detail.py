"""One post's detail: its text, where it went, its receipts, and the by-hand actions."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from curation.access.actors import Actor
from curation.errors import CurationError
from curation.posts import by_hand, receipts
from curation.store import Database
from curation.store.posts import PostStatus
from ui.safe_text import escape_markdown


def _receipt_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Receipts as a table; the request is shown as JSON text (escaped by the dataframe)."""
    import json

    return pd.DataFrame(
        [
            {
                "at": r["at"][:19].replace("T", " "),
                "kind": r["kind"],
                "network": r["network"],
                "response id": r["response_id"] or "",
                "response URL": r["response_url"] or "",
                "answer": r["answer"] or "",
                "request": json.dumps(r["request"], ensure_ascii=False),
            }
            for r in rows
        ]
    )


def show(db: Database, actor: Actor, row: dict[str, Any]) -> None:
    """Render the detail of the post `row` (a calendar row)."""
    post_id = int(row["id"])
    st.markdown(f"**Post {post_id}** on {row['network']}: {row['state']}")
    st.text(row["text"])  # respondent words: plain text, never Markdown or HTML
    if row.get("remote_url"):
        st.link_button("Open the post", row["remote_url"], icon=":material/open_in_new:")
    if row.get("last_error"):
        # Notes can hold a network's own error text or a typed address: shown literally.
        st.caption("Last note: " + escape_markdown(str(row["last_error"])))
    with db.session() as session:
        found = receipts.receipts_for(session, actor, post_id)
    if found:
        st.dataframe(
            _receipt_table(found), hide_index=True, width="stretch", key=f"post_receipts_{post_id}"
        )
    else:
        st.caption("No receipts yet: nothing has been sent for this post.")
    if row["status"] == PostStatus.READY_BY_HAND.value:
        _by_hand(db, actor, post_id)


def _by_hand(db: Database, actor: Actor, post_id: int) -> None:
    st.info(
        "Ready to post by hand: download the pack (card, alt text, post text, manifest), "
        "post it, then record the post's address."
    )
    try:
        with db.session() as session:
            pack = by_hand.pack_for(session, actor, post_id)
    except CurationError as exc:
        st.error(str(exc))
        return
    st.download_button(
        "Download the pack (zip)",
        data=pack,
        file_name=f"post-{post_id}.zip",
        mime="application/zip",
        key=f"post_pack_{post_id}",
    )
    url = st.text_input(
        "Where it was posted (https://…)", key=f"post_url_{post_id}", placeholder="https://"
    )
    if st.button("Mark as posted", key=f"post_mark_posted_{post_id}"):
        try:
            with db.session() as session:
                by_hand.mark_posted(session, actor, post_id, url)
            st.success(f"Post {post_id} recorded as posted by hand.")
        except CurationError as exc:
            st.error(str(exc))
