"""Mission tagging in bulk: the same whole-word keyword rule as `curation.responses.themes`.

`themes.tag_by_keywords` handles one ORM response at a time and runs a regex per
theme; half a million answers need something faster that gives the same answer.
A keyword matches as a whole word exactly when it equals a maximal run of word
characters (`[\\w&]`), so single-word keywords are set lookups; the few keywords with
spaces or hyphens are checked with the theme rule's own pattern, after a cheap
word prefilter. tests/test_import.py checks the two agree.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import regex

from curation.responses import themes
from curation.store.foundation import Theme

_WORD_RUN = re.compile(r"[\w&]+")


class KeywordTagger:
    """The ids of the themes whose keywords appear in a text (as `themes.matching_themes`)."""

    def __init__(self, theme_list: Sequence[Theme]) -> None:
        self._single: dict[str, set[int]] = {}
        # Keywords of several words, filed under their first word: few texts need the regex.
        self._phrases: dict[str, list[tuple[int, frozenset[str], regex.Pattern[str]]]] = {}
        for theme in theme_list:
            for keyword in {str(k).strip().lower() for k in theme.keywords or () if str(k).strip()}:
                if _WORD_RUN.fullmatch(keyword):
                    self._single.setdefault(keyword, set()).add(theme.id)
                else:
                    words = _WORD_RUN.findall(keyword)
                    self._phrases.setdefault(words[0], []).append(
                        (theme.id, frozenset(words), themes._pattern((keyword,)))
                    )
        self._single_keys = frozenset(self._single)
        self._phrase_keys = frozenset(self._phrases)

    def theme_ids(self, text: str) -> list[int]:
        words = _WORD_RUN.findall(text.lower())
        found: set[int] = set()
        # Intersecting the (small) keyword sets with the word list builds no set of all words.
        for word in self._single_keys.intersection(words):
            found |= self._single[word]
        firsts = self._phrase_keys.intersection(words)
        if firsts:
            every = set(words)
            for first in firsts:
                for theme_id, needed, pattern in self._phrases[first]:
                    if theme_id not in found and needed <= every and pattern.search(text):
                        found.add(theme_id)
        return sorted(found)
