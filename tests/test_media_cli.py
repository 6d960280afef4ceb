"""The media CLI commands, the Media page and the playback helper."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from curation.access.actors import Actor
from curation.cli import app
from curation.demo import speech as synth
from curation.errors import ConsentError
from curation.media.intake import add_media
from curation.media.playback import media_for_response, quote_start_seconds
from curation.quotes.workflow import create_quote
from curation.store import Database
from curation.store.foundation import Consultation, Respondent

ROOT = Path(__file__).resolve().parent.parent
SRT = (
    "1\n00:00:00,000 --> 00:00:01,000\nBuses matter.\n\n"
    "2\n00:00:01,000 --> 00:00:02,000\nSo do trains.\n"
)


def _person(db: Database, consultation: Consultation, **fields: object) -> int:
    values: dict[str, object] = {"name": "Cli Person", "consent_to_quote": True}
    values["media_consent"] = True
    values.update(fields)
    with db.session() as session:
        person = Respondent(
            consultation_id=consultation.id, source_key=str(values["name"]), **values
        )
        session.add(person)
        session.flush()
        return person.id


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    clip = synth.write_audio(tmp_path / "clip.wav", synth.tone(2.0))
    srt = tmp_path / "clip.srt"
    srt.write_text(SRT, encoding="utf-8")
    return clip, srt


def test_cli_media_add_and_audiogram(
    db: Database,
    consultation: Consultation,
    curator: Actor,
    files: tuple[Path, Path],
    tmp_path: Path,
) -> None:
    """`media add --json` stores the answer; `audiogram --json` writes the MP4 of a quote."""
    pid = _person(db, consultation)
    clip, srt = files
    runner = CliRunner()
    added = runner.invoke(
        app,
        [
            "media",
            "add",
            str(pid),
            "--question",
            "4",
            str(clip),
            "--transcript",
            str(srt),
            "--json",
        ],
    )
    assert added.exit_code == 0, added.output
    out = json.loads(added.stdout)
    assert out["created"] and out["cues"] == 2 and out["kind"] == "audio"
    with db.session() as session:
        quote = create_quote(session, curator, out["response_id"], [(14, 27)])
        qid = quote.id
    mp4 = tmp_path / "q.mp4"
    made = runner.invoke(app, ["audiogram", str(qid), "--out", str(mp4), "--json"])
    assert made.exit_code == 0, made.output
    summary = json.loads(made.stdout)
    assert (summary["width"], summary["height"]) == (720, 720)
    assert summary["duration_seconds"] == pytest.approx(1.0, abs=0.2) and mp4.stat().st_size > 0


def test_cli_refusals_exit_2_with_one_line(
    db: Database, consultation: Consultation, files: tuple[Path, Path], tmp_path: Path
) -> None:
    """Bad media and a non-MP4 output name exit 2 with a one-line reason."""
    pid = _person(db, consultation)
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    runner = CliRunner()
    bad = runner.invoke(app, ["media", "add", str(pid), "--question", "1", str(empty)])
    assert (
        bad.exit_code == 2 and "empty" in bad.output and len(bad.output.strip().splitlines()) == 1
    )
    wrong = runner.invoke(app, ["audiogram", "1", "--out", str(tmp_path / "x.gif")])
    assert wrong.exit_code == 2 and ".mp4" in wrong.output


def test_playback_gives_path_mime_cues_and_quote_start(
    db: Database, consultation: Consultation, curator: Actor, files: tuple[Path, Path]
) -> None:
    """The player helper returns the stored file, its type, the cue texts and a quote's start."""
    pid = _person(db, consultation)
    clip, srt = files
    with db.session() as session:
        response = add_media(session, curator, pid, 2, clip, transcript_path=srt)
        path, mime, cues = media_for_response(session, curator, response.id)
        quote = create_quote(session, curator, response.id, [(14, 27)])
        start = quote_start_seconds(session, curator, quote.id)
    assert path.read_bytes() == clip.read_bytes() and mime == "audio/wav"
    assert [(c.start_seconds, c.text) for c in cues] == [
        (0.0, "Buses matter."),
        (1.0, "So do trains."),
    ]
    assert start == 1.0


def test_playback_refuses_anonymous_voice(
    db: Database, consultation: Consultation, curator: Actor, files: tuple[Path, Path]
) -> None:
    """An anonymous respondent's recording is not played back, even when anonymous quotes are on."""
    from curation import app_settings
    from curation.access.actors import LOCAL_ADMIN

    pid = _person(db, consultation, name="Anon Voice", anonymous=True)
    clip, srt = files
    with db.session() as session:
        app_settings.put(session, LOCAL_ADMIN, "allow_anonymous_quotes", True)
        response = add_media(session, curator, pid, 2, clip, transcript_path=srt)
        with pytest.raises(ConsentError, match="anonymous"):
            media_for_response(session, curator, response.id)


def test_media_page_lists_players_and_hides_others(
    db: Database, consultation: Consultation, curator: Actor, files: tuple[Path, Path]
) -> None:
    """The Media page lists quotable recorded answers with a player, and counts hidden ones."""
    clip, srt = files
    shown = _person(db, consultation, name="Shown Person")
    hidden = _person(db, consultation, name="Hidden Person", consent_to_quote=False)
    with db.session() as session:
        add_media(session, curator, shown, 1, clip, transcript_path=srt)
        add_media(session, curator, hidden, 1, clip, transcript_path=srt)
    at = AppTest.from_file(str(ROOT / "app_pages" / "media.py"), default_timeout=30)
    at.session_state["actor"] = curator
    at.session_state["consultation_id"] = consultation.id
    at.run()
    assert not at.exception, at.exception
    labels = [e.label for e in at.expander]
    assert len(labels) == 1 and "Shown Person" in labels[0]
    assert not any("Hidden Person" in str(m.value) for m in at.markdown)
    assert any("1 recorded answers are hidden" in c.value for c in at.caption)
    assert at.get("audio"), "a player is rendered"


def test_media_page_refuses_viewer(viewer: Actor, db: Database) -> None:
    """Viewers cannot open the Media page."""
    at = AppTest.from_file(str(ROOT / "app_pages" / "media.py"), default_timeout=30)
    at.session_state["actor"] = viewer
    at.run()
    assert not at.exception
    assert any("cannot use this page" in e.value for e in at.error)


def _button_script(quote_id: int) -> None:
    from ui.audiogram_button import render_audiogram_button

    render_audiogram_button(quote_id)


def test_audiogram_button_makes_and_shows_the_video(
    db: Database,
    consultation: Consultation,
    curator: Actor,
    files: tuple[Path, Path],
) -> None:
    """The Preview-page control makes the audiogram on click and offers the MP4."""
    pid = _person(db, consultation)
    clip, srt = files
    with db.session() as session:
        response = add_media(session, curator, pid, 2, clip, transcript_path=srt)
        qid = create_quote(session, curator, response.id, [(0, 13)]).id
    at = AppTest.from_function(_button_script, args=(qid,), default_timeout=60)
    at.session_state["actor"] = curator
    at.run()
    assert not at.exception, at.exception
    at.button(key=f"audiogram_make_{qid}").click().run()
    assert not at.exception, at.exception
    assert any("Audiogram ready" in s.value for s in at.success)
    assert at.get("video") and at.get("download_button")


def test_audiogram_button_explains_a_refusal(
    db: Database,
    consultation: Consultation,
    curator: Actor,
    files: tuple[Path, Path],
) -> None:
    """Without media consent the control says why and offers no button."""
    pid = _person(db, consultation, name="No Media", media_consent=False)
    clip, srt = files
    with db.session() as session:
        response = add_media(session, curator, pid, 2, clip, transcript_path=srt)
        qid = create_quote(session, curator, response.id, [(0, 13)]).id
    at = AppTest.from_function(_button_script, args=(qid,), default_timeout=60)
    at.session_state["actor"] = curator
    at.run()
    assert not at.exception, at.exception
    assert any("no media consent" in c.value for c in at.caption)
    assert not at.button
