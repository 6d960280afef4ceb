"""Publishers driven by the real tweepy, atproto and Mastodon.py clients against fake servers."""

from __future__ import annotations

import base64
import json
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from curation.publishers import registry
from curation.publishers.base import (
    AuthFailed,
    Media,
    NotConfigured,
    NotSent,
    OutcomeUnknown,
    Outgoing,
    RateLimited,
)
from curation.publishers.bluesky import BlueskyPublisher, record_key
from curation.publishers.mastodon import MastodonPublisher
from curation.publishers.outbox import OutboxPublisher
from curation.publishers.x import XPublisher
from tests.fakes.servers import FakeBluesky, FakeMastodon, FakeX

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
WHEN = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def image(tmp_path: Path) -> Media:
    path = tmp_path / "card.png"
    path.write_bytes(PNG)
    return Media(path=path, alt_text="A quote card: “Buses matter” — Ann, Leeds")


def _post(
    text: str = "“Buses matter” — Ann #LevellingUp https://example.org/c",
    reply: str | None = "What do you think? Who should own success?",
    key: str = "k" * 32,
    network: str = "x",
) -> Outgoing:
    return Outgoing(
        id=7,
        network=network,
        text=text,
        reply_text=reply,
        idempotency_key=key,
        scheduled_at=WHEN,
        created_at=WHEN,
        alt_text="alt",
    )


def _x(server: FakeX) -> XPublisher:
    return XPublisher.from_credentials(
        {
            "consumer_key": "ck",
            "consumer_secret": "cs",
            "access_token": "at",
            "access_token_secret": "ats",
            "api_base": server.base,
        }
    )


def _mastodon(server: FakeMastodon) -> MastodonPublisher:
    return MastodonPublisher.from_credentials({"access_token": "tok", "base": server.base})


def _bluesky(server: FakeBluesky, tmp_path: Path) -> BlueskyPublisher:
    return BlueskyPublisher.from_credentials(
        {
            "handle": "desk.example.social",
            "app_password": "app-pass",
            "base": f"{server.base}/xrpc",
        },
        session_file=tmp_path / "bsky-session.txt",
    )


# -- X ---------------------------------------------------------------------------------


def test_x_uploads_media_sets_alt_text_posts_and_chains_the_reply(
    fake_x: FakeX, image: Media
) -> None:
    """X gets the image (/2/media/upload), alt text (/2/media/metadata), the post and its reply."""
    result = _x(fake_x).publish(_post(), image)
    paths = [(r.method, r.path) for r in fake_x.requests]
    assert paths == [
        ("POST", "/2/media/upload"),
        ("POST", "/2/media/metadata"),
        ("POST", "/2/tweets"),
        ("POST", "/2/tweets"),
    ]
    upload = fake_x.requests[0].json()
    assert base64.b64decode(upload["media"]) == PNG
    # MediaUploadRequest lists media and media_category only (additionalProperties: false)
    assert upload.keys() == {"media", "media_category"}
    assert upload["media_category"] == "tweet_image"
    (media_id,) = fake_x.media
    assert fake_x.requests[1].json() == {
        "id": media_id,
        "metadata": {"alt_text": {"text": image.alt_text}},
    }
    first, second = (r.json() for r in fake_x.calls("POST", "/2/tweets"))
    assert first == {"text": _post().text, "media": {"media_ids": [media_id]}}
    assert second == {
        "text": _post().reply_text,
        "reply": {"in_reply_to_tweet_id": result.remote_id},
    }
    assert result.url == f"https://x.com/i/web/status/{result.remote_id}"
    assert result.reply_remote_id is not None
    assert fake_x.requests[0].headers["authorization"].startswith("OAuth ")


def test_x_bare_bearer_token_is_refused_at_configuration(fake_x: FakeX) -> None:
    """An app-only CURATION_X_BEARER_TOKEN cannot post: refused before any request is made."""
    with pytest.raises(NotConfigured, match="app-only"):
        XPublisher.from_credentials({"bearer_token": fake_x.APP_BEARER, "api_base": fake_x.base})
    assert fake_x.requests == []


def test_x_429_is_rate_limited_with_the_reset_time(fake_x: FakeX) -> None:
    """A 429 on create is classified as RateLimited at X's reset time."""
    reset = int((WHEN + timedelta(minutes=15)).timestamp())
    fake_x.fail_next(
        "/2/tweets", 429, {"title": "Too Many Requests"}, {"x-rate-limit-reset": str(reset)}
    )
    with pytest.raises(RateLimited) as caught:
        _x(fake_x).publish(_post(reply=None), None)
    assert caught.value.reset_at == datetime.fromtimestamp(reset, UTC)


def test_x_5xx_on_upload_is_not_sent_and_on_create_is_unknown(fake_x: FakeX, image: Media) -> None:
    """A 503 before the post exists is safe to retry; a 503 on create may have posted."""
    fake_x.fail_next("/2/media/upload", 503)
    with pytest.raises(NotSent):
        _x(fake_x).publish(_post(reply=None), image)
    fake_x.fail_next("/2/tweets", 503)
    with pytest.raises(OutcomeUnknown):
        _x(fake_x).publish(_post(reply=None), image)


def test_x_unauthorized_needs_reconnect(fake_x: FakeX) -> None:
    """A 401 is AuthFailed (the account needs reconnecting)."""
    fake_x.fail_next("/2/tweets", 401, {"title": "Unauthorized"})
    with pytest.raises(AuthFailed):
        _x(fake_x).publish(_post(reply=None), None)


def test_x_unknown_outcome_is_found_among_recent_posts(fake_x: FakeX) -> None:
    """After a create that arrived but whose answer was lost, find_existing finds it by text."""
    fake_x.fail_next("/2/tweets", 503, after=True)
    publisher = _x(fake_x)
    with pytest.raises(OutcomeUnknown):
        publisher.publish(_post(reply=None), None)
    found = publisher.find_existing(_post(reply=None))
    assert found is not None and found.remote_id in fake_x.tweets
    assert len(fake_x.tweets) == 1


def test_x_duplicate_content_403_counts_as_posted(fake_x: FakeX) -> None:
    """X's duplicate-content 403 means the first attempt went out: no second post."""
    publisher = _x(fake_x)
    first = publisher.publish(_post(reply=None), None)
    again = publisher.publish(_post(reply=None), None)
    assert again.remote_id == first.remote_id
    assert len(fake_x.tweets) == 1


def test_x_delete_and_check_connection(fake_x: FakeX) -> None:
    """Delete removes the post; check_connection names the account."""
    publisher = _x(fake_x)
    posted = publisher.publish(_post(reply=None), None)
    publisher.delete(posted.remote_id)
    assert fake_x.tweets == {}
    assert publisher.check_connection().account == "@desk"


# -- Mastodon --------------------------------------------------------------------------


def test_mastodon_media_description_idempotency_key_and_reply(
    fake_mastodon: FakeMastodon, image: Media
) -> None:
    """Mastodon gets the image with description, the status with Idempotency-Key, the reply."""
    result = _mastodon(fake_mastodon).publish(_post(network="mastodon"), image)
    media = fake_mastodon.calls("POST", "/api/v2/media")
    assert len(media) == 1
    form = media[0].form()
    assert form["description"] == image.alt_text and form["file"] == PNG
    first, second = fake_mastodon.calls("POST", "/api/v1/statuses")
    assert first.headers["idempotency-key"] == "k" * 32
    assert first.form()["status"] == _post().text
    (media_id,) = fake_mastodon.media
    assert first.form()["media_ids[]"] == media_id  # the id the fake gave the uploaded image
    assert second.form()["in_reply_to_id"] == result.remote_id
    assert second.headers["idempotency-key"] == "k" * 32 + "-reply"
    assert result.url == f"https://example.social/@desk/{result.remote_id}"


def test_mastodon_resend_with_same_key_does_not_duplicate(fake_mastodon: FakeMastodon) -> None:
    """The same Idempotency-Key returns the status already created."""
    publisher = _mastodon(fake_mastodon)
    first = publisher.publish(_post(reply=None, network="mastodon"), None)
    second = publisher.publish(_post(reply=None, network="mastodon"), None)
    assert first.remote_id == second.remote_id and len(fake_mastodon.statuses) == 1
    assert publisher.find_existing(_post(reply=None, network="mastodon")) is not None


def test_mastodon_429_and_5xx(fake_mastodon: FakeMastodon) -> None:
    """429 is RateLimited; 5xx is NotSent (the Idempotency-Key makes the retry safe)."""
    publisher = _mastodon(fake_mastodon)
    fake_mastodon.fail_next(
        "/api/v1/statuses",
        429,
        {"error": "Too many requests"},
        {"X-RateLimit-Reset": "2026-03-10T12:15:00.000Z"},
    )
    with pytest.raises(RateLimited):
        publisher.publish(_post(reply=None, network="mastodon"), None)
    fake_mastodon.fail_next("/api/v1/statuses", 502)
    with pytest.raises(NotSent):
        publisher.publish(_post(reply=None, network="mastodon"), None)


# -- Bluesky ---------------------------------------------------------------------------


def test_bluesky_image_alt_facets_fixed_rkey_and_reply(
    fake_bluesky: FakeBluesky, image: Media, tmp_path: Path
) -> None:
    """Bluesky gets the blob, a post with alt text and link/tag facets at a fixed key, a reply."""
    post = _post(network="bluesky")
    result = _bluesky(fake_bluesky, tmp_path).publish(post, image)
    blobs = fake_bluesky.calls("POST", "/xrpc/com.atproto.repo.uploadBlob")
    assert len(blobs) == 1 and blobs[0].body == PNG
    first, second = (
        r.json() for r in fake_bluesky.calls("POST", "/xrpc/com.atproto.repo.createRecord")
    )
    rkey = record_key(post.idempotency_key, int(WHEN.timestamp() * 1_000_000))
    assert first["rkey"] == rkey and first["collection"] == "app.bsky.feed.post"
    record = first["record"]
    assert record["text"] == post.text
    assert record["embed"]["images"][0]["alt"] == image.alt_text
    features = [f["features"][0] for f in record["facets"]]
    assert {"$type": "app.bsky.richtext.facet#tag", "tag": "LevellingUp"} in features
    assert {"$type": "app.bsky.richtext.facet#link", "uri": "https://example.org/c"} in features
    link = next(f for f in record["facets"] if f["features"][0].get("uri"))
    start, end = link["index"]["byteStart"], link["index"]["byteEnd"]
    assert post.text.encode()[start:end] == b"https://example.org/c"
    assert second["record"]["reply"]["parent"]["uri"] == result.remote_id
    assert second["record"]["text"] == post.reply_text
    assert result.url == f"https://bsky.app/profile/desk.example.social/post/{rkey}"


def test_bluesky_server_error_resolves_by_fixed_record_key(
    fake_bluesky: FakeBluesky, tmp_path: Path
) -> None:
    """A 504 after the record was stored is resolved by the fixed record key, not resent;
    a later resend (the PDS's 500 for a taken key) finds the same post."""
    post = _post(reply=None, network="bluesky")
    publisher = _bluesky(fake_bluesky, tmp_path)
    assert publisher.find_existing(post) is None
    fake_bluesky.fail_next("/xrpc/com.atproto.repo.createRecord", 504, after=True)
    found = publisher.publish(post, None)
    existing = publisher.find_existing(post)
    assert existing is not None and existing.remote_id == found.remote_id
    assert len(fake_bluesky.records) == 1 and (found.receipt or {}).get("resolved") is True
    assert publisher.publish(post, None).remote_id == found.remote_id
    assert len(fake_bluesky.records) == 1


def test_bluesky_session_is_reused_from_a_private_file(
    fake_bluesky: FakeBluesky, tmp_path: Path
) -> None:
    """The session string is saved 0600 in the data dir and reused instead of logging in again."""
    _bluesky(fake_bluesky, tmp_path).publish(_post(reply=None, network="bluesky"), None)
    session_file = tmp_path / "bsky-session.txt"
    assert stat.S_IMODE(os.stat(session_file).st_mode) == 0o600
    assert "app-pass" not in session_file.read_text()
    _bluesky(fake_bluesky, tmp_path).publish(
        _post(reply=None, key="z" * 32, network="bluesky"), None
    )
    assert fake_bluesky.logins == 1


def test_record_key_is_a_valid_tid_and_stable() -> None:
    """The derived record key is 13 base32-sortable characters and the same every time."""
    key = record_key("abc", 1_700_000_000_000_000)
    assert len(key) == 13 and key == record_key("abc", 1_700_000_000_000_000)
    assert key != record_key("abd", 1_700_000_000_000_000)
    assert key[0] in "234567abcdefghij"


# -- outbox and registry ---------------------------------------------------------------


def test_outbox_writes_png_alt_text_post_and_manifest(tmp_path: Path, image: Media) -> None:
    """The outbox folder holds the card, alt.txt, post.txt and a manifest."""
    publisher = OutboxPublisher(tmp_path / "outbox", "x")
    result = publisher.publish(_post(), image)
    folder = tmp_path / "outbox" / "x" / "post-7"
    assert result.remote_id == "post-7" and result.url is None  # never a file:// link
    assert (folder / "card.png").read_bytes() == PNG
    assert (folder / "alt.txt").read_text().strip() == image.alt_text
    assert (folder / "post.txt").read_text().strip() == _post().text
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["image"] == "card.png" and manifest["reply_text"] == _post().reply_text
    assert publisher.find_existing(_post()) is not None
    publisher.delete("post-7")
    assert not folder.exists()


def test_networks_without_credentials_are_not_connected(monkeypatch: pytest.MonkeyPatch) -> None:
    """No credentials: only the outbox has a publisher; a network is never swapped for it."""
    monkeypatch.chdir(Path(os.environ["CURATION_DATA_DIR"]).parent)
    chosen = registry.publishers_from_environment()
    assert list(chosen) == ["outbox"] and isinstance(chosen["outbox"], OutboxPublisher)
    with pytest.raises(registry.NotConnected):
        registry.publisher_for("mastodon")
    monkeypatch.setenv("CURATION_MASTODON_ACCESS_TOKEN", "t")
    assert isinstance(registry.publisher_for("mastodon"), MastodonPublisher)


def test_credentials_are_read_from_streamlit_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """[bluesky] in .streamlit/secrets.toml configures Bluesky; the environment wins over it."""
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        '[bluesky]\nhandle = "a.example"\napp_password = "p"\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    assert registry.configured("bluesky")
    monkeypatch.setenv("CURATION_BLUESKY_HANDLE", "b.example")
    assert registry.credentials("bluesky")["handle"] == "b.example"
