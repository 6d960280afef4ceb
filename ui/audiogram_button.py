"""The audiogram control for a quote: format choice, a make button, the video and a download.

Call `render_audiogram_button(quote_id)` on the Preview page under the quote card.
"""

from __future__ import annotations

import streamlit as st

from curation.errors import CurationError
from curation.media.audiogram import FORMATS, audiogram_path, make_audiogram, media_refusal
from ui.context import actor, database


def render_audiogram_button(quote_id: int) -> None:
    """Offer an audiogram for the quote, or say clearly why none can be made."""
    db = database()
    with db.session() as session:
        refusal = media_refusal(session, quote_id)
    if refusal is not None:
        st.caption(f"Audiogram: {refusal}")
        return
    fmt = st.radio(
        "Audiogram format", list(FORMATS), horizontal=True, key=f"audiogram_fmt_{quote_id}"
    )
    out = audiogram_path(quote_id, fmt)
    if st.button("Make audiogram", key=f"audiogram_make_{quote_id}", icon=":material/graphic_eq:"):
        try:
            with st.spinner("Encoding the audiogram…"), db.session() as session:
                result = make_audiogram(session, actor(), quote_id, out, fmt=fmt)
            st.success(f"Audiogram ready: {result.duration:.1f} s, {result.width}×{result.height}")
        except CurationError as exc:
            st.error(str(exc))
            return
    if out.exists():
        st.video(str(out), format="video/mp4")
        st.download_button(
            "Download MP4", data=out.read_bytes(), file_name=out.name, mime="video/mp4",
            key=f"audiogram_download_{quote_id}_{fmt}",
        )  # fmt: skip
