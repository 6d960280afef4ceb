"""Suggested quotes: card-sized, standalone, free of personal data, related to the question."""

from __future__ import annotations

import itertools

from curation.quotes.suggest import MAX_CHARS, MIN_CHARS, suggest_quotes
from curation.store.foundation import Theme

QUESTION = "Who should own and define what success looks like?"
TRANSPORT = Theme(number=3, slug="transport", name="Transport", keywords=["bus", "buses", "rail"])

ANSWER = (
    "Thanks. "
    "This is exactly the problem we keep seeing in our town every single year. "
    "Local people should own and define what success looks like, not Whitehall. "
    "Our buses stop at six so nobody without a car can take an evening job. "
    "Call me on 07700 900123 and I will explain how the community feels about it. "
    "And it will only get worse if nothing changes in the next few years here."
)


def test_top_suggestions_fit_and_hold_no_personal_data() -> None:
    """Every suggestion is 40-280 characters, an exact slice, and has no phone number."""
    got = suggest_quotes(ANSWER, question_text=QUESTION, themes=[TRANSPORT])
    assert len(got) == 3
    for s in got:
        assert MIN_CHARS <= len(s.text) <= MAX_CHARS
        assert ANSWER[s.start : s.end] == s.text
        assert "07700" not in s.text


def test_question_words_and_missions_rank_first() -> None:
    """The sentence sharing the question's words ranks first; a mission sentence scores too."""
    got = suggest_quotes(ANSWER, question_text=QUESTION, themes=[TRANSPORT])
    assert got[0].text.startswith("Local people should own and define")
    assert any("shares words with the question" in r for r in got[0].reasons)
    bus = next(s for s in got if "buses" in s.text)
    assert bus.themes == ["Transport"]


def test_openings_that_point_back_are_penalised() -> None:
    """A sentence opening with "This" or "And" scores below an equal standalone one."""
    text = (
        "This matters because rural towns have lost their bus services. "
        "Rural towns have lost their bus services and their post offices."
    )
    got = suggest_quotes(text, limit=2)
    assert got[0].text.startswith("Rural towns")
    assert any("points back" in r for r in got[1].reasons)


def test_suggestions_do_not_overlap_and_ties_go_to_earlier_text() -> None:
    """Chosen suggestions never share characters; equal scores keep text order."""
    text = " ".join(
        f"Sentence number {w} says something about local decisions."
        for w in ("one", "two", "three", "four")
    )
    got = suggest_quotes(text, limit=4)
    spans = sorted((s.start, s.end) for s in got)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    assert got == suggest_quotes(text, limit=4)  # deterministic


def test_respondent_name_and_too_short_text_give_nothing() -> None:
    """A sentence with the respondent's own name, or too short for a card, is never suggested."""
    text = "Hi. Priya Shah here, and I think the missions ignore carers entirely."
    assert suggest_quotes(text, respondent_name="Priya Shah") == []
    assert suggest_quotes("Too short.") == []
