"""Showing untrusted text (respondent answers, names) inside Streamlit Markdown safely."""

from __future__ import annotations

import re
import string

# CommonMark lets any ASCII punctuation be backslash-escaped; escaping all of it also
# disarms Streamlit's own extensions (:red[...], :material/icon:, $LaTeX$, emoji codes).
_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")


def escape_markdown(text: str) -> str:
    """`text` as literal Markdown: no links, emphasis, headings, HTML, colours or maths."""
    return _PUNCTUATION.sub(r"\\\1", text)
