"""Bluesky as it really is: the publisher and the real atproto client against a strict fake PDS
and video service that check auth, lexicons, limits and job states."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from atproto import Client
from atproto_client.exceptions import BadRequestError, UnauthorizedError
from PIL import Image

from curation.metrics.fetchers import BlueskyFetcher, RateLimitHit
from curation.publishers.base import (
    Media,
    NotSent,
    OutcomeUnknown,
    Outgoing,
    Permanent,
    RateLimited,
)
from curation.publishers.bluesky import BlueskyPublisher, record_key
from curation.publishers.bluesky_media import IMAGE_MAX_BYTES, fit_image
from tests.fakes.fake_bluesky import FakeBluesky, FakeVideoService, make_jwt

WHEN = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
ALT = "A quote card: “Buses matter” — Zoë, Leeds"


@pytest.fixture
def video_service(fake_bluesky: FakeBluesky) -> Iterator[FakeVideoService]:
    """A fake video.bsky.app that stores processed videos on the fake PDS."""
    server = FakeVideoService(fake_bluesky)
    yield server
    server.close()


class Clock:
    """A clock that moves only when the publisher sleeps."""

    def __init__(self) -> None:
        self.now = float(int(time.time()))  # the fake PDS checks token expiry on its own clock
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def publisher(
    fake_bluesky: FakeBluesky, video_service: FakeVideoService, clock: Clock, tmp_path: Path
) -> BlueskyPublisher:
    return BlueskyPublisher.from_credentials(
        {"handle": fake_bluesky.account_handle, "app_password": "app-pass",
         "base": f"{fake_bluesky.base}/xrpc", "video_base": video_service.base},
        session_file=tmp_path / "session.txt", sleep=clock.sleep, clock=clock.time,
    )  # fmt: skip


def _post(text: str = "“Buses matter” — Zoë #Buses", key: str = "k" * 32) -> Outgoing:
    return Outgoing(
        id=1, network="bluesky", text=text, reply_text=None, idempotency_key=key,
        scheduled_at=WHEN, created_at=WHEN, alt_text=ALT,
    )  # fmt: skip


def _png(path: Path, size: tuple[int, int], *, noise: bool = False) -> Media:
    if noise:
        rng = random.Random(7)
        image = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (20, 60, 120))
    image.save(path, "PNG")
    return Media(path=path, alt_text=ALT)


def _records(server: FakeBluesky) -> list[dict[str, Any]]:
    return [r.json() for r in server.calls("POST", "/xrpc/com.atproto.repo.createRecord")]


def _video(tmp_path: Path) -> Media:
    from fractions import Fraction

    import av
    import numpy as np

    path = tmp_path / "audiogram.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=Fraction(10))
        stream.width, stream.height, stream.pix_fmt = 160, 90, "yuv420p"
        for i in range(3):
            frame = av.VideoFrame.from_ndarray(np.full((90, 160, 3), 60 * i, np.uint8), "rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return Media(path=path, alt_text=ALT, mime_type="video/mp4")


# -- images ------------------------------------------------------------------------------


def test_image_post_carries_alt_text_aspect_ratio_and_the_stored_blob(
    publisher: BlueskyPublisher, fake_bluesky: FakeBluesky, tmp_path: Path
) -> None:
    """The image embed has the alt text, the card's aspect ratio and the blob the PDS stored."""
    media = _png(tmp_path / "card.png", (1200, 675))
    result = publisher.publish(_post(), media)
    (body,) = _records(fake_bluesky)
    (image,) = body["record"]["embed"]["images"]
    assert image["alt"] == ALT
    assert (image["aspectRatio"]["width"], image["aspectRatio"]["height"]) == (1200, 675)
    assert image["image"]["mimeType"] == "image/png"
    assert image["image"]["size"] == media.path.stat().st_size
    assert result.remote_id.endswith(record_key("k" * 32, int(WHEN.timestamp() * 1e6)))
    assert result.receipt and result.receipt["blob"]["reencoded"] is False  # type: ignore[index]


def test_oversized_card_is_reencoded_under_the_image_limit(
    publisher: BlueskyPublisher, fake_bluesky: FakeBluesky, tmp_path: Path
) -> None:
    """A card above 1,000,000 bytes goes up re-encoded below it, same aspect ratio."""
    media = _png(tmp_path / "noisy.png", (900, 700), noise=True)
    assert media.path.stat().st_size > IMAGE_MAX_BYTES
    publisher.publish(_post(), media)
    (upload,) = fake_bluesky.calls("POST", "/xrpc/com.atproto.repo.uploadBlob")
    assert len(upload.body) <= IMAGE_MAX_BYTES
    (image,) = _records(fake_bluesky)[0]["record"]["embed"]["images"]
    ratio = image["aspectRatio"]
    assert abs(ratio["width"] / ratio["height"] - 900 / 700) < 0.01
    assert image["image"]["size"] == len(upload.body)


def test_image_that_cannot_fit_is_refused_with_the_reason(tmp_path: Path) -> None:
    """An image that stays above the limit after re-encoding is refused, saying why."""
    data = (_png(tmp_path / "n.png", (300, 300), noise=True)).read()
    with pytest.raises(Permanent, match="image limit"):
        fit_image(data, limit=2_000)


def test_pds_refuses_an_image_blob_above_the_lexicon_limit(
    publisher: BlueskyPublisher, fake_bluesky: FakeBluesky, tmp_path: Path
) -> None:
    """The fake PDS checks the image blob against maxSize and the post is refused for good."""
    fake_bluesky.image_max_bytes = 500
    with pytest.raises(Permanent, match="too big"):
        publisher.publish(_post(), _png(tmp_path / "card.png", (400, 300), noise=True))
    assert not fake_bluesky.records


# -- the fake says no ------------------------------------------------------------------


def test_fake_pds_refuses_fields_the_lexicon_does_not_list(fake_bluesky: FakeBluesky) -> None:
    """A post record with an unlisted field, or a text over 300 graphemes, is a 400."""
    client = Client(base_url=f"{fake_bluesky.base}/xrpc")
    client.login(fake_bluesky.account_handle, "pw", fetch_bsky_profile=False)
    base = {"$type": "app.bsky.feed.post", "createdAt": "2026-03-10T12:00:00Z"}
    with pytest.raises(BadRequestError, match="does not list"):
        client.com.atproto.repo.create_record(
            {"repo": fake_bluesky.DID, "collection": "app.bsky.feed.post",
             "record": {**base, "text": "hi", "via": "desk"}}
        )  # fmt: skip
    with pytest.raises(BadRequestError, match="300 graphemes"):
        client.com.atproto.repo.create_record(
            {"repo": fake_bluesky.DID, "collection": "app.bsky.feed.post",
             "record": {**base, "text": "é" * 301}}
        )  # fmt: skip
    assert not fake_bluesky.records


def test_fake_services_check_the_authorization_header(
    fake_bluesky: FakeBluesky, video_service: FakeVideoService
) -> None:
    """No token, a session token at the video service, or the wrong aud/lxm are refused."""
    bare = Client(base_url=f"{fake_bluesky.base}/xrpc")
    with pytest.raises(UnauthorizedError, match="AuthMissing"):
        bare.com.atproto.repo.upload_blob(b"x")
    client = Client(base_url=f"{fake_bluesky.base}/xrpc")
    client.login(fake_bluesky.account_handle, "pw", fetch_bsky_profile=False)
    video = Client(base_url=f"{video_service.base}/xrpc")
    session = client._session.access_jwt  # type: ignore[union-attr]
    wrong_aud = client.com.atproto.server.get_service_auth(
        {"aud": "did:web:elsewhere.example", "lxm": "app.bsky.video.getUploadLimits"}
    ).token
    wrong_lxm = client.com.atproto.server.get_service_auth(
        {"aud": video_service.DID, "lxm": "com.atproto.repo.uploadBlob"}
    ).token
    forged = make_jwt({"iss": fake_bluesky.DID, "aud": video_service.DID,
                       "lxm": "app.bsky.video.getUploadLimits", "exp": 4_000_000_000})  # fmt: skip
    cases = [(session, "BadJwtSignature"), (wrong_aud, "BadJwtAudience"),
             (wrong_lxm, "BadJwtLexiconMethod"), (forged, "BadJwtSignature")]  # fmt: skip
    for token, error in cases:
        with pytest.raises(UnauthorizedError, match=error):
            video.app.bsky.video.get_upload_limits(headers={"Authorization": f"Bearer {token}"})


# -- video -----------------------------------------------------------------------------


def test_video_goes_through_the_video_service_and_job_to_completion(
    publisher: BlueskyPublisher,
    fake_bluesky: FakeBluesky,
    video_service: FakeVideoService,
    clock: Clock,
    tmp_path: Path,
) -> None:
    """Limits first, service auth for the PDS, upload, polls until completed, then the post
    embeds the job's blob with alt text and aspect ratio; no blob goes to the PDS directly."""
    media = _video(tmp_path)
    result = publisher.publish(_post(), media)
    auths = [r.query for r in fake_bluesky.calls("GET", "/xrpc/com.atproto.server.getServiceAuth")]
    assert [(a["aud"][0], a["lxm"][0]) for a in auths] == [
        ("did:web:video.bsky.app", "app.bsky.video.getUploadLimits"),
        ("did:web:127.0.0.1", "com.atproto.repo.uploadBlob"),
    ]
    assert int(auths[1]["exp"][0]) == int(clock.now - len(clock.sleeps)) + 1800
    paths = [r.path.removeprefix("/xrpc/") for r in video_service.requests]
    assert paths[:2] == ["app.bsky.video.getUploadLimits", "app.bsky.video.uploadVideo"]
    assert paths[2:] == ["app.bsky.video.getJobStatus"] * 4 and clock.sleeps == [1.0] * 4
    upload = video_service.requests[1]
    assert upload.query["did"] == [fake_bluesky.DID] and upload.query["name"] == ["audiogram.mp4"]
    assert upload.body == media.read()
    assert not fake_bluesky.calls("POST", "/xrpc/com.atproto.repo.uploadBlob")
    embed = _records(fake_bluesky)[0]["record"]["embed"]
    assert embed["$type"] == "app.bsky.embed.video" and embed["alt"] == ALT
    assert (embed["aspectRatio"]["width"], embed["aspectRatio"]["height"]) == (160, 90)
    assert embed["video"] == video_service.jobs["job0001"]["blob"]
    assert result.receipt and result.receipt["video_job"]["state"] == "JOB_STATE_COMPLETED"  # type: ignore[index]


def test_failed_video_job_is_surfaced_with_its_reason(
    publisher: BlueskyPublisher,
    fake_bluesky: FakeBluesky,
    video_service: FakeVideoService,
    tmp_path: Path,
) -> None:
    """An encoding failure is permanent with the service's message; an upload hiccup retries."""
    video_service.failure = ("encoding_failure", "Video could not be encoded")
    with pytest.raises(Permanent, match=r"encoding_failure.*could not be encoded"):
        publisher.publish(_post(), _video(tmp_path))
    video_service.failure = ("pds_upload_failure", "Could not store the video")
    with pytest.raises(NotSent, match="pds_upload_failure"):
        publisher.publish(_post(), _video(tmp_path))
    assert not fake_bluesky.records


def test_upload_limits_are_checked_before_uploading(
    publisher: BlueskyPublisher, video_service: FakeVideoService, tmp_path: Path
) -> None:
    """canUpload false refuses with the service's message; an empty daily allowance waits."""
    video_service.limits = {"canUpload": False, "message": "Email not verified"}
    with pytest.raises(Permanent, match="Email not verified"):
        publisher.publish(_post(), _video(tmp_path))
    video_service.limits = {"canUpload": True, "remainingDailyVideos": 0}
    with pytest.raises(RateLimited):
        publisher.publish(_post(), _video(tmp_path))
    assert not video_service.calls("POST", "/xrpc/app.bsky.video.uploadVideo")


def test_video_still_processing_after_the_wait_is_not_sent(
    publisher: BlueskyPublisher, video_service: FakeVideoService, clock: Clock, tmp_path: Path
) -> None:
    """A job that does not finish within the wait gives up as not sent (retried later)."""
    video_service.states = ["JOB_STATE_ENCODING"] * 10_000
    publisher.video.max_wait_seconds = 5
    with pytest.raises(NotSent, match="still processing"):
        publisher.publish(_post(), _video(tmp_path))
    assert len(clock.sleeps) == 5


# -- resend, rate limits ---------------------------------------------------------------


def test_resend_answered_with_a_500_is_resolved_by_looking_the_record_up(
    publisher: BlueskyPublisher, fake_bluesky: FakeBluesky
) -> None:
    """A resend hits the PDS's 500 for the taken key; getRecord finds the first post."""
    first = publisher.publish(_post(), None)
    again = publisher.publish(_post(), None)
    assert again.remote_id == first.remote_id and len(fake_bluesky.records) == 1
    assert fake_bluesky.calls("GET", "/xrpc/com.atproto.repo.getRecord")
    assert again.receipt and again.receipt["resolved"] is True


def test_server_error_with_no_record_behind_it_is_not_sent(
    publisher: BlueskyPublisher, fake_bluesky: FakeBluesky
) -> None:
    """A 500 before anything was stored: the lookup finds nothing, so it is safe to retry."""
    fake_bluesky.fail_next(
        "/xrpc/com.atproto.repo.createRecord", 500,
        {"error": "InternalServerError", "message": "Internal Server Error"},
    )  # fmt: skip
    with pytest.raises(NotSent, match="no record"):
        publisher.publish(_post(), None)
    assert publisher.publish(_post(), None).remote_id.startswith("at://")


def test_rate_limit_carries_the_reset_time(
    publisher: BlueskyPublisher, fake_bluesky: FakeBluesky
) -> None:
    """A 429 with ratelimit-reset reschedules at that instant, for posts and for metrics."""
    fake_bluesky.rate_limit_next("/xrpc/com.atproto.repo.createRecord", 1_773_150_000)
    with pytest.raises(RateLimited) as caught:
        publisher.publish(_post(), None)
    assert caught.value.reset_at == datetime.fromtimestamp(1_773_150_000, UTC)
    fake_bluesky.rate_limit_next("/xrpc/app.bsky.feed.getPosts", 1_773_150_600)
    with pytest.raises(RateLimitHit) as hit:
        list(BlueskyFetcher(publisher).fetch(["at://did:plc:x/app.bsky.feed.post/3k"]))
    assert hit.value.reset_at == datetime.fromtimestamp(1_773_150_600, UTC)


# -- facets ----------------------------------------------------------------------------


def test_facets_for_links_tags_and_mentions_use_utf8_byte_offsets(
    publisher: BlueskyPublisher, fake_bluesky: FakeBluesky
) -> None:
    """Links, hashtags and resolvable mentions get facets whose byte slices are the text's;
    an unknown handle stays plain text."""
    fake_bluesky.handles["ann.example.social"] = "did:plc:ann"
    text = (
        "Café ☕ “naïve” 👋🏽 #LevellingUp https://example.org/é?q=1 "
        "@ann.example.social @nobody.example.com"
    )
    publisher.publish(_post(text), None)
    record = _records(fake_bluesky)[0]["record"]
    raw = text.encode()
    found = {}
    for facet in record["facets"]:
        feature = facet["features"][0]
        piece = raw[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode()
        found[piece] = {k: v for k, v in feature.items() if k != "$type"}
    assert found == {
        "#LevellingUp": {"tag": "LevellingUp"},
        "https://example.org/é?q=1": {"uri": "https://example.org/é?q=1"},
        "@ann.example.social": {"did": "did:plc:ann"},
    }


def test_text_over_the_lexicon_limit_is_refused_before_any_call(
    publisher: BlueskyPublisher, fake_bluesky: FakeBluesky
) -> None:
    """301 graphemes (each a multi-codepoint emoji) are refused locally, nothing sent."""
    with pytest.raises(Permanent, match="300"):
        publisher.publish(_post("👋🏽" * 301), None)
    assert not fake_bluesky.requests


def test_resend_of_a_post_with_a_reply_finds_both_records(
    publisher: BlueskyPublisher, fake_bluesky: FakeBluesky
) -> None:
    """Post and reply sit at fixed keys: a resend and find_existing both return the pair."""
    post = Outgoing(**{**_post().__dict__, "reply_text": "Who should own success? 🤔"})
    first = publisher.publish(post, None)
    again = publisher.publish(post, None)
    found = publisher.find_existing(post)
    assert first.reply_remote_id and len(fake_bluesky.records) == 2
    assert again.reply_remote_id == first.reply_remote_id == (found and found.reply_remote_id)
    assert again.remote_id == first.remote_id == (found and found.remote_id)


def test_dropped_connection_on_create_is_an_unknown_outcome(
    publisher: BlueskyPublisher, fake_bluesky: FakeBluesky
) -> None:
    """No answer at all after createRecord may mean stored: outcome unknown, then resolved."""
    fake_bluesky.fail_next("/xrpc/com.atproto.repo.createRecord", 0, after=True)
    with pytest.raises(OutcomeUnknown):
        publisher.publish(_post(), None)
    found = publisher.find_existing(_post())
    assert found is not None and found.remote_id.endswith(next(iter(fake_bluesky.records)))


def test_receipt_keeps_the_record_and_blob_and_alt_text_stays_within_limits(
    publisher: BlueskyPublisher, fake_bluesky: FakeBluesky, tmp_path: Path
) -> None:
    """The receipt survives the credential scrub with record key, CID and blob; alt text
    over 2,000 graphemes is cut to 2,000 ending in an ellipsis."""
    from curation.posts.receipts import scrub

    media = _png(tmp_path / "card.png", (600, 600))
    media = Media(path=media.path, alt_text="👋🏽" * 2100)
    result = publisher.publish(_post(), media)
    kept = scrub(result.receipt)
    assert kept["record_tid"] == result.remote_id.rsplit("/", 1)[1]
    assert kept["cid"] and kept["blob"]["size"] == media.path.stat().st_size
    (image,) = _records(fake_bluesky)[0]["record"]["embed"]["images"]
    assert image["alt"] == "👋🏽" * 1999 + "…"
