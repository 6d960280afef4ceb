"""Audiograms: an H.264 + AAC MP4 of the quote's time range, sized by format; consent refusals."""

from __future__ import annotations

from pathlib import Path

import av
import pytest

from curation.access.actors import Actor
from curation.demo import speech as synth
from curation.errors import ConsentError, UnusableInput
from curation.media.audiogram import NO_MEDIA_CONSENT, build_captions, make_audiogram
from curation.media.intake import add_media
from curation.media.timing import cues_for, quote_segments
from curation.quotes.workflow import create_quote
from curation.store import Database
from curation.store.foundation import Consultation, Respondent
from curation.store.quotes import Quote

VTT = (
    "WEBVTT\n\n"
    "00:00:00.000 --> 00:00:01.000\nWe need better buses.\n\n"
    "00:00:01.000 --> 00:00:02.000\nThe last one leaves at six.\n\n"
    "00:00:02.000 --> 00:00:03.000\nThat is no good for shift workers.\n"
)


def _respondent(db: Database, consultation: Consultation, **fields: object) -> int:
    values: dict[str, object] = {
        "name": "Ada Audio", "consent_to_quote": True, "media_consent": True,
        "region": "North East",
    }  # fmt: skip
    values.update(fields)
    with db.session() as session:
        person = Respondent(
            consultation_id=consultation.id, source_key=str(values["name"]), **values
        )
        session.add(person)
        session.flush()
        return person.id


def _quote(db: Database, curator: Actor, respondent_id: int, tmp_path: Path, spans: list) -> int:
    """A 3-second clip made with PyAV, its transcript, and a quote on it."""
    clip = synth.write_audio(
        tmp_path / f"clip-{respondent_id}.m4a", synth.tone(3.0, seed=respondent_id)
    )
    vtt = tmp_path / "clip.vtt"
    vtt.write_text(VTT, encoding="utf-8")
    with db.session() as session:
        response = add_media(session, curator, respondent_id, 2, clip, transcript_path=vtt)
        session.flush()
        # Pick spans by their text, as the quote picker would.
        text = response.text
        chosen = [(text.index(s), text.index(s) + len(s)) for s in spans]
        return create_quote(session, curator, response.id, chosen).id


def _probe(path: Path) -> dict[str, object]:
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        audio = container.streams.audio[0]
        return {
            "duration": container.duration / 1_000_000,
            "video": video.codec_context.name,
            "size": (video.codec_context.width, video.codec_context.height),
            "pix_fmt": video.codec_context.pix_fmt,
            "audio": audio.codec_context.name,
        }


@pytest.fixture
def named(db: Database, consultation: Consultation) -> int:
    return _respondent(db, consultation)


def test_square_audiogram_matches_the_quote_range(
    db: Database, curator: Actor, named: int, tmp_path: Path
) -> None:
    """A quote over cues 2-3 gives a 720x720 H.264/AAC MP4 lasting those 2 seconds."""
    quote_id = _quote(db, curator, named, tmp_path,
                      ["The last one leaves at six. That is no good for shift workers."],
                      )  # fmt: skip
    out = tmp_path / "out" / "quote.mp4"
    with db.session() as session:
        result = make_audiogram(session, curator, quote_id, out, fmt="square")
    probed = _probe(out)
    assert (result.width, result.height) == (720, 720) == probed["size"]
    assert probed["video"] == "h264" and probed["audio"] == "aac" and probed["pix_fmt"] == "yuv420p"
    assert probed["duration"] == pytest.approx(2.0, abs=0.2)
    assert result.duration == pytest.approx(2.0, abs=0.05)
    data = out.read_bytes()
    assert data.find(b"moov") < data.find(b"mdat"), "faststart puts the index first"


def test_portrait_audiogram_of_a_two_span_quote(
    db: Database, curator: Actor, named: int, tmp_path: Path
) -> None:
    """A two-span quote plays both pieces back to back in a 720x1280 frame."""
    quote_id = _quote(db, curator, named, tmp_path,
                      ["We need better buses.", "That is no good for shift workers."])  # fmt: skip
    out = tmp_path / "portrait.mp4"
    with db.session() as session:
        quote = session.get(Quote, quote_id)
        assert quote is not None
        segments = quote_segments(session, quote)
        captions = build_captions(
            quote.response.text, segments, cues_for(session, quote.response_id)
        )
        result = make_audiogram(session, curator, quote_id, out, fmt="portrait")
    assert [(s.start_seconds, s.end_seconds) for s in segments] == [(0.0, 1.0), (2.0, 3.0)]
    assert [c.text for c in captions] == [
        "We need better buses.",
        "…That is no good for shift workers.",
    ]
    probed = _probe(out)
    assert probed["size"] == (720, 1280) == (result.width, result.height)
    assert probed["duration"] == pytest.approx(2.0, abs=0.2)


def test_anonymous_respondent_is_refused(
    db: Database, consultation: Consultation, curator: Actor, tmp_path: Path
) -> None:
    """An anonymous respondent's voice is never published, even with anonymous quotes allowed."""
    from curation import app_settings
    from curation.access.actors import LOCAL_ADMIN

    person = _respondent(db, consultation, name="Anon", anonymous=True)
    with db.session() as session:
        app_settings.put(session, LOCAL_ADMIN, "allow_anonymous_quotes", True)
    quote_id = _quote(db, curator, person, tmp_path, ["We need better buses."])
    with db.session() as session, pytest.raises(ConsentError, match="anonymous respondent"):
        make_audiogram(session, curator, quote_id, tmp_path / "a.mp4")
    assert not (tmp_path / "a.mp4").exists()


def test_no_media_consent_is_refused_with_text_card_hint(
    db: Database, consultation: Consultation, curator: Actor, tmp_path: Path
) -> None:
    """Without media consent the audiogram is refused; the reason says a text card is possible."""
    person = _respondent(db, consultation, name="Quiet Voice", media_consent=False)
    quote_id = _quote(db, curator, person, tmp_path, ["We need better buses."])
    with db.session() as session, pytest.raises(ConsentError, match=NO_MEDIA_CONSENT):
        make_audiogram(session, curator, quote_id, tmp_path / "b.mp4")
    assert not (tmp_path / "b.mp4").exists()


def test_not_quotable_respondent_is_refused(
    db: Database, consultation: Consultation, curator: Actor, named: int, tmp_path: Path
) -> None:
    """A respondent who withdrew after the quote was picked gets no audiogram."""
    from datetime import UTC, datetime

    quote_id = _quote(db, curator, named, tmp_path, ["We need better buses."])
    with db.session() as session:
        person = session.get(Respondent, named)
        assert person is not None
        person.withdrawn_at = datetime(2026, 3, 1, tzinfo=UTC)
    with db.session() as session, pytest.raises(ConsentError):
        make_audiogram(session, curator, quote_id, tmp_path / "c.mp4")


def test_unknown_format_is_refused(
    db: Database, curator: Actor, named: int, tmp_path: Path
) -> None:
    """Only the square and portrait formats exist."""
    quote_id = _quote(db, curator, named, tmp_path, ["We need better buses."])
    with db.session() as session, pytest.raises(UnusableInput, match="square or portrait"):
        make_audiogram(session, curator, quote_id, tmp_path / "d.mp4", fmt="landscape")


def test_plain_background_when_the_card_renderer_fails(
    db: Database, curator: Actor, named: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failing card renderer falls back to a plain brand-coloured card; the MP4 is still made."""
    import curation.cards.render as render

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("brand kit missing")

    monkeypatch.setattr(render, "render_card", broken)
    quote_id = _quote(db, curator, named, tmp_path, ["We need better buses."])
    with db.session() as session:
        result = make_audiogram(session, curator, quote_id, tmp_path / "plain.mp4")
    assert _probe(result.path)["size"] == (720, 720)
    assert result.duration == pytest.approx(1.0, abs=0.05)
