"""Responses: the quotable responses, filtered and searched, with excluded ones as counts only.

Respondent text is shown with st.text (never parsed as Markdown or HTML); names and labels
that go into Markdown are escaped first.
"""

from __future__ import annotations

import streamlit as st

from curation.access.actors import Permission
from curation.analysis.service import campaign_marks
from curation.errors import ConsentError, NotFound
from curation.responses import browse as responses
from ui import context
from ui.media_player import render_player
from ui.safe_text import escape_markdown

PAGE_SIZE = 25
PAGE_KEY = "resp_page"
DETAIL_KEY = "resp_detail_id"

actor = context.require_page(Permission.READ_RESPONSES)
db = context.database()
consultation_id = context.consultation_id()
can_pick = actor.can(Permission.PICK_QUOTES)


def _first_page() -> None:
    st.session_state[PAGE_KEY] = 1


def _show_detail(response_id: int | None) -> None:
    st.session_state[DETAIL_KEY] = response_id


with db.session() as session:
    options = responses.facets(session, consultation_id)
    excluded = responses.exclusion_counts(session, actor, consultation_id)

question_labels = dict(options.questions)
theme_names = dict(options.themes)
with st.sidebar:
    st.subheader("Filters")
    questions = st.multiselect(
        "Question",
        list(question_labels),
        key="resp_questions",
        on_change=_first_page,
        format_func=lambda n: f"Q{n} · {question_labels[n]}",
    )
    missions = st.multiselect(
        "Mission",
        list(theme_names),
        key="resp_missions",
        on_change=_first_page,
        format_func=lambda slug: theme_names[slug],
    )
    regions = st.multiselect("Region", options.regions, key="resp_regions", on_change=_first_page)
    sectors = st.multiselect("Sector", options.sectors, key="resp_sectors", on_change=_first_page)
    kinds = st.multiselect("Kind", options.kinds, key="resp_kinds", on_change=_first_page)
    date_from = st.date_input("Submitted from", value=None, key="resp_from", on_change=_first_page)
    date_to = st.date_input("Submitted to", value=None, key="resp_to", on_change=_first_page)

st.title("Responses")
search = st.text_input(
    "Search",
    key="resp_search",
    max_chars=responses.MAX_SEARCH_CHARS,
    on_change=_first_page,
    placeholder="Words that must all appear, e.g. bus rural",
)
flt = responses.ResponseFilter(
    questions=tuple(questions),
    themes=tuple(missions),
    regions=tuple(regions),
    sectors=tuple(sectors),
    kinds=tuple(kinds),
    date_from=date_from if not isinstance(date_from, tuple) else None,
    date_to=date_to if not isinstance(date_to, tuple) else None,
    search=search,
)

wanted = int(st.session_state.get(PAGE_KEY) or 1)
with db.session() as session:
    result = responses.list_responses(
        session, actor, consultation_id, flt, page=wanted, page_size=PAGE_SIZE
    )
    if wanted > result.pages:  # the filters shrank the list under the page we were on
        result = responses.list_responses(
            session, actor, consultation_id, flt, page=result.pages, page_size=PAGE_SIZE
        )
        st.session_state[PAGE_KEY] = result.pages
    campaigns = campaign_marks(session, actor, [row.id for row in result.items])

counts = st.columns(4)
counts[0].metric("Quotable (matching)", result.total)
counts[1].metric("Not consented", excluded["not consented"])
counts[2].metric("Anonymous", excluded["anonymous"])
counts[3].metric("Withdrawn", excluded["withdrawn"])
if excluded["no name"]:
    st.caption(f"{excluded['no name']} more are hidden because the respondent gave no name.")
st.caption("Excluded responses are counted, never shown.")

detail_id = st.session_state.get(DETAIL_KEY)
if isinstance(detail_id, int):
    with st.container(border=True, key="resp_detail"):
        try:
            with db.session() as session:
                detail = responses.get_response(session, actor, detail_id)
        except (ConsentError, NotFound):
            st.warning("This response can no longer be shown.")
        else:
            st.subheader(escape_markdown(f"Q{detail.question} · {detail.question_label}"))
            st.caption(escape_markdown(detail.question_text))
            st.text(detail.text)
            st.markdown(f"**{escape_markdown(detail.attribution)}**")
            meta = [detail.kind, detail.sector or "", ", ".join(detail.missions)]
            st.caption(escape_markdown(" · ".join(m for m in meta if m)))
            if detail.kind != "text" and not (detail.media_ref and render_player(detail.id, 0)):
                st.caption("Transcript of a recording; the recording itself is not in the store.")
        st.button("Close", key="resp_detail_close", on_click=_show_detail, args=(None,))

if not result.items:
    st.info("No quotable responses match these filters.")
for row in result.items:
    with st.container(border=True, key=f"resp_row_{row.id}"):
        kind = "" if row.kind == "text" else f" · {row.kind} transcript"
        st.caption(escape_markdown(f"Q{row.question} · {row.question_label}{kind}"))
        st.text(responses.excerpt(row.text))
        st.markdown(f"**{escape_markdown(row.attribution)}**")
        if row.missions:
            st.caption(escape_markdown("Missions: " + ", ".join(row.missions)))
        if row.id in campaigns:
            size = campaigns[row.id]
            st.caption(f"Campaign: one of {size} near-identical answers, counted once.")
        buttons = st.container(horizontal=True, gap="small")  # side by side, left-aligned
        buttons.button("Details", key=f"detail_{row.id}", on_click=_show_detail, args=(row.id,))
        if can_pick and buttons.button("Pick quotes", key=f"pick_{row.id}"):
            st.session_state["pick_response_id"] = row.id
            st.switch_page("app_pages/pick.py")

st.number_input(
    f"Page (of {result.pages})", min_value=1, max_value=result.pages, step=1, key=PAGE_KEY
)
