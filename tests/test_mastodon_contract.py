"""Mastodon held to its documented contract: the real Mastodon.py client against the strict fake."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from curation.metrics.fetchers import MastodonFetcher
from curation.publishers.base import AuthFailed, Media, NotSent, Outgoing, Permanent, RateLimited
from curation.publishers.mastodon import MastodonPublisher
from tests.fakes.fake_mastodon import FakeMastodon
from tests.fakes.metrics import MetricsMastodon

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def _post(text: str = "“Buses matter” — Ann #LevellingUp", at: datetime = NOW) -> Outgoing:
    return Outgoing(
        id=1,
        network="mastodon",
        text=text,
        reply_text=None,
        idempotency_key="m" * 32,
        scheduled_at=at,
        created_at=at,
    )


def _publisher(fake: FakeMastodon, token: str = "tok", now: datetime = NOW) -> MastodonPublisher:
    client = MastodonPublisher.from_credentials({"access_token": token, "base": fake.base}).client
    return MastodonPublisher(client, now=lambda: now)


@pytest.fixture
def image(tmp_path: Path) -> Path:
    path = tmp_path / "card.png"
    path.write_bytes(PNG)
    return path


# -- the fake says no ---------------------------------------------------------------------


def test_fake_mastodon_refuses_undocumented_fields_long_text_and_unprocessed_media(
    fake_mastodon: FakeMastodon,
) -> None:
    """An unknown form field, text over max_characters, or a video still processing: 422."""
    url, auth = f"{fake_mastodon.base}/api/v1/statuses", {"Authorization": "Bearer tok"}
    unknown = requests.post(url, data={"status": "hi", "colour": "red"}, headers=auth, timeout=5)
    assert unknown.status_code == 422 and unknown.json() == {"error": "Unknown parameter: colour"}
    long = requests.post(url, data={"status": "x" * 501}, headers=auth, timeout=5)
    assert long.json() == {"error": "Validation failed: Text character limit of 500 exceeded"}
    fake_mastodon.processing_polls = 5
    video = requests.post(
        f"{fake_mastodon.base}/api/v2/media",
        files={"file": ("a.mp4", b"mp4", "video/mp4")},
        headers=auth,
        timeout=5,
    )
    assert video.status_code == 202 and video.json()["url"] is None
    early = requests.post(
        url, data={"status": "hi", "media_ids[]": video.json()["id"]}, headers=auth, timeout=5
    )
    assert early.status_code == 422 and "not finished processing" in early.json()["error"]
    assert fake_mastodon.statuses == {}


def test_app_token_cannot_post_and_needs_reconnect(fake_mastodon: FakeMastodon) -> None:
    """A client-credentials token (no user) is refused for posting: reconnect the account."""
    with pytest.raises(AuthFailed):
        _publisher(fake_mastodon, token=fake_mastodon.APP_TOKEN).publish(_post(), None)
    assert fake_mastodon.statuses == {}


# -- instance limits ---------------------------------------------------------------------------


def test_limits_come_from_the_instance_and_are_cached(
    fake_mastodon: FakeMastodon, image: Path
) -> None:
    """Instance limits are read once: alt text cut at a word, a too-long post refused unsent."""
    fake_mastodon.max_characters, fake_mastodon.description_limit = 60, 40
    publisher = _publisher(fake_mastodon)
    alt = "A quote card: Buses matter, says Ann from Leeds, on a blue ground"
    result = publisher.publish(_post(), Media(image, alt))
    (upload,) = fake_mastodon.calls("POST", "/api/v2/media")
    sent = upload.form()["description"]
    assert len(sent) <= 40 and sent.endswith("…") and alt.startswith(sent[:-1])
    assert result.receipt is not None and result.receipt["alt_text_sent"] == sent
    with pytest.raises(Permanent, match="takes 60"):
        publisher.publish(_post("a long post " * 10), None)
    assert fake_mastodon.instance_reads == 1 and fake_mastodon.rejections == []
    assert len(fake_mastodon.statuses) == 1


def test_a_server_before_4_4_gets_the_1500_description_limit(
    fake_mastodon: FakeMastodon, image: Path
) -> None:
    """No description_limit in the instance (Mastodon < 4.4): alt text up to 1500 goes whole."""
    fake_mastodon.description_limit = None
    assert _publisher(fake_mastodon).limits().description_limit == 1500
    alt = "word " * 290
    _publisher(fake_mastodon).publish(_post(), Media(image, alt))
    (upload,) = fake_mastodon.calls("POST", "/api/v2/media")
    assert upload.form()["description"] == alt


# -- idempotent resend ------------------------------------------------------------------------


def test_resend_within_the_hour_relies_on_the_idempotency_key(
    fake_mastodon: FakeMastodon,
) -> None:
    """Within the key's hour a resend is answered with the first status, no lookup needed."""
    first = _publisher(fake_mastodon).publish(_post(), None)
    again = _publisher(fake_mastodon, now=NOW + timedelta(minutes=50))
    fake_mastodon.now = NOW + timedelta(minutes=50)
    assert again.publish(_post(), None).remote_id == first.remote_id
    assert len(fake_mastodon.statuses) == 1
    assert fake_mastodon.calls("GET", "/api/v1/accounts/77/statuses") == []


def test_resend_after_the_key_expired_finds_the_status_instead_of_posting_twice(
    fake_mastodon: FakeMastodon,
) -> None:
    """Two hours on, the server has forgotten the key: the publisher looks the status up."""
    first = _publisher(fake_mastodon).publish(_post(), None)
    fake_mastodon.now = NOW + timedelta(hours=2)
    late = _publisher(fake_mastodon, now=NOW + timedelta(hours=2))
    assert late.publish(_post(), None).remote_id == first.remote_id
    assert len(fake_mastodon.statuses) == 1
    # Nothing out there yet: the late first attempt posts (the expired key is no duplicate).
    other = late.publish(_post("A different quote"), None)
    assert other.remote_id != first.remote_id and len(fake_mastodon.statuses) == 2


# -- failures ----------------------------------------------------------------------------------


def test_429_carries_the_reset_time_and_a_5xx_burst_is_not_sent(
    fake_mastodon: FakeMastodon,
) -> None:
    """429 with X-RateLimit-Reset is RateLimited at that time; each 5xx of a burst is NotSent."""
    publisher = _publisher(fake_mastodon)
    publisher.limits()
    reset = fake_mastodon.limit_next("/api/v1/statuses", 300)
    with pytest.raises(RateLimited) as caught:
        publisher.publish(_post(), None)
    assert caught.value.reset_at is not None
    assert abs((caught.value.reset_at - reset).total_seconds()) < 2  # Date has 1 s resolution
    fake_mastodon.burst("/api/v1/statuses", 2)
    for _ in range(2):
        with pytest.raises(NotSent):
            publisher.publish(_post(), None)
    assert publisher.publish(_post(), None).remote_id in fake_mastodon.statuses


# -- counts in batches -------------------------------------------------------------------------


def test_counts_are_fetched_twenty_statuses_a_request() -> None:
    """45 statuses take three `GET /api/v1/statuses?id[]=` requests; unknown ids are missing."""
    server = MetricsMastodon()
    try:
        ids = [str(1000 + i) for i in range(45)]
        for i, status_id in enumerate(ids[:-1]):
            server.metrics[status_id] = {"favourites_count": i, "reblogs_count": 1}
        fetcher = MastodonFetcher(_publisher(server))
        found = {k: v for batch in fetcher.fetch(ids) for k, v in batch.items()}
        batches = server.calls("GET", "/api/v1/statuses")
        assert [len(r.query["id[]"]) for r in batches] == [20, 20, 5]
        assert found["1003"]["likes"] == 3 and len(found) == 44
        assert fetcher.notes.missing == [ids[-1]]
    finally:
        server.close()


def test_a_server_without_batch_lookup_is_read_one_status_at_a_time() -> None:
    """Before 4.3 the batch endpoint is a 404: the fetcher reads each status instead."""
    server = MetricsMastodon()
    try:
        server.batch_lookup = False
        server.metrics.update({"1": {"favourites_count": 2}, "2": {"favourites_count": 5}})
        fetcher = MastodonFetcher(_publisher(server))
        found = {k: v for batch in fetcher.fetch(["1", "2"]) for k, v in batch.items()}
        assert {k: v["likes"] for k, v in found.items()} == {"1": 2, "2": 5}
        assert len(server.calls("GET", "/api/v1/statuses")) == 1  # tried once, then per status
    finally:
        server.close()
