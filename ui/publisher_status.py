"""The sidebar's publisher status, on every page, and the approvers' "publish now" button."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from curation.access.actors import Actor, Permission
from curation.posts import heartbeat, worker
from curation.store import Database
from curation.store.posts import STATUS_LABELS


def show(db: Database, actor: Actor, *, now: datetime | None = None) -> None:
    """Render the status line (and the button for approvers) where it is called."""
    with db.session() as session:
        status = heartbeat.publisher_status(session, now)
    if status.running:
        st.caption(f":material/radio_button_checked: {status.label()}")
    else:
        st.warning(status.label(), icon=":material/pause_circle:")
    if not actor.can(Permission.APPROVE_QUOTES):
        return
    if st.button(
        "Publish what is due now",
        key="publisher_publish_now",
        help="Sends every due post once, through the same claims as the worker.",
    ):
        counts = worker.publish_now(db, actor, now=now)
        handled = counts.pop("handled", 0)
        if not handled:
            st.info("Nothing was due.")
        else:
            parts = ", ".join(f"{n} {STATUS_LABELS.get(s, s)}" for s, n in counts.items())
            st.success(f"{handled} due posts handled: {parts}.")
