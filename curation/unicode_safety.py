"""Invisible and direction-changing characters that can disguise names and text.

A user name "admin\u200b" looks like "admin"; a right-to-left override (U+202E) makes
"Ann\u202eelpmaxE" display as something else and can flip the text after it on a card.
Names are refused or cleaned with these; respondents' answers keep their exact words
(they are shown with `st.text`, which renders characters, not markup).
"""

from __future__ import annotations

import regex

# Explicit embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), the
# invisible direction marks (U+200E LRM, U+200F RLM, U+061C ALM) that can reorder what
# follows them in a name, and zero-width characters other than the joiners scripts need
# (U+200C ZWNJ, U+200D ZWJ).
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
INVISIBLES = "\u200b\u2060\ufeff\u180e\u00ad"
_SPOOFING = regex.compile(f"[{BIDI_CONTROLS}{INVISIBLES}\\p{{Cc}}]")


def contains_spoofing(text: str) -> bool:
    """Whether `text` has bidi controls, zero-width spaces or control characters."""
    return bool(_SPOOFING.search(text))


def strip_spoofing(text: str) -> str:
    """`text` without bidi controls, zero-width spaces and control characters."""
    return _SPOOFING.sub("", text)
