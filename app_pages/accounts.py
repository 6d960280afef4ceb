"""Accounts: each network's connection health, last error and whether it needs reconnecting."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from curation.access.actors import Permission
from curation.posts import heartbeat
from curation.publishers import health as accounts
from curation.store.posts import NETWORK_NAMES
from ui import context
from ui.formatting import NEVER, human_time

actor = context.require_page(Permission.MANAGE_ACCOUNTS)
db = context.database()

st.title("Accounts")
st.caption(
    "Credentials come from the environment or .streamlit/secrets.toml and are never shown "
    "or stored here. A network without credentials is not connected: its posts wait, never "
    "marked posted, until it is. The outbox is a destination of its own: packs to post by hand."
)

if st.button("Test connections", key="accounts_test", type="primary"):
    with db.session() as session:
        rows = accounts.check_accounts(session, actor)
    st.success("Checked every account.")
else:
    with db.session() as session:
        rows = accounts.account_health(session, actor)

NETWORKS = NETWORK_NAMES
MODES = {"live": "Directly", "not connected": "Not connected", "outbox": "By hand (outbox)"}


def _state(row: dict[str, object]) -> str:
    if row["needs_reconnect"]:
        return "Credentials refused: reconnect"
    if row["ok"]:
        return "Working"
    return "Not tested yet" if not row["last_checked"] else "Not working"


st.dataframe(
    pd.DataFrame(
        [
            {
                "Network": NETWORKS.get(str(r["network"]), str(r["network"])),
                "How it posts": MODES.get(str(r["mode"]), str(r["mode"] or "")),
                "State": _state(r),
                "Account": r["account"] or "",
                "Last tested": human_time(r["last_checked"], empty=NEVER),
                "Last problem": r["last_error"] or "",
            }
            for r in rows
        ]
    ),
    hide_index=True,
    width="stretch",
    key="accounts_table",
)
with db.session() as session:
    status = heartbeat.publisher_status(session)
if status.running:  # the workers' own credentials may differ from this dashboard's
    st.caption(f"{status.label()}; it can reach: {', '.join(status.networks)}.")
else:
    st.caption(heartbeat.NOT_RUNNING)
for row in rows:
    if row["needs_reconnect"]:
        network = NETWORKS.get(str(row["network"]), str(row["network"]))
        st.warning(f"{network}: the credentials were refused; update them and test again.")

with st.expander("How to connect an account", expanded=False):
    st.markdown(
        "- **X**: `CURATION_X_CONSUMER_KEY`, `CURATION_X_CONSUMER_SECRET`, "
        "`CURATION_X_ACCESS_TOKEN`, `CURATION_X_ACCESS_TOKEN_SECRET`\n"
        "  (or `CURATION_X_BEARER_TOKEN`)\n"
        "- **Bluesky**: `CURATION_BLUESKY_HANDLE`, `CURATION_BLUESKY_APP_PASSWORD`\n"
        "- **Mastodon**: `CURATION_MASTODON_BASE`, `CURATION_MASTODON_ACCESS_TOKEN`\n\n"
        "Or the same keys, in lower case, in a section per network of "
        "`.streamlit/secrets.toml` (see the README)."
    )
