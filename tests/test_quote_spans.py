"""Spans: a quote's text is always exactly its spans of the response, joined by " … "."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curation.errors import UnusableInput
from curation.quotes.spans import JOINER, Span, quote_text, sentences, trim, validate_spans

TEXT = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Zs", "Cc")),
    min_size=1,
    max_size=300,
)


@st.composite
def text_and_spans(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]]]:
    text = draw(TEXT)
    cuts = sorted(draw(st.sets(st.integers(0, len(text)), min_size=2, max_size=8)))
    pairs = list(zip(cuts[::2], cuts[1::2], strict=False))
    return text, [(a, b) for a, b in pairs if a < b]


@settings(max_examples=300, deadline=None)
@given(text_and_spans())
def test_quote_text_is_always_the_trimmed_spans_joined(
    case: tuple[str, list[tuple[int, int]]],
) -> None:
    """Valid spans give exactly the response's characters, trimmed at the edges, joined by " … "."""
    text, spans = case
    try:
        checked = validate_spans(text, spans)
    except UnusableInput:
        # Only refused when a span holds nothing but whitespace, or there are no spans.
        assert not spans or any(not text[a:b].strip() for a, b in spans)
        return
    result = quote_text(text, spans)
    assert result == JOINER.join(text[s.start : s.end] for s in checked)
    for (a, b), span in zip(spans, checked, strict=True):
        assert a <= span.start < span.end <= b
        assert text[span.start : span.end] == text[a:b].strip()
    # Re-checking the stored (trimmed) spans gives the same words: the cache can be verified.
    assert quote_text(text, checked) == result


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_sentences_are_exact_non_overlapping_slices(text: str) -> None:
    """Every sentence is a trimmed slice of the text, in order, never overlapping."""
    parts = sentences(text)
    last = 0
    for part in parts:
        assert part.text == text[part.start : part.end] and part.text == part.text.strip()
        assert part.start >= last
        last = part.end

    def visible(s: str) -> str:
        return "".join(ch for ch in s if not ch.isspace())

    assert visible("".join(p.text for p in parts)) == visible(text)  # nothing is lost


@pytest.mark.parametrize(
    ("spans", "message"),
    [
        ([(5, 3)], "outside|empty"),
        ([(0, 99)], "outside"),
        ([(-1, 4)], "outside"),
        ([(0, 10), (5, 15)], "overlaps"),
        ([(10, 15), (0, 5)], "overlaps or comes before"),
        ([(5, 6)], "only whitespace"),
        ([], "at least one span"),
        ([{"start": 0}], "'start' and an 'end'"),
        ([{"start": 0, "end": 4, "t_start": 3.0, "t_end": 1.0}], "end time"),
    ],
)
def test_bad_spans_say_what_is_wrong(spans: list[object], message: str) -> None:
    """Each kind of bad span is refused with a reason naming the problem."""
    with pytest.raises(UnusableInput, match=message):
        validate_spans("Hello world, how are you?", spans)  # type: ignore[arg-type]


def test_spans_keep_their_seconds() -> None:
    """Spans of a timed transcript keep start and end seconds through validation."""
    checked = validate_spans(
        "We need buses.", [{"start": 0, "end": 14, "t_start": 1.5, "t_end": 3}]
    )
    assert checked == [Span(0, 14, 1.5, 3.0)]
    assert checked[0].as_dict() == {"start": 0, "end": 14, "t_start": 1.5, "t_end": 3.0}


def test_trim_moves_offsets_not_words() -> None:
    """Trimming only moves offsets past whitespace at the edges."""
    text = "  Keep  these   words.  "
    span = trim(text, Span(0, len(text)))
    assert (span.start, span.end) == (2, 22) and text[2:22] == "Keep  these   words."


def test_sentences_split_on_stops_and_line_breaks() -> None:
    """A response splits at full stops, question marks and line breaks."""
    text = "First point. Second point? Third\nFourth line"
    assert [s.text for s in sentences(text)] == [
        "First point.",
        "Second point?",
        "Third",
        "Fourth line",
    ]
