"""Pick a quote: choose exact words of one response, with suggestions and checks."""

from __future__ import annotations

import streamlit as st

from curation.access.actors import Permission
from curation.cards import limits
from curation.cards.fonts import describe_grapheme
from curation.errors import CurationError
from curation.quotes import picking, workflow
from curation.quotes.spans import Span
from ui import context
from ui.safe_text import escape_markdown, highlight_markdown

MODES = ("Sentences", "Start and end")

actor = context.require_page(Permission.PICK_QUOTES)
db = context.database()

st.title("Pick a quote")


def _choose_response() -> None:
    st.session_state["pick_response_id"] = st.session_state.get("pick_response_input")


def _use_suggestion(start: int, end: int) -> None:
    st.session_state["pick_mode"] = MODES[1]
    st.session_state["pick_start"] = start
    st.session_state["pick_end"] = end


if "response_id" in st.query_params:  # links from other pages, e.g. Engagement's top quotes
    linked = st.query_params.get("response_id", "")
    del st.query_params["response_id"]
    if linked.isdigit():
        st.session_state["pick_response_id"] = int(linked)
# Arriving from another page: show the chosen id in the box (set before the widget exists).
chosen_id = st.session_state.get("pick_response_id")
if chosen_id and st.session_state.get("pick_response_input") != chosen_id:
    st.session_state["pick_response_input"] = int(chosen_id)

st.number_input(
    "Response id",
    min_value=1,
    step=1,
    value=None,
    key="pick_response_input",
    on_change=_choose_response,
    help="Or choose a response on the Responses page.",
)
response_id = st.session_state.get("pick_response_id")
if not response_id:
    st.info("Choose a response on the Responses page, or type its id above.")
    st.stop()

try:
    with db.session() as session:
        view = picking.pick_view(session, actor, int(response_id))
except CurationError as exc:
    st.error(str(exc))
    st.stop()

# A new response starts a fresh selection: its first suggestion, or its first sentence.
if st.session_state.get("pick_for_response") != view.response_id:
    first = (
        view.suggestions[0].span
        if view.suggestions
        else (
            Span(view.sentences[0].start, view.sentences[0].end) if view.sentences else Span(0, 0)
        )
    )
    st.session_state["pick_for_response"] = view.response_id
    st.session_state["pick_mode"] = MODES[1]
    st.session_state["pick_start"] = first.start
    st.session_state["pick_end"] = first.end
    st.session_state["pick_sentences"] = []

st.subheader(escape_markdown(f"Q{view.question_number} {view.question_label}"))
st.caption(escape_markdown(view.question_text))
st.caption(
    escape_markdown(
        view.attribution + (" · Missions: " + ", ".join(view.missions) if view.missions else "")
    )
)
with st.container(border=True):
    # Escaped Markdown: respondent text can never become HTML or links.
    st.markdown(highlight_markdown(view.text, [(s.start, s.end) for s in view.suggestions]))

st.subheader("Suggestions")
if not view.suggestions:
    st.caption("No sentence here fits a card without personal data; choose words yourself.")
for i, suggestion in enumerate(view.suggestions):
    with st.container(border=True):
        st.markdown(escape_markdown(suggestion.text))
        reasons = escape_markdown("; ".join(suggestion.reasons))
        st.caption(f"Score {suggestion.score:.1f} · {reasons}")
        st.button(
            "Use suggestion",
            key=f"suggest_{i}",
            on_click=_use_suggestion,
            args=(suggestion.start, suggestion.end),
        )

st.subheader("Your selection")
mode = st.radio("Choose by", MODES, key="pick_mode", horizontal=True)
if mode == MODES[0]:
    chosen = st.multiselect(
        "Sentences (non-adjacent ones are joined by “ … ”)",
        options=list(range(len(view.sentences))),
        format_func=lambda i: f"{i + 1}. {view.sentences[i].text[:90]}",
        key="pick_sentences",
    )
    spans = picking.spans_from_sentences(view, chosen)
else:
    left, right = st.columns(2)
    start = left.number_input(
        "Start", min_value=0, max_value=len(view.text), step=1, key="pick_start"
    )
    end = right.number_input("End", min_value=0, max_value=len(view.text), step=1, key="pick_end")
    spans = [Span(int(start), int(end))]

preview = picking.preview(view, spans)
# What the card can draw and where it fits, before anything is saved.
card_check = None if preview.problem else limits.check_quote(preview.text)
if preview.problem or card_check is None:
    st.warning(preview.problem)
else:
    with st.container(border=True, key="pick_preview"):
        st.markdown("“" + escape_markdown(preview.text) + "”")
    if card_check.undrawable:
        st.error(
            "The card cannot draw "
            + escape_markdown(
                ", ".join(f"{g} ({describe_grapheme(g)})" for g in card_check.undrawable)
            )
            + " exactly as written, so no card would be made: choose other words."
        )
    else:
        st.caption(f"{preview.length} characters. Card limits at a readable size, per format:")
        st.dataframe(limits.fit_table(card_check), hide_index=True, key="pick_card_limits")
        if not any(card_check.fits.values()):
            st.warning("Too long for any card at a readable size: choose a shorter selection.")
    for finding in preview.findings:
        words = preview.text[finding.span[0] : finding.span[1]]
        st.warning(f"Personal data? {escape_markdown(finding.reason)}: {escape_markdown(words)}")

note = st.text_area("Note for the approver (optional)", key="pick_note", max_chars=2000)
undrawable = card_check is not None and bool(card_check.undrawable)
if st.button(
    "Save quote", key="pick_save", type="primary", disabled=bool(preview.problem) or undrawable
):
    try:
        with db.session() as session:
            quote = workflow.create_quote(session, actor, view.response_id, spans, note=note)
            saved = (quote.id, quote.status)
        st.success(f"Saved quote {saved[0]} as a {saved[1]}; approve it on the Quotes page.")
    except CurationError as exc:
        st.error(str(exc))
