"""Suggested quotes: a sentence or two adjacent sentences that would work on a card.

Candidates must fit a card (40-280 characters) and hold no personal data. They score
higher when they stand on their own, read as a whole sentence, and share words with the
question or a mission's keywords. Deterministic: ties go to the earlier text.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import regex

from curation.quotes.personal_data import find_personal_data
from curation.quotes.spans import Span, sentences
from curation.responses.themes import matching_themes
from curation.store.foundation import Theme

MIN_CHARS = 40
MAX_CHARS = 280
POINTING_BACK = frozenset(
    {"this", "it", "that", "they", "these", "those", "also", "and", "but", "so", "he", "she",
     "which", "there", "them", "as", "or", "however", "because"}
)  # fmt: skip
_STOP = frozenset(
    """a an the and or but so of to in on at for with by from as is are was were be been being
    it its this that these those there their they them we our you your i me my he she his her
    do does did not no yes what who why how which where when should would could can will
    about into than then also any all some more most very just have has had government's
    government think consider like see""".split()  # noqa: SIM905
)


@dataclass(frozen=True)
class Suggestion:
    """One candidate quote: its span of the response, its text, a score and the reasons."""

    start: int
    end: int
    text: str
    score: float
    reasons: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)


def _content_words(text: str) -> set[str]:
    words = {w.lower() for w in regex.findall(r"\p{L}[\p{L}'’-]+", text)}
    return {_stem(w) for w in words if w not in _STOP and len(w) > 2}


def _stem(word: str) -> str:
    """A crude plural stem, enough to match "mission" with "missions"."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 4:
        return word[:-1]
    return word


def _first_word(text: str) -> str:
    match = regex.match(r"[\"'“‘(]*(\p{L}+)", text)
    return match.group(1).lower() if match else ""


def _score(
    text: str, question_words: set[str], themes: Sequence[Theme]
) -> tuple[float, list[str], list[str]]:
    score, reasons = 1.0, []
    if 80 <= len(text) <= 200:
        score += 0.5
        reasons.append(f"{len(text)} characters: a comfortable card length")
    else:
        reasons.append(f"{len(text)} characters: fits a card")
    opener = _first_word(text)
    if opener in POINTING_BACK:
        score -= 1.5
        reasons.append(f"opens with '{opener.capitalize()}', which points back to earlier text")
    else:
        score += 0.3
        reasons.append("stands on its own")
    if text.rstrip("\"'”’)").endswith((".", "!", "?")):
        score += 0.2
    shared = sorted(_content_words(text) & question_words)
    if shared:
        score += min(1.0, 0.35 * len(shared))
        reasons.append("shares words with the question: " + ", ".join(shared[:5]))
    missions = [t.name for t in matching_themes(text, list(themes))]
    if missions:
        score += min(1.0, 0.5 * len(missions))
        reasons.append("mentions a mission: " + ", ".join(missions[:3]))
    return round(score, 3), reasons, missions


def suggest_quotes(
    response_text: str,
    *,
    question_text: str = "",
    themes: Sequence[Theme] = (),
    respondent_name: str | None = None,
    limit: int = 3,
) -> list[Suggestion]:
    """The best `limit` candidate quotes of a response, best first, none overlapping."""
    parts = sentences(response_text)
    candidates: list[tuple[int, int]] = [(s.start, s.end) for s in parts]
    candidates += [(a.start, b.end) for a, b in itertools.pairwise(parts)]
    question_words = _content_words(question_text)
    scored: list[Suggestion] = []
    for start, end in candidates:
        text = response_text[start:end]
        if not MIN_CHARS <= len(text) <= MAX_CHARS:
            continue
        if find_personal_data(text, respondent_name=respondent_name):
            continue
        score, reasons, missions = _score(text, question_words, themes)
        scored.append(Suggestion(start, end, text, score, reasons, missions))
    scored.sort(key=lambda s: (-s.score, s.start, s.end))
    chosen: list[Suggestion] = []
    for candidate in scored:
        if all(candidate.end <= c.start or candidate.start >= c.end for c in chosen):
            chosen.append(candidate)
        if len(chosen) == limit:
            break
    return chosen


T = TypeVar("T")


def one_per_group(items: Iterable[T], group_of: Callable[[T], Hashable | None]) -> list[T]:
    """Keep the first item of each campaign (near-duplicate) group, in order; items whose
    group is None stand alone. Suggestions never offer two quotes from one group."""
    seen: set[Hashable] = set()
    kept: list[T] = []
    for item in items:
        group = group_of(item)
        if group is not None:
            if group in seen:
                continue
            seen.add(group)
        kept.append(item)
    return kept
