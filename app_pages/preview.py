"""Preview: see a quote's card in any template and format, edit its alt text, export a ZIP.

Respondent text appears only inside the card image, in st.text and in widget labels
(plain text); nothing is rendered as HTML.
"""

from __future__ import annotations

import streamlit as st

from curation.access.actors import Permission
from curation.cards import limits, service
from curation.cards.brand import load_brand
from curation.cards.templates import FORMATS, TEMPLATES
from curation.errors import CurationError
from ui import context
from ui.audiogram_button import render_audiogram_button

actor = context.require_page(Permission.PREVIEW_CARDS)
db = context.database()
consultation_id = context.consultation_id()
brand = load_brand()

st.title("Card preview")

with db.session() as session:
    quotes = {
        q.id: f"#{q.id} · Q{q.response.question.number} · {q.text[:70]}"
        + ("…" if len(q.text) > 70 else "")
        for q in service.previewable_quotes(session, actor, consultation_id)
    }

sources = ["Approved quote", "Typed text"] if quotes else ["Typed text"]
source = st.radio("Card from", sources, horizontal=True, key="prev_source")
if not quotes:
    st.info("No approved quotes yet: type a text to try the designs.")

col_t, col_f = st.columns(2)
template = col_t.selectbox(
    "Template", list(TEMPLATES), index=list(TEMPLATES).index(brand.default_template),
    format_func=lambda name: TEMPLATES[name].title, key="prev_template",
)  # fmt: skip
fmt = col_f.selectbox(
    "Format", list(FORMATS), format_func=lambda name: FORMATS[name].title, key="prev_format"
)

st.caption(
    f"{TEMPLATES[template].title}, {FORMATS[fmt].title}: up to about "
    f"{limits.character_limit(template, fmt, brand)} characters at a readable size"
)

quote_id: int | None = None
text = attribution = ""
if source == "Approved quote":
    quote_id = st.selectbox(
        "Quote", list(quotes), format_func=lambda qid: quotes[qid], key="prev_quote"
    )
else:
    text = st.text_area("Quote text", value="Give towns the power to decide.", max_chars=600,
                        key="prev_text")  # fmt: skip
    attribution = st.text_input("Attribution", value="A respondent", max_chars=200,
                                key="prev_attribution")  # fmt: skip


def _render(fmt_name: str) -> tuple[bytes, str, int | None]:
    """PNG bytes, alt text and the stored card's id (None for typed text)."""
    if quote_id is not None:
        with db.session() as session:
            card = service.render_quote_card(session, actor, quote_id, template, fmt_name)
            return service.card_file(card).read_bytes(), card.alt_text, card.id
    rendered = service.preview_text_card(actor, text, attribution, template, fmt_name)
    return rendered.png, rendered.alt_text, None


try:
    png, alt, card_id = _render(fmt)
except CurationError as exc:
    st.error(str(exc))
    st.stop()

left, right = st.columns([3, 2])
with left:
    st.image(png, caption=f"{FORMATS[fmt].title} · {len(png) // 1024} KiB")
with right:
    st.download_button(
        "Download PNG", png, file_name=f"card-{quote_id or 'text'}-{template}-{fmt}.png",
        mime="image/png", key="prev_download",
    )  # fmt: skip
    can_edit = card_id is not None and actor.can(Permission.COMPOSE_POSTS)
    edited = st.text_area("Alt text", value=alt, max_chars=1000, height=220,
                          disabled=not can_edit, key=f"prev_alt_{card_id}")  # fmt: skip
    if can_edit and st.button("Save alt text", key="prev_save_alt"):
        try:
            with db.session() as session:
                service.update_alt_text(session, actor, card_id, edited)  # type: ignore[arg-type]
            st.success("Alt text saved.")
        except CurationError as exc:
            st.error(str(exc))

if quote_id is not None:
    render_audiogram_button(quote_id)

if st.toggle("Show every format side by side", key="prev_grid"):
    columns = st.columns(len(FORMATS))
    for column, name in zip(columns, FORMATS, strict=True):
        try:
            grid_png, _alt, _id = _render(name)
            column.image(grid_png, caption=FORMATS[name].title)
        except CurationError as exc:
            column.error(str(exc))

if quotes:
    st.subheader("Batch export")
    chosen = st.multiselect("Quotes", list(quotes), format_func=lambda qid: quotes[qid],
                            key="prev_export_quotes")  # fmt: skip
    chosen_t = st.multiselect(
        "Templates",
        list(TEMPLATES),
        default=[template],
        format_func=lambda n: TEMPLATES[n].title,
        key="prev_export_t",
    )
    chosen_f = st.multiselect(
        "Formats",
        list(FORMATS),
        default=list(FORMATS),
        format_func=lambda n: FORMATS[n].title,
        key="prev_export_f",
    )
    if st.button("Build ZIP", key="prev_export", disabled=not chosen):
        bar = st.progress(0.0, text="Rendering cards…")
        try:
            with db.session() as session:
                data = service.export_zip(
                    session, actor, chosen, chosen_f, chosen_t,
                    progress=lambda done, total: bar.progress(done / total,
                                                              text=f"{done} of {total} cards"),
                )  # fmt: skip
            st.session_state["prev_zip"] = data
        except CurationError as exc:
            st.error(str(exc))
    if st.session_state.get("prev_zip"):
        st.download_button("Download ZIP", st.session_state["prev_zip"], file_name="cards.zip",
                           mime="application/zip", key="prev_zip_download")  # fmt: skip
