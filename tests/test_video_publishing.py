"""Audiogram posts: scheduling with media=audiogram, and the MP4 through X (chunked v2),
Mastodon, Bluesky and the outbox, driven by the real tweepy, Mastodon.py and atproto clients."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from curation.access.actors import Actor
from curation.demo import speech as synth
from curation.errors import ConsentError, UnusableInput
from curation.media.intake import add_media
from curation.posts import service
from curation.posts.video import audiogram_possible
from curation.publishers.base import Media, NotSent, Outgoing, Permanent
from curation.publishers.bluesky import BlueskyPublisher
from curation.publishers.mastodon import MastodonPublisher
from curation.publishers.outbox import OutboxPublisher
from curation.publishers.x import XPublisher
from curation.quotes.workflow import create_quote
from curation.store import Database
from curation.store.foundation import Consultation, Respondent
from curation.store.posts import Post
from curation.store.quotes import Quote
from tests.fakes.fake_bluesky import FakeVideoService
from tests.fakes.rows import approved_quote, publish_approved
from tests.fakes.servers import FakeBluesky, FakeMastodon, FakeX

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
VTT = (
    "WEBVTT\n\n"
    "00:00:00.000 --> 00:00:01.000\nWe need better buses.\n\n"
    "00:00:01.000 --> 00:00:02.000\nThe last one leaves at six.\n"
)
ALT = "Audiogram: “We need better buses.” — Ada Audio, North East."


# -- a tiny MP4 for the publisher tests (made once, no database) ------------------------


@pytest.fixture(scope="module")
def video_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 0.5 s 160x90 H.264 MP4 written with PyAV (a few kilobytes)."""
    path = tmp_path_factory.mktemp("video") / "audiogram.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=Fraction(10))
        stream.width, stream.height, stream.pix_fmt = 160, 90, "yuv420p"
        for i in range(5):
            pixels = np.full((90, 160, 3), 40 * i, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


@pytest.fixture
def video(video_file: Path) -> Media:
    return Media(path=video_file, alt_text=ALT, mime_type="video/mp4")


def _post(network: str = "x") -> Outgoing:
    return Outgoing(
        id=9,
        network=network,
        text="“We need better buses.” — Ada Audio #Buses",
        reply_text=None,
        idempotency_key="v" * 32,
        scheduled_at=NOW,
        created_at=NOW,
        alt_text=ALT,
    )


class FakeClock:
    """An injectable monotonic clock whose sleep only moves time forward."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


def _x(server: FakeX, clock: FakeClock, segment_bytes: int = 1000) -> XPublisher:
    publisher = XPublisher.from_credentials(
        {
            "consumer_key": "ck",
            "consumer_secret": "cs",
            "access_token": "at",
            "access_token_secret": "ats",
            "api_base": server.base,
        }
    )
    uploader = publisher.video_uploader
    uploader.segment_bytes, uploader.sleep, uploader.clock = segment_bytes, clock.sleep, clock
    return publisher


# -- X: chunked v2 upload -----------------------------------------------------------------


def test_x_uploads_video_in_segments_waits_for_processing_then_posts(
    fake_x: FakeX, video: Media
) -> None:
    """INIT (size, type, tweet_video), APPENDs of 1000 bytes in order, FINALIZE, STATUS polls, alt
    text, then the tweet with the media id; the reassembled bytes equal the file."""
    fake_x.processing_polls = 2
    clock = FakeClock()
    data = video.read()
    result = _x(fake_x, clock).publish(_post(), video)

    (media_id,) = fake_x.videos
    segments = -(-len(data) // 1000)
    assert segments >= 2
    assert [(r.method, r.path) for r in fake_x.requests] == [
        ("POST", "/2/media/upload/initialize"),
        *[("POST", f"/2/media/upload/{media_id}/append")] * segments,
        ("POST", f"/2/media/upload/{media_id}/finalize"),
        *[("GET", "/2/media/upload")] * 3,
        ("POST", "/2/media/metadata"),
        ("POST", "/2/tweets"),
    ]
    init = fake_x.requests[0].json()
    assert init == {
        "media_type": "video/mp4",
        "total_bytes": len(data),
        "media_category": "tweet_video",
    }
    appends = fake_x.calls("POST", f"/2/media/upload/{media_id}/append")
    assert [a.json()["segment_index"] for a in appends] == list(range(segments))
    sizes = [len(base64.b64decode(a.json()["media"])) for a in appends]
    assert sizes[:-1] == [1000] * (segments - 1) and sum(sizes) == len(data)
    assert fake_x.video_bytes(media_id) == data
    status = fake_x.calls("GET", "/2/media/upload")[0]
    assert status.query == {"command": ["STATUS"], "media_id": [media_id]}
    assert clock.sleeps == [3.0, 5.0, 5.0]  # check_after_secs from FINALIZE, then STATUS
    (meta,) = fake_x.calls("POST", "/2/media/metadata")
    assert meta.json() == {"id": media_id, "metadata": {"alt_text": {"text": ALT}}}
    assert fake_x.tweets[result.remote_id]["body"]["media"]["media_ids"] == [media_id]


def test_x_video_processing_failure_is_permanent_and_nothing_is_posted(
    fake_x: FakeX, video: Media
) -> None:
    """STATUS "failed" raises Permanent with X's reason; no tweet is created."""
    fake_x.processing_error = "Unsupported video format"
    with pytest.raises(Permanent, match="Unsupported video format"):
        _x(fake_x, FakeClock()).publish(_post(), video)
    assert not fake_x.tweets


def test_x_video_still_processing_at_the_timeout_is_not_sent(fake_x: FakeX, video: Media) -> None:
    """Processing beyond the (injected) clock's timeout raises NotSent, so the worker retries."""
    fake_x.processing_polls = 1000
    clock = FakeClock()
    publisher = _x(fake_x, clock, segment_bytes=1 << 20)
    publisher.video_uploader.timeout_seconds = 12
    with pytest.raises(NotSent, match="still processing"):
        publisher.publish(_post(), video)
    assert not fake_x.tweets and sum(clock.sleeps) >= 12


# -- Mastodon -----------------------------------------------------------------------------


def test_mastodon_uploads_video_with_description_waits_then_posts(
    fake_mastodon: FakeMastodon, video: Media
) -> None:
    """media_post sends the MP4 as video/mp4 with the alt text; the status waits for the url."""
    fake_mastodon.processing_polls = 2
    clock = FakeClock()
    client = MastodonPublisher.from_credentials(
        {"access_token": "tok", "base": fake_mastodon.base}
    ).client
    publisher = MastodonPublisher(client, sleep=clock.sleep, clock=clock)
    publisher.publish(_post("mastodon"), video)

    (upload,) = fake_mastodon.calls("POST", "/api/v2/media")
    form = upload.form()
    assert form["description"] == ALT and form["file"] == video.read()
    assert b"content-type: video/mp4" in upload.body.lower()
    (media_id,) = fake_mastodon.media
    assert len(fake_mastodon.calls("GET", f"/api/v1/media/{media_id}")) == 3
    assert len(clock.sleeps) == 3
    (status,) = fake_mastodon.calls("POST", "/api/v1/statuses")
    assert status.form()["media_ids[]"] == media_id


def test_mastodon_video_never_processed_is_not_sent(
    fake_mastodon: FakeMastodon, video: Media
) -> None:
    """A video still unprocessed at the timeout raises NotSent and posts no status."""
    fake_mastodon.processing_polls = 1000
    clock = FakeClock()
    client = MastodonPublisher.from_credentials(
        {"access_token": "tok", "base": fake_mastodon.base}
    ).client
    publisher = MastodonPublisher(client, sleep=clock.sleep, clock=clock, video_timeout_seconds=6)
    with pytest.raises(NotSent):
        publisher.publish(_post("mastodon"), video)
    assert not fake_mastodon.calls("POST", "/api/v1/statuses")


# -- Bluesky ------------------------------------------------------------------------------


def test_bluesky_posts_the_video_blob_in_an_embed_video_record(
    fake_bluesky: FakeBluesky, video: Media, tmp_path: Path
) -> None:
    """The video service gets the MP4 as video/mp4; the record embeds app.bsky.embed.video with
    the job's blob, alt text and the probed 160x90 aspect ratio."""
    service = FakeVideoService(fake_bluesky)
    publisher = BlueskyPublisher.from_credentials(
        {
            "handle": "desk.example.social",
            "app_password": "pw",
            "base": f"{fake_bluesky.base}/xrpc",
            "video_base": service.base,
        },
        session_file=tmp_path / "session.txt",
        sleep=lambda _seconds: None,
    )
    publisher.publish(_post("bluesky"), video)
    service.close()
    (upload,) = service.calls("POST", "/xrpc/app.bsky.video.uploadVideo")
    assert upload.headers["content-type"] == "video/mp4" and upload.body == video.read()
    (record,) = fake_bluesky.records.values()
    embed = record["value"]["embed"]
    assert embed["$type"] == "app.bsky.embed.video"
    assert embed["alt"] == ALT
    assert (embed["aspectRatio"]["width"], embed["aspectRatio"]["height"]) == (160, 90)
    assert embed["video"]["mimeType"] == "video/mp4" and embed["video"]["size"] == len(video.read())


# -- outbox -------------------------------------------------------------------------------


def test_outbox_copies_the_audiogram_with_alt_text_and_manifest(
    tmp_path: Path, video: Media
) -> None:
    """The post folder holds audiogram.mp4 (same bytes), alt.txt and a manifest naming it."""
    result = OutboxPublisher(tmp_path).publish(_post("outbox"), video)
    folder = tmp_path / "outbox" / result.remote_id
    assert (folder / "audiogram.mp4").read_bytes() == video.read()
    assert (folder / "alt.txt").read_text(encoding="utf-8").strip() == ALT
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["video"] == "audiogram.mp4" and manifest["image"] is None
    assert manifest["media_type"] == "video/mp4" and manifest["alt_text"] == ALT


# -- scheduling an audiogram post ---------------------------------------------------------


def _media_quote(
    db: Database, consultation: Consultation, curator: Actor, tmp_path: Path, **person: object
) -> int:
    """A 2-second generated clip with a VTT transcript, and an approved quote of its first cue."""
    values: dict[str, object] = {
        "name": "Ada Audio", "consent_to_quote": True, "media_consent": True,
        "region": "North East",
    }  # fmt: skip
    values.update(person)
    with db.session() as session:
        respondent = Respondent(
            consultation_id=consultation.id, source_key=str(values["name"]), **values
        )
        session.add(respondent)
        session.flush()
        clip = synth.write_audio(tmp_path / f"clip-{respondent.id}.m4a", synth.tone(2.0, seed=1))
        vtt = tmp_path / "clip.vtt"
        vtt.write_text(VTT, encoding="utf-8")
        response = add_media(session, curator, respondent.id, 2, clip, transcript_path=vtt)
        session.flush()
        words = "We need better buses."
        start = response.text.index(words)
        quote = create_quote(session, curator, response.id, [(start, start + len(words))])
        quote.status = "approved"  # as tests/fakes/rows.py: approval is tested elsewhere
        return quote.id


def test_schedule_with_audiogram_stores_the_mp4_and_video_alt_text(
    db: Database, consultation: Consultation, curator: Actor, tmp_path: Path
) -> None:
    """media="audiogram" makes the quote's MP4 and stores its path and alt text on the post."""
    quote_id = _media_quote(db, consultation, curator, tmp_path)
    with db.session() as session:
        assert audiogram_possible(session, curator, quote_id)
        post = service.schedule_post(
            session, curator, quote_id, "mastodon", "now", now=NOW, media="audiogram"
        )
        path, alt = Path(post.media_path or ""), post.alt_text or ""
    assert path.suffix == ".mp4" and path.is_file()
    with av.open(str(path)) as container:
        assert container.streams.video and container.streams.audio
    assert alt.startswith("Audiogram: “We need better buses.” — Ada Audio")
    assert "captions" in alt


@pytest.mark.parametrize(
    ("person", "reason"),
    [({"media_consent": False}, "no media consent"), ({"anonymous": True}, "anonymous")],
)
def test_audiogram_is_refused_without_media_consent_or_for_anonymous_respondents(
    db: Database,
    consultation: Consultation,
    curator: Actor,
    tmp_path: Path,
    person: dict[str, object],
    reason: str,
) -> None:
    """No media consent, or an anonymous respondent: ConsentError saying why; a card still works."""
    from curation import app_settings
    from curation.access.actors import LOCAL_ADMIN

    with db.session() as session:  # anonymous quotes allowed: only the video is refused
        app_settings.put(session, LOCAL_ADMIN, "allow_anonymous_quotes", True)
    quote_id = _media_quote(db, consultation, curator, tmp_path, **person)
    with db.session() as session:
        assert not audiogram_possible(session, curator, quote_id)
        with pytest.raises(ConsentError, match=reason):
            service.schedule_post(
                session, curator, quote_id, "x", "now", now=NOW, media="audiogram"
            )
        card_post = service.schedule_post(session, curator, quote_id, "x", "now", now=NOW)
        assert (card_post.media_path or "").endswith(".png")


def test_audiogram_is_refused_for_a_written_answer_and_unknown_media_is_unusable(
    db: Database, consultation: Consultation, curator: Actor
) -> None:
    """A written answer has no recording (ConsentError says a card is possible); media="gif"
    is UnusableInput; nothing is stored."""
    with db.session() as session:
        quote_id = approved_quote(session, consultation)
        with pytest.raises(ConsentError, match="written answer"):
            service.schedule_post(
                session, curator, quote_id, "x", "now", now=NOW, media="audiogram"
            )
        with pytest.raises(UnusableInput, match="card or audiogram"):
            service.schedule_post(session, curator, quote_id, "x", "now", now=NOW, media="gif")
        assert session.scalars(select(Post)).first() is None


# -- end to end through the worker ---------------------------------------------------------


def test_worker_publishes_the_audiogram_to_the_outbox_and_to_x(
    db: Database, consultation: Consultation, curator: Actor, tmp_path: Path
) -> None:
    """Scheduled audiogram posts go out once: the outbox folder gets the MP4, X gets it chunked."""
    quote_id = _media_quote(db, consultation, curator, tmp_path)
    with db.session() as session:
        outbox_post = service.schedule_post(
            session, curator, quote_id, "outbox", "now", now=NOW, media="audiogram"
        )
        x_post = service.schedule_post(
            session, curator, quote_id, "x", NOW + timedelta(hours=2), now=NOW, media="audiogram"
        )
        mp4 = Path(outbox_post.media_path or "")
        ids = (outbox_post.id, x_post.id)
    server = FakeX()
    try:
        x = XPublisher.from_credentials(server.oauth1_credentials())
        outbox = OutboxPublisher(tmp_path / "outbox-root", "outbox")
        publishers = {"x": x, "outbox": outbox}
        for _ in range(2):
            publish_approved(db, now=NOW + timedelta(hours=3), publishers=publishers)  # type: ignore[arg-type]
        folder = tmp_path / "outbox-root" / "outbox" / f"post-{ids[0]}"
        assert (folder / "audiogram.mp4").read_bytes() == mp4.read_bytes()
        (media_id,) = server.videos
        assert server.video_bytes(media_id) == mp4.read_bytes()
        assert len(server.tweets) == 1
        with db.session() as session:
            statuses = [session.get(Post, i).status for i in ids]  # type: ignore[union-attr]
            assert statuses == ["ready_by_hand", "posted"]  # the outbox pack is posted by hand
    finally:
        server.close()


def test_media_consent_withdrawn_before_sending_refuses_the_audiogram_post(
    db: Database, consultation: Consultation, curator: Actor, tmp_path: Path
) -> None:
    """Media consent withdrawn after scheduling: the worker refuses the post; nothing is sent."""
    quote_id = _media_quote(db, consultation, curator, tmp_path)
    with db.session() as session:
        post_id = service.schedule_post(
            session, curator, quote_id, "outbox", "now", now=NOW, media="audiogram"
        ).id
        quote = session.get(Quote, quote_id)
        assert quote is not None
        quote.response.respondent.media_consent = False
    root = tmp_path / "outbox-root"
    outbox = {"outbox": OutboxPublisher(root)}
    publish_approved(db, now=NOW + timedelta(minutes=1), publishers=outbox)  # type: ignore[arg-type]
    with db.session() as session:
        post = session.get(Post, post_id)
        assert post is not None and post.status == "failed"
        assert "media consent" in (post.last_error or "")
    assert not any(root.rglob("*.mp4"))


# -- CLI and Compose page -------------------------------------------------------------------


def test_cli_schedule_with_media_audiogram_and_its_refusal(
    db: Database, consultation: Consultation, curator: Actor, tmp_path: Path
) -> None:
    """`post schedule --media audiogram` stores the MP4; a written answer exits 2 with a reason."""
    from curation.cli import app

    quote_id = _media_quote(db, consultation, curator, tmp_path)
    with db.session() as session:
        written = approved_quote(session, consultation)
    runner = CliRunner()
    base = ["post", "schedule", "--network", "outbox", "--at", "now"]
    out = runner.invoke(
        app, [*base[:2], str(quote_id), *base[2:], "--media", "audiogram", "--json"]
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["media"] == "audiogram"
    refused = runner.invoke(app, [*base[:2], str(written), *base[2:], "--media", "audiogram"])
    assert refused.exit_code == 2 and "written answer" in refused.stderr
    with db.session() as session:
        (post,) = session.scalars(select(Post)).all()
        assert (post.media_path or "").endswith(".mp4")


def test_compose_offers_the_audiogram_only_when_possible_and_schedules_it(
    db: Database, consultation: Consultation, curator: Actor, tmp_path: Path
) -> None:
    """The media radio appears for a consented recording (not a written answer) and its
    choice reaches the post."""
    from streamlit.testing.v1 import AppTest

    root = Path(__file__).resolve().parent.parent
    with db.session() as session:
        written = approved_quote(session, consultation)
    quote_id = _media_quote(db, consultation, curator, tmp_path)
    at = AppTest.from_file(str(root / "app_pages" / "compose.py"), default_timeout=60)
    at.session_state["actor"] = curator
    at.session_state["consultation_id"] = consultation.id
    at.run()
    assert not at.exception, at.exception
    at.selectbox(key="compose_quote").set_value(written).run()
    assert not [r for r in at.radio if r.key == f"compose_media_{written}"]
    at.selectbox(key="compose_quote").set_value(quote_id).run()
    at.radio(key=f"compose_media_{quote_id}").set_value("audiogram").run()
    at.multiselect(key="compose_networks").set_value(["outbox"]).run()
    at.radio(key="compose_when").set_value("Now").run()
    at.button(key="compose_schedule").click().run()
    assert not at.exception and at.success, [e.value for e in at.error]
    with db.session() as session:
        post = session.scalars(select(Post)).one()
        assert post.quote_id == quote_id and (post.media_path or "").endswith(".mp4")


def test_bluesky_audiogram_is_refused_at_schedule_time_without_embed_video(
    db: Database,
    consultation: Consultation,
    curator: Actor,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With an atproto that lacks app.bsky.embed.video, Bluesky audiograms are refused with
    "post the card instead"; other networks still take the video."""
    from curation.publishers import bluesky

    monkeypatch.setattr(bluesky, "supports_video", lambda: False)
    quote_id = _media_quote(db, consultation, curator, tmp_path)
    with db.session() as session:
        with pytest.raises(UnusableInput, match="post the card instead"):
            service.schedule_post(
                session, curator, quote_id, "bluesky", "now", now=NOW, media="audiogram"
            )
        assert session.scalars(select(Post)).first() is None
        post = service.schedule_post(
            session, curator, quote_id, "mastodon", "now", now=NOW, media="audiogram"
        )
        assert (post.media_path or "").endswith(".mp4")
