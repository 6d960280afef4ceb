"""Media: add an audio or video answer with its transcript; play the recorded answers."""

from __future__ import annotations

import streamlit as st

from curation.access.actors import Permission
from curation.consultations import get_consultation
from curation.errors import CurationError
from curation.media.intake import add_media_upload
from curation.media.playback import list_media_responses
from curation.media.probe import ALLOWED_EXTENSIONS
from curation.respondent_search import find_respondents
from ui.context import consultation_id, database, require_page
from ui.media_player import render_player
from ui.safe_text import escape_markdown
from ui.uploads import capped_uploader

who = require_page(Permission.IMPORT_RESPONSES)
cid = consultation_id()
st.title("Media answers")

st.subheader("Add a recording")
with database().session() as session:
    questions = {q.number: q.label for q in get_consultation(session, str(cid)).questions}
search = st.text_input(
    "Find the respondent",
    key="media_search",
    max_chars=120,
    placeholder="Name, organisation or form submission id",
)
with database().session() as session:
    people = {c.id: c.label for c in find_respondents(session, who, cid, search)}
with st.form("media_upload_form", clear_on_submit=False):
    left, right = st.columns(2)
    respondent_id = left.selectbox(
        "Respondent",
        list(people),
        index=None,
        key="media_respondent",
        format_func=lambda rid: people.get(rid, "(not in this list)"),
        placeholder="Choose from the matches" if people else "Nobody matches; try other words",
    )
    question = right.selectbox(
        "Question",
        list(questions),
        key="media_question",
        format_func=lambda n: f"Q{n} · {questions[n]}",
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
    if respondent_id is None or question is None:
        st.error("Choose the respondent and the question first.")
    elif media_file is None:
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
            person = escape_markdown(people.get(int(respondent_id), "").split(" · ")[0])
            st.success(
                f"{verb} {person}'s {done.kind} answer to Q{question}: "
                f"{done.duration_seconds:.1f} s, {done.cues} timed cues"
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
        render_player(row.response_id)
