"""Showing untrusted text (respondent answers, names) inside Streamlit Markdown safely.

The one Markdown escaper of the dashboard: every name, organisation, attribution, quote
or answer that goes into st.markdown, st.caption, st.info and the like passes through it.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence

# CommonMark lets any ASCII punctuation be backslash-escaped; escaping all of it also
# disarms Streamlit's own extensions (:red[...], :material/icon:, $LaTeX$, emoji codes).
_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")


def escape_markdown(text: str) -> str:
    """`text` as literal Markdown: no links, emphasis, headings, HTML, colours or maths."""
    return _PUNCTUATION.sub(r"\\\1", text)


def highlight_markdown(text: str, ranges: Sequence[tuple[int, int]]) -> str:
    """Response text as escaped Markdown, with `ranges` on a highlighted background.

    Every Markdown control character is backslash-escaped, so respondent text can never
    turn into links, images or HTML.
    """
    out: list[str] = []
    pos = 0
    for start, end in sorted(ranges):
        if start < pos:
            continue
        before = text[pos:start]
        # The highlight's padding already separates it from its neighbours; one space more
        # would show as a wide gap. So one plain space on each side of a highlight is dropped.
        if pos > 0 and before.startswith(" "):
            before = before[1:]
        out.append(escape_markdown(before[:-1] if before.endswith(" ") else before))
        out.append(":orange-background[" + escape_markdown(text[start:end]) + "]")
        pos = end
    after = text[pos:]
    out.append(escape_markdown(after[1:] if pos > 0 and after.startswith(" ") else after))
    return "".join(out).replace("\n", "  \n")
