"""Privacy: withdraw and erase a respondent, apply retention, and the consent switches."""

from __future__ import annotations

import importlib

import streamlit as st

from curation import app_settings, privacy
from curation.actors import Permission
from curation.errors import CurationError
from curation.rights import switches
from ui import context

actor = context.require_page(Permission.ERASE)
db = context.database()

st.title("Privacy")

st.subheader("Withdraw and erase a respondent")
st.caption(
    "Withdrawal stops every use of their words (queued posts, cards). Erasure then "
    "deletes their personal data and keeps only a pseudonymous record, so a re-import "
    "of the same export does not bring them back."
)
respondent_id = st.number_input(
    "Respondent id", min_value=1, step=1, value=None, key="privacy_respondent"
)
cols = st.columns(2)
if cols[0].button("Withdraw", key="privacy_withdraw", disabled=respondent_id is None):
    try:
        withdrawal = importlib.import_module("curation.withdrawal")
    except ImportError:
        st.warning("Withdrawal is not available in this installation yet.")
    else:
        try:
            with db.session() as session:
                withdrawal.withdraw_respondent(session, actor, int(respondent_id or 0))
            st.success(f"Respondent {respondent_id} is withdrawn.")
        except CurationError as exc:
            st.error(str(exc))
if cols[1].button("Erase", key="privacy_erase", type="primary", disabled=respondent_id is None):
    try:
        with db.session() as session:
            result = privacy.erase_respondent(session, actor, int(respondent_id or 0))
        if result.already_erased:
            st.info(f"Respondent {respondent_id} was already erased.")
        else:
            st.success(
                f"Erased respondent {respondent_id}: {result.responses_cleared} responses "
                f"cleared, {result.files_deleted} files deleted."
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
for key, label in labels.items():
    wanted = st.toggle(label, value=current[key], key=f"setting_{key}")
    if wanted != current[key]:
        with db.session() as session:
            undone = switches.change_setting(session, actor, key, wanted)
        st.toast(f"Saved: {key} = {wanted}")
        if undone.get("respondents"):
            st.warning(
                f"Anonymous quotes are off: {undone['posts_cancelled']} posts cancelled, "
                f"{undone['posts_deleted']} taken down, {undone['cards_deleted']} cards deleted, "
                f"{undone['quotes_withdrawn']} quotes withdrawn."
            )
