"""Spans: the character ranges of a response that make up a quote, and the text they give.

A quote is the respondent's exact words. Spans are only ever trimmed of whitespace at
their edges by moving the offsets; the words between them are never touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import regex

from curation.errors import UnusableInput

JOINER = " … "
MAX_SPANS = 10
_SENTENCE_END = regex.compile(r"(?<=[.!?…])[\"'’”)\]]*\s+")


@dataclass(frozen=True)
class Span:
    """Characters `start` to `end` (exclusive) of a response; seconds where it was spoken."""

    start: int
    end: int
    t_start: float | None = None
    t_end: float | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"start": self.start, "end": self.end}
        if self.t_start is not None:
            out["t_start"] = self.t_start
        if self.t_end is not None:
            out["t_end"] = self.t_end
        return out


def _as_span(value: Span | Mapping[str, Any] | tuple[int, int]) -> Span:
    if isinstance(value, Span):
        return value
    if isinstance(value, tuple):
        start, end = value
        t_start = t_end = None
    elif isinstance(value, Mapping):
        if "start" not in value or "end" not in value:
            raise UnusableInput("each span needs a 'start' and an 'end'")
        start, end = value["start"], value["end"]
        t_start, t_end = value.get("t_start"), value.get("t_end")
    else:
        raise UnusableInput(f"not a span: {value!r}")
    if isinstance(start, bool) or isinstance(end, bool):
        raise UnusableInput("span offsets must be whole numbers")
    if not isinstance(start, int) or not isinstance(end, int):
        raise UnusableInput("span offsets must be whole numbers")
    for t in (t_start, t_end):
        if t is not None and (isinstance(t, bool) or not isinstance(t, int | float) or t < 0):
            raise UnusableInput("span times must be non-negative seconds")
    if t_start is not None and t_end is not None and t_end < t_start:
        raise UnusableInput("a span's end time is before its start time")
    return Span(
        start,
        end,
        None if t_start is None else float(t_start),
        None if t_end is None else float(t_end),
    )


def trim(text: str, span: Span) -> Span:
    """The span with whitespace at its edges left out (offsets move; text is not changed)."""
    start, end = span.start, span.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end, span.t_start, span.t_end)


def validate_spans(
    text: str, spans: Iterable[Span | Mapping[str, Any] | tuple[int, int]]
) -> list[Span]:
    """Check spans are in bounds, ordered and non-overlapping; return them trimmed.

    Raises `UnusableInput` saying which span is wrong and why.
    """
    raw = [_as_span(s) for s in spans]
    if not raw:
        raise UnusableInput("a quote needs at least one span")
    if len(raw) > MAX_SPANS:
        raise UnusableInput(f"a quote may have at most {MAX_SPANS} spans")
    out: list[Span] = []
    for i, span in enumerate(raw, start=1):
        if span.start < 0 or span.end > len(text) or span.start >= span.end:
            raise UnusableInput(
                f"span {i} ({span.start}:{span.end}) is outside the response's "
                f"{len(text)} characters or empty"
            )
        trimmed = trim(text, span)
        if trimmed.start == trimmed.end:
            raise UnusableInput(f"span {i} ({span.start}:{span.end}) holds only whitespace")
        if out and trimmed.start < out[-1].end:
            raise UnusableInput(
                f"span {i} ({span.start}:{span.end}) overlaps or comes before span {i - 1}"
            )
        out.append(trimmed)
    return out


SpanLike = Span | Mapping[str, Any] | tuple[int, int]


def quote_text(response_text: str, spans: Iterable[SpanLike]) -> str:
    """The quote: the (trimmed) spans of the response, joined by " … "."""
    checked = validate_spans(response_text, spans)
    return JOINER.join(response_text[s.start : s.end] for s in checked)


def spans_to_json(spans: Iterable[Span]) -> list[dict[str, Any]]:
    return [s.as_dict() for s in spans]


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def sentences(text: str) -> list[Sentence]:
    """The response split into sentences (offsets trimmed of whitespace).

    A plain rule: a sentence ends at . ! ? or … (plus closing quotes) followed by
    whitespace, or at a line break. Good enough to offer choices; the curator can
    always adjust offsets by hand.
    """
    out: list[Sentence] = []
    pos = 0
    breaks = [m.end() for m in _SENTENCE_END.finditer(text)]
    breaks += [m.end() for m in regex.finditer(r"\n\s*", text)]
    for cut in [*sorted(set(breaks)), len(text)]:
        if cut <= pos:
            continue
        span = trim(text, Span(pos, cut))
        if span.end > span.start:
            out.append(Sentence(span.start, span.end, text[span.start : span.end]))
        pos = cut
    return out
