"""Transcripts: WebVTT, SRT and plain text become response text with cue offsets; edge cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from curation.errors import UnusableInput
from curation.media.timing import span_seconds
from curation.media.transcripts import parse_transcript, read_transcript

VTT = """WEBVTT

00:00:00.000 --> 00:00:02.000
<v Ann>We need <b>buses</b>
that run on time.

00:00:02.500 --> 00:00:04.000
Not just at rush hour.
"""
SRT = """1
00:00:00,000 --> 00:00:01,500
Fund the high street.

2
00:00:01,500 --> 00:00:03,000
Local shops matter.
"""


def test_vtt_becomes_text_with_offsets() -> None:
    """VTT cues join with a space, tags stripped, and keep their times as char offsets."""
    t = parse_transcript(VTT, filename="a.vtt")
    assert t.format == "vtt"
    assert t.text == "We need buses that run on time. Not just at rush hour."
    assert [t.text[c.start_char : c.end_char] for c in t.cues] == [
        "We need buses that run on time.", "Not just at rush hour.",
    ]  # fmt: skip
    assert [(c.start_seconds, c.end_seconds) for c in t.cues] == [(0.0, 2.0), (2.5, 4.0)]


def test_srt_becomes_text_with_offsets() -> None:
    """SRT subtitles are read the same way."""
    t = parse_transcript(SRT, filename="a.srt")
    assert t.text == "Fund the high street. Local shops matter."
    assert [(c.start_char, c.end_char) for c in t.cues] == [(0, 21), (22, 41)]
    assert t.cues[1].start_seconds == 1.5


def test_format_is_detected_from_content_without_extension() -> None:
    """With no telling file name, a WEBVTT header or arrows decide the format."""
    assert parse_transcript(VTT).format == "vtt"
    assert parse_transcript(SRT).format == "srt"
    assert parse_transcript("Just my view.").format == "plain"


def test_plain_text_has_no_timings(tmp_path: Path) -> None:
    """A .txt transcript is the text as written, without cues."""
    path = tmp_path / "t.txt"
    path.write_text("\ufeffFirst line.\r\nSecond line.\r\n", encoding="utf-8")
    t = read_transcript(path)
    assert (t.text, t.cues, t.timed) == ("First line.\nSecond line.", (), False)


def test_overlapping_cues_are_clamped_and_reported() -> None:
    """A cue that starts before the previous ends clamps the previous cue's end, with a note."""
    raw = (
        "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nOne two.\n\n"
        "00:00:01.500 --> 00:00:03.000\nThree four.\n"
    )
    t = parse_transcript(raw, filename="o.vtt")
    assert [(c.start_seconds, c.end_seconds) for c in t.cues] == [(0.0, 1.5), (1.5, 3.0)]
    assert t.notes and "clamped" in t.notes[0]


def test_cues_out_of_order_are_refused() -> None:
    """A cue starting before (or with) the cue before it is refused, naming the cue."""
    raw = SRT.replace("00:00:01,500 --> 00:00:03,000", "00:00:00,000 --> 00:00:03,000")
    with pytest.raises(UnusableInput, match=r"cue 2 .* must be in time order"):
        parse_transcript(raw, filename="x.srt")


def test_cue_ending_before_it_starts_is_refused() -> None:
    """A cue whose end is before its start is refused."""
    raw = "1\n00:00:03,000 --> 00:00:01,000\nBackwards.\n"
    with pytest.raises(UnusableInput, match="ends before it starts"):
        parse_transcript(raw, filename="x.srt")


def test_missing_timestamps_fall_back_to_plain_text() -> None:
    """A .vtt or .srt file with no timestamps at all is kept as plain text, with a note."""
    t = parse_transcript("WEBVTT\n\nJust what I said.\n", filename="n.vtt")
    assert (t.text, t.format, t.cues) == ("Just what I said.", "plain", ())
    assert "no timestamps" in t.notes[0]
    assert parse_transcript("Only words.\n", filename="n.srt").text == "Only words."


def test_unreadable_timestamps_are_refused() -> None:
    """Timestamps that cannot be read are refused rather than silently dropped."""
    raw = VTT.replace("00:00:02.500", "00:00:0x.500")
    with pytest.raises(UnusableInput, match="could not be read"):
        parse_transcript(raw, filename="bad.vtt")


def test_empty_and_non_utf8_transcripts_are_refused(tmp_path: Path) -> None:
    """Empty transcripts and non-UTF-8 bytes are refused with a reason."""
    with pytest.raises(UnusableInput, match="no text"):
        parse_transcript("   \n", filename="e.txt")
    latin = tmp_path / "l.txt"
    latin.write_bytes("café".encode("latin-1"))
    with pytest.raises(UnusableInput, match="not UTF-8"):
        read_transcript(latin)


def test_quote_span_maps_to_seconds_through_cues() -> None:
    """A span covering a whole cue maps to its times; a span inside a cue is interpolated."""
    t = parse_transcript(VTT, filename="a.vtt")
    second = t.cues[1]
    assert span_seconds(t.cues, second.start_char, second.end_char) == (2.5, 4.0)
    start, end = span_seconds(t.cues, 0, 13) or (0.0, 0.0)  # "We need buses"
    assert start == 0.0 and 0.8 < end < 1.2
    assert span_seconds((), 0, 5) is None
