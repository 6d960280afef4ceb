"""Media intake: bad files refused clearly, storage dedups by hash, intake keeps cue offsets."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from curation.access.actors import Actor
from curation.config import load_settings
from curation.demo import speech as synth
from curation.errors import PermissionDenied, UnusableInput, WorkflowError
from curation.media.intake import add_media, add_media_detailed
from curation.media.probe import MediaCaps, probe
from curation.media.store import absolute_path, store_file
from curation.store import Database
from curation.store.foundation import AuditEntry, Consultation, Respondent
from curation.store.media import MediaAsset, TranscriptCue
from curation.store.quotes import Quote

VTT = (
    "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nOur town lost its bank.\n\n"
    "00:00:01.000 --> 00:00:02.000\nPlease bring it back.\n"
)


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    return synth.write_audio(tmp_path / "answer.wav", synth.tone(2.0))


@pytest.fixture
def vtt(tmp_path: Path) -> Path:
    path = tmp_path / "answer.vtt"
    path.write_text(VTT, encoding="utf-8")
    return path


@pytest.fixture
def respondent_id(db: Database, consultation: Consultation) -> int:
    with db.session() as session:
        person = Respondent(
            consultation_id=consultation.id, source_key="m-1", name="Mo Media",
            consent_to_quote=True, media_consent=True,
        )  # fmt: skip
        session.add(person)
        session.flush()
        return person.id


def test_zero_byte_file_is_refused(tmp_path: Path) -> None:
    """An empty upload is refused as empty."""
    empty = tmp_path / "empty.mp3"
    empty.write_bytes(b"")
    with pytest.raises(UnusableInput, match="empty"):
        probe(empty)


def test_text_renamed_as_audio_is_refused(tmp_path: Path) -> None:
    """A text file renamed .mp3 is refused as unreadable, hinting at the renaming."""
    fake = tmp_path / "fake.mp3"
    fake.write_text("not audio at all, just words " * 20, encoding="utf-8")
    with pytest.raises(UnusableInput, match="renamed"):
        probe(fake)


def test_wav_renamed_as_mp3_is_refused(tmp_path: Path, clip: Path) -> None:
    """A real WAV renamed .mp3 is refused, naming what it really is."""
    renamed = tmp_path / "renamed.mp3"
    shutil.copy(clip, renamed)
    with pytest.raises(UnusableInput, match=r"really 'wav', not \.mp3"):
        probe(renamed)


def test_unknown_extension_is_refused(tmp_path: Path, clip: Path) -> None:
    """Extensions outside the allowed list are refused with the list."""
    other = tmp_path / "clip.flac"
    shutil.copy(clip, other)
    with pytest.raises(UnusableInput, match=r"unsupported file type '\.flac'"):
        probe(other)


def test_zero_duration_recording_is_refused(tmp_path: Path) -> None:
    """A valid WAV header with no samples is refused as having no length."""
    silent = synth.write_audio(tmp_path / "silent.wav", synth.tone(0.0))
    with pytest.raises(UnusableInput, match="no length"):
        probe(silent)


def test_over_the_size_cap_is_refused(clip: Path) -> None:
    """A file larger than the size cap is refused before it is opened."""
    with pytest.raises(UnusableInput, match=r"over the .* MB limit"):
        probe(clip, caps=MediaCaps(max_bytes=10_000))


def test_over_the_duration_cap_is_refused(clip: Path) -> None:
    """A recording longer than the duration cap is refused with both figures."""
    with pytest.raises(UnusableInput, match="2 s is over the 1 s limit"):
        probe(clip, caps=MediaCaps(max_duration_seconds=1.0))


@pytest.mark.parametrize("name", ["a.wav", "a.m4a", "a.mp3", "a.ogg"])
def test_audio_formats_are_probed(tmp_path: Path, name: str) -> None:
    """Each allowed audio type is read as audio with its duration."""
    info = probe(synth.write_audio(tmp_path / name, synth.tone(1.5)))
    assert info.kind == "audio" and info.has_audio and not info.has_video
    assert info.duration_seconds == pytest.approx(1.5, abs=0.1)
    assert info.mime.startswith("audio/")


def test_video_is_probed_with_frame_size(tmp_path: Path) -> None:
    """A small MP4 is read as video with its width and height."""
    info = probe(synth.write_test_video(tmp_path / "v.mp4", 1.0, size=(160, 120)))
    assert (info.kind, info.mime, info.width, info.height) == ("video", "video/mp4", 160, 120)
    assert info.has_audio and info.has_video


def test_storage_by_hash_dedups(tmp_path: Path, clip: Path) -> None:
    """The same content stored twice under different names is one file."""
    copy = tmp_path / "copy.wav"
    shutil.copy(clip, copy)
    first = store_file(clip, "wav")
    second = store_file(copy, "wav")
    assert first == second
    stored = list(load_settings().media_dir.rglob("*.wav"))
    assert len(stored) == 1 and absolute_path(first[1]).read_bytes() == clip.read_bytes()


def test_intake_creates_response_with_cue_offsets(
    db: Database, curator: Actor, respondent_id: int, clip: Path, vtt: Path
) -> None:
    """Adding media with a transcript creates an audio response whose cues point into its text."""
    with db.session() as session:
        response = add_media(session, curator, respondent_id, 3, clip, transcript_path=vtt)
        rid = response.id
    with db.session() as session:
        cues = list(session.scalars(select(TranscriptCue).where(TranscriptCue.response_id == rid)))
        response = session.get(type(response), rid)
        assert response is not None and response.kind == "audio"
        assert response.text == "Our town lost its bank. Please bring it back."
        assert [response.text[c.start_char : c.end_char] for c in cues] == [
            "Our town lost its bank.", "Please bring it back.",
        ]  # fmt: skip
        assert [(c.start_seconds, c.end_seconds) for c in cues] == [(0.0, 1.0), (1.0, 2.0)]
        asset = session.scalar(select(MediaAsset).where(MediaAsset.sha256 == response.media_ref))
        assert asset is not None and asset.kind == "audio" and asset.created_by == curator.name
        assert session.scalar(select(AuditEntry.action).where(AuditEntry.target_id == str(rid)))


def test_intake_twice_updates_one_response_and_one_asset(
    db: Database, curator: Actor, respondent_id: int, clip: Path, vtt: Path
) -> None:
    """Re-adding the same file updates the same response and stores the media once."""
    with db.session() as session:
        _, first = add_media_detailed(session, curator, respondent_id, 3, clip, transcript_path=vtt)
        _, second = add_media_detailed(
            session, curator, respondent_id, 3, clip, transcript_path=vtt
        )
        assert first.created and not second.created
        assert first.response_id == second.response_id
        assert session.scalar(select(func.count()).select_from(MediaAsset)) == 1


def test_transcript_longer_than_recording_is_refused(
    db: Database, curator: Actor, respondent_id: int, tmp_path: Path
) -> None:
    """A transcript that runs well past the end of the recording is refused, nothing stored."""
    short = synth.write_audio(tmp_path / "short.wav", synth.tone(0.5))
    vtt = tmp_path / "long.vtt"
    vtt.write_text("WEBVTT\n\n00:00:00.000 --> 00:00:09.000\nToo long.\n", encoding="utf-8")
    with db.session() as session, pytest.raises(UnusableInput, match="another file"):
        add_media(session, curator, respondent_id, 1, short, transcript_path=vtt)
    assert not load_settings().media_dir.exists() or not any(
        load_settings().media_dir.rglob("*.wav")
    )


def test_replacing_a_quoted_transcript_is_refused(
    db: Database, curator: Actor, respondent_id: int, clip: Path, vtt: Path, tmp_path: Path
) -> None:
    """A transcript with quotes on it cannot be silently replaced (the offsets would move)."""
    other = tmp_path / "other.txt"
    other.write_text("Different words entirely.", encoding="utf-8")
    with db.session() as session:
        response = add_media(session, curator, respondent_id, 3, clip, transcript_path=vtt)
        session.add(
            Quote(
                response_id=response.id,
                spans=[{"start": 0, "end": 8}],
                text="Our town",
                created_by=curator.name,
            )
        )
        session.flush()
        with pytest.raises(WorkflowError, match="1 quote"):
            add_media(session, curator, respondent_id, 3, clip, transcript_path=other)


def test_viewer_may_not_add_media(
    db: Database, viewer: Actor, respondent_id: int, clip: Path
) -> None:
    """Adding media needs the import permission."""
    with db.session() as session, pytest.raises(PermissionDenied):
        add_media(session, viewer, respondent_id, 1, clip)


def test_erasure_deletes_the_recording_its_cues_and_asset(
    db: Database, curator: Actor, respondent_id: int, clip: Path, vtt: Path, now
) -> None:
    """Erasing a withdrawn respondent removes their media file, asset row and transcript cues."""
    from curation.access.actors import LOCAL_ADMIN
    from curation.rights.privacy import erase_respondent

    with db.session() as session:
        response = add_media(session, curator, respondent_id, 3, clip, transcript_path=vtt)
        stored = absolute_path(session.scalar(select(MediaAsset.path)) or "")
        person = session.get(Respondent, respondent_id)
        assert person is not None
        person.withdrawn_at = now
        rid = response.id
    with db.session() as session:
        result = erase_respondent(session, LOCAL_ADMIN, respondent_id, now=now)
        assert result.hooks_run["media"] >= 1
    with db.session() as session:
        assert not stored.exists()
        assert session.scalar(select(func.count()).select_from(MediaAsset)) == 0
        assert session.scalar(select(func.count()).where(TranscriptCue.response_id == rid)) == 0


def test_withdrawal_hook_removes_stored_audiograms(
    db: Database, curator: Actor, respondent_id: int, clip: Path, vtt: Path
) -> None:
    """The withdrawal hook deletes the audiogram files of the respondent's quotes."""
    from curation.media.audiogram import audiogram_path
    from curation.media.erasure import remove_audiograms_for_respondent

    with db.session() as session:
        response = add_media(session, curator, respondent_id, 3, clip, transcript_path=vtt)
        quote = Quote(response_id=response.id, spans=[{"start": 0, "end": 8}], text="Our town",
                      created_by=curator.name)  # fmt: skip
        session.add(quote)
        session.flush()
        path = audiogram_path(quote.id, "square")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"mp4")
        assert remove_audiograms_for_respondent(session, respondent_id) == 1
    assert not path.exists()


def test_upload_bytes_use_the_uploaded_names_for_type_and_messages(
    db: Database, curator: Actor, respondent_id: int, clip: Path
) -> None:
    """Uploaded bytes are probed by their uploaded name; a renamed file names it in the error."""
    from curation.media.intake import add_media_upload

    with db.session() as session:
        done = add_media_upload(
            session, curator, respondent_id, 2, "../evil/answer.wav", clip.read_bytes(),
            transcript_name="answer.srt",
            transcript_data=b"1\n00:00:00,000 --> 00:00:01,000\nHello.\n",
        )  # fmt: skip
        assert (done.kind, done.cues, done.transcript_format) == ("audio", 1, "srt")
        with pytest.raises(UnusableInput, match=r"^answer\.mp3: the file is really 'wav'"):
            add_media_upload(session, curator, respondent_id, 2, "answer.mp3", clip.read_bytes())
