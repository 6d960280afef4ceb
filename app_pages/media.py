"""Media: add an audio or video answer with its transcript; play the recorded answers."""

from __future__ import annotations

import streamlit as st

from curation.actors import Permission
from curation.errors import CurationError
from curation.media.intake import add_media_upload
from curation.media.playback import list_media_responses
from curation.media.probe import ALLOWED_EXTENSIONS
from ui.context import consultation_id, database, require_page
from ui.media_player import render_player
from ui.safe_text import escape_markdown
from ui.uploads import capped_uploader

who = require_page(Permission.IMPORT_RESPONSES)
cid = consultation_id()
st.title("Media answers")

with st.form("media_upload_form", clear_on_submit=False):
    st.subheader("Add a recording")
    left, right = st.columns(2)
    respondent_id = left.number_input("Respondent id", min_value=1, step=1, key="media_respondent")
    question = right.number_input(
        "Question", min_value=1, max_value=50, step=1, key="media_question"
    )
    media_file = capped_uploader(
        "Audio or video", "media", type=list(ALLOWED_EXTENSIONS), key="media_file"
    )
    transcript_file = capped_uploader(
        "Transcript (WebVTT, SRT or plain text)",
        "transcript",
        type=["vtt", "srt", "txt"],
        key="media_transcript",
    )
    submitted = st.form_submit_button("Add recording", key="media_submit")

if submitted:
    if media_file is None:
        st.error("Choose an audio or video file first.")
    else:
        try:
            with database().session() as session:
                done = add_media_upload(
                    session, who, int(respondent_id), int(question),
                    media_file.name, media_file.getvalue(),
                    transcript_name=transcript_file.name if transcript_file else None,
                    transcript_data=transcript_file.getvalue() if transcript_file else None,
                )  # fmt: skip
            verb = "Added" if done.created else "Updated"
            st.success(
                f"{verb} {done.kind} answer {done.response_id}: {done.duration_seconds:.1f} s, "
                f"{done.cues} timed cues"
            )
            for note in done.notes:
                st.caption(note)
        except CurationError as exc:
            st.error(str(exc))

st.subheader("Recorded answers")
with database().session() as session:
    rows, hidden = list_media_responses(session, who, cid)
if hidden:
    st.caption(f"{hidden} recorded answers are hidden (not quotable, anonymous or withdrawn).")
if not rows:
    st.info("No recorded answers yet.")
for row in rows:
    consent = "media consent" if row.media_consent else "no media consent (text cards only)"
    length = f"{row.duration_seconds:.0f} s" if row.duration_seconds else "?"
    label = f"Q{row.question_number} · {row.attribution} · {row.kind}, {length} · {consent}"
    with st.expander(escape_markdown(label), key=f"media_row_{row.response_id}"):
        st.caption(f"Response {row.response_id} · respondent {row.respondent_id}")
        render_player(row.response_id)
