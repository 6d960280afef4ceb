"""Upload widgets with a size cap each, below the server-wide `server.maxUploadSize`.

The browser enforces `max_upload_size`; `within_cap` checks again on the server, since a
crafted request can skip the browser. Pages use `capped_uploader` instead of calling
`st.file_uploader` directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

# Megabytes per kind of upload (the server-wide cap in .streamlit/config.toml is 50).
UPLOAD_CAPS_MB: dict[str, int] = {
    "responses": 50,  # form exports: CSV, XLSX, JSON
    "media": 200,  # a 1-2 minute clip; curation.media checks duration and codecs too
    "transcript": 2,
    "image": 2,  # logos and backgrounds; curation.cards.brand.validate_logo caps pixels
    "font": 8,
    "metrics": 20,
}


def capped_uploader(
    label: str, kind: str, *, key: str, type: str | Sequence[str] | None = None, **kwargs: Any
) -> Any:
    """`st.file_uploader` with the cap for `kind`; an oversized file is refused with a message."""
    cap = UPLOAD_CAPS_MB[kind]
    uploaded = st.file_uploader(label, type=type, key=key, max_upload_size=cap, **kwargs)
    if uploaded is not None and not within_cap(uploaded.size, kind):
        st.error(f"That file is larger than {cap} MB.")
        return None
    return uploaded


def within_cap(size_bytes: int, kind: str) -> bool:
    return 0 <= size_bytes <= UPLOAD_CAPS_MB[kind] * 1024 * 1024
