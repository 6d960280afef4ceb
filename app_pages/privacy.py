"""Privacy: withdraw and erase a respondent, apply retention, and the consent switches."""

from __future__ import annotations

import importlib

import streamlit as st

from curation import app_settings, respondent_search
from curation.access.actors import Permission
from curation.errors import CurationError
from curation.rights import privacy, switches
from ui import context
from ui.safe_text import escape_markdown

actor = context.require_page(Permission.ERASE)
db = context.database()

st.title("Privacy")

st.subheader("Withdraw and erase a respondent")
st.caption(
    "Withdrawal stops every use of their words (queued posts, cards). Erasure then "
    "deletes their personal data and keeps only a pseudonymous record, so a re-import "
    "of the same export does not bring them back."
)
search = st.text_input(
    "Find the respondent",
    key="privacy_search",
    max_chars=120,
    placeholder="Name, email, organisation or form submission id",
)
with db.session() as session:
    found = respondent_search.find_respondents(session, actor, context.consultation_id(), search)
choices = {c.id: c for c in found}
respondent_id = st.selectbox(
    "Respondent",
    list(choices),
    index=None,
    key="privacy_respondent",
    format_func=lambda rid: choices[rid].label if rid in choices else "(not in this list)",
    placeholder="Choose from the matches" if choices else "Nobody matches; try other words",
)
if len(found) == respondent_search.MAX_CHOICES:
    st.caption(f"The first {respondent_search.MAX_CHOICES} matches; type more to narrow.")
who = escape_markdown(choices[respondent_id].label.split(" · ")[0]) if respondent_id else ""
cols = st.columns(2)
if cols[0].button("Withdraw", key="privacy_withdraw", disabled=respondent_id is None):
    try:
        withdrawal = importlib.import_module("curation.rights.withdrawal")
    except ImportError:
        st.warning("Withdrawal is not available in this installation yet.")
    else:
        try:
            with db.session() as session:
                withdrawal.withdraw_respondent(session, actor, int(respondent_id or 0))
            st.success(f"{who} is withdrawn: nothing of theirs will be used or posted.")
        except CurationError as exc:
            st.error(str(exc))
if cols[1].button("Erase", key="privacy_erase", type="primary", disabled=respondent_id is None):
    try:
        with db.session() as session:
            result = privacy.erase_respondent(session, actor, int(respondent_id or 0))
        if result.already_erased:
            st.info(f"{who} was already erased.")
        else:
            st.success(
                f"Erased {who}: {result.responses_cleared} answers cleared, "
                f"{result.files_deleted} files deleted."
            )
    except CurationError as exc:
        st.error(str(exc))

st.subheader("Retention")
with db.session() as session:
    days = app_settings.get(session, "retention_days")
st.caption(f"Respondents without consent are purged {days} days after they were imported.")
rcols = st.columns(2)
if rcols[0].button("Preview (dry run)", key="retention_dry_run"):
    with db.session() as session:
        preview = privacy.apply_retention(session, actor, dry_run=True)
    st.info(
        f"{len(preview.respondent_ids)} respondents ({preview.responses} responses) "
        f"would be purged."
    )
if rcols[1].button("Apply retention", key="retention_apply"):
    with db.session() as session:
        done = privacy.apply_retention(session, actor, dry_run=False)
    st.success(f"Purged {len(done.respondent_ids)} respondents ({done.responses} responses).")

st.subheader("Consent switches")
with db.session() as session:
    current = {
        k: bool(app_settings.get(session, k))
        for k in ("allow_anonymous_quotes", "single_person_approval")
    }
labels = {
    "allow_anonymous_quotes": "Allow quotes from anonymous respondents (credited "
    '"Anonymous respondent", region at most)',
    "single_person_approval": "Let one person pick and approve the same quote",
}
SHORT = {
    "allow_anonymous_quotes": "quotes from anonymous respondents",
    "single_person_approval": "one-person approval",
}
for key, label in labels.items():
    wanted = st.toggle(label, value=current[key], key=f"setting_{key}")
    if wanted != current[key]:
        with db.session() as session:
            undone = switches.change_setting(session, actor, key, wanted)
        st.toast(f"Saved: {SHORT[key]} {'on' if wanted else 'off'}.")
        if undone.get("respondents"):
            st.warning(
                f"Anonymous quotes are off: {undone['posts_cancelled']} posts cancelled, "
                f"{undone['posts_deleted']} taken down, {undone['cards_deleted']} cards deleted, "
                f"{undone['quotes_withdrawn']} quotes withdrawn."
            )
