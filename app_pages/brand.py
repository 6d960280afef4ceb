"""Brand: the kit every card uses. Everyone who previews cards may look; admins may change
the colours (checked for contrast) and upload a logo (PNG or JPEG, size-capped)."""

from __future__ import annotations

import streamlit as st

from curation.access.actors import Permission
from curation.cards import service
from curation.cards.brand import COLOUR_ROLES, MAX_LOGO_BYTES, load_brand
from curation.cards.templates import TEMPLATES
from curation.errors import CurationError
from ui import context
from ui.uploads import capped_uploader

actor = context.require_page(Permission.PREVIEW_CARDS)
db = context.database()
can_edit = actor.can(Permission.MANAGE_BRAND)

st.title("Brand kit")
try:
    brand = load_brand()
except CurationError as exc:
    st.error(str(exc))
    st.stop()

info, logo_col = st.columns([3, 2])
with info:
    st.text(f"Organisation: {brand.organisation}")
    st.text(f"Handle: {brand.handle}")
    st.text(f"Website: {brand.website}")
    st.text(f"Hashtags: {' '.join(brand.hashtags)}")
    st.text(f"Default template: {TEMPLATES[brand.default_template].title}")
    st.text("Fonts: " + ", ".join(p.name for p in brand.fonts.values()))
with logo_col:
    st.image(brand.logo.read_bytes(), caption="Logo")

st.subheader("Colours")
columns = st.columns(len(COLOUR_ROLES))
chosen: dict[str, str] = {}
for column, role in zip(columns, COLOUR_ROLES, strict=True):
    chosen[role] = column.color_picker(
        role.replace("_", " "), value=brand.colours[role], disabled=not can_edit,
        key=f"brand_colour_{role}",
    )  # fmt: skip

st.subheader("Card header titles")
st.caption("The words the Question band card shows above each quote, written for the public.")
with db.session() as session:
    questions = [
        (q.id, q.number, service.header_title(q))
        for q in service.question_titles(session, actor, context.consultation_id())
    ]
titles: dict[int, str] = {}
for question_id, number, title in questions:
    titles[question_id] = st.text_input(
        f"Question {number}", value=title, max_chars=service.MAX_PUBLIC_TITLE,
        disabled=not can_edit, key=f"brand_title_{question_id}",
    )  # fmt: skip
if can_edit and questions and st.button("Save header titles", key="brand_titles_save"):
    try:
        with db.session() as session:
            for question_id, _number, title in questions:
                if titles[question_id].strip() != title:
                    service.update_public_title(session, actor, question_id, titles[question_id])
        st.success("Header titles saved; new cards use them.")
    except CurationError as exc:
        st.error(str(exc))

if not can_edit:
    st.caption("Only administrators can change the brand kit.")
    st.stop()

upload = capped_uploader("New logo (PNG or JPEG)", "image", type=["png", "jpg", "jpeg"],
                         key="brand_logo")  # fmt: skip
picture = capped_uploader("New photo or illustration for the Photo template (PNG or JPEG)",
                          "image", type=["png", "jpg", "jpeg"], key="brand_image")  # fmt: skip
st.caption(f"Each at most {MAX_LOGO_BYTES // 1_000_000} MB and 4000×4000 pixels.")
if st.button("Save brand kit", key="brand_save", type="primary"):
    changed = {role: value.upper() for role, value in chosen.items()
               if value.upper() != brand.colours[role]}  # fmt: skip
    logo = upload.getvalue() if upload is not None else None
    image = picture.getvalue() if picture is not None else None
    try:
        with db.session() as session:
            service.update_brand(session, actor, colours=changed or None, logo=logo, image=image)
        st.success("Brand kit saved; new cards use it.")
    except CurationError as exc:
        st.error(str(exc))
