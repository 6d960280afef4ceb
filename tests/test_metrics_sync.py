"""Metrics sync against fake X, Bluesky and Mastodon servers, driven by the real libraries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from curation.access.actors import Actor
from curation.errors import PermissionDenied
from curation.metrics.sync import sync_metrics
from curation.publishers.bluesky import BlueskyPublisher
from curation.publishers.mastodon import MastodonPublisher
from curation.publishers.x import XPublisher
from curation.store import Database
from curation.store.foundation import AuditEntry, Consultation
from curation.store.metrics import MetricSnapshot
from tests.fakes.fake_x import snowflake
from tests.fakes.metrics import MetricsBluesky, MetricsMastodon, MetricsX
from tests.metrics_fixtures import published_post

BSKY_URI = "at://did:plc:fakedeskaccount0000000000/app.bsky.feed.post/3kabc"
TWEET = snowflake(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))  # 8 days before `now`
FULL_TWEET = {
    "public_metrics": {"retweet_count": 2, "reply_count": 3, "like_count": 10, "quote_count": 1,
                       "bookmark_count": 4, "impression_count": 500},
    "non_public_metrics": {"impression_count": 520, "url_link_clicks": 7,
                           "user_profile_clicks": 5},
    "organic_metrics": {"impression_count": 520, "like_count": 10, "reply_count": 3,
                        "retweet_count": 2, "url_link_clicks": 7, "user_profile_clicks": 5},
}  # fmt: skip


@dataclass
class Net:
    """The three fakes, and the publishers (real clients, built as the publishers build them)."""

    x: MetricsX
    bsky: MetricsBluesky
    masto: MetricsMastodon
    clients: dict[str, Any]


X_OAUTH1 = {
    "consumer_key": "ck",
    "consumer_secret": "cs",
    "access_token": "at",
    "access_token_secret": "ats",
}


@pytest.fixture
def net(tmp_path: Path) -> Iterator[Net]:
    x, bsky, masto = MetricsX(), MetricsBluesky(), MetricsMastodon()
    clients = {
        "x": XPublisher.from_credentials({**X_OAUTH1, "api_base": x.base}),
        "bluesky": BlueskyPublisher.from_credentials(
            {"handle": "desk.example.social", "app_password": "p", "base": f"{bsky.base}/xrpc"},
            session_file=tmp_path / "bsky.txt",
        ),
        "mastodon": MastodonPublisher.from_credentials({"access_token": "t", "base": masto.base}),
    }
    try:
        yield Net(x, bsky, masto, clients)
    finally:
        for server in (x, bsky, masto):
            server.close()


def _x_lookups(net: Net) -> list[dict[str, list[str]]]:
    return [r.query for r in net.x.calls("GET", "/2/tweets")]


def _snapshots(db: Database) -> dict[int, list[MetricSnapshot]]:
    with db.session() as session:
        rows = session.scalars(select(MetricSnapshot).order_by(MetricSnapshot.id)).all()
    out: dict[int, list[MetricSnapshot]] = {}
    for row in rows:
        out.setdefault(row.post_id, []).append(row)
    return out


def _posts(db: Database, consultation: Consultation, **kinds: Any) -> dict[str, int]:
    """Published posts by name: name=(network, remote_id)."""
    ids = {}
    with db.session() as session:
        c = session.get(Consultation, consultation.id)
        assert c is not None
        for name, (network, remote_id) in kinds.items():
            ids[name] = published_post(session, c, network=network, remote_id=remote_id).id
    return ids


def test_sync_stores_one_snapshot_per_post_from_each_network(
    db: Database,
    consultation: Consultation,
    approver: Actor,
    now: datetime,
    net: Net,
) -> None:
    """X, Bluesky and Mastodon counters land in snapshots; the outbox post is not asked about."""
    ids = _posts(
        db,
        consultation,
        x=("x", TWEET),
        bsky=("bluesky", BSKY_URI),
        masto=("mastodon", "109"),
        outbox=("outbox", "post-9"),
    )
    net.x.metrics[TWEET] = FULL_TWEET
    net.bsky.metrics[BSKY_URI] = {
        "likeCount": 8,
        "repostCount": 3,
        "replyCount": 2,
        "quoteCount": 1,
    }
    net.masto.metrics["109"] = {"favourites_count": 6, "reblogs_count": 2, "replies_count": 4}

    report = sync_metrics(db, approver, clients=net.clients, now=now)

    assert report.stored == 3 and report.ok
    snaps = _snapshots(db)
    assert ids["outbox"] not in snaps
    x = snaps[ids["x"]][0]
    assert (x.impressions, x.likes, x.reposts, x.replies, x.quotes, x.bookmarks) == (
        520,
        10,
        2,
        3,
        1,
        4,
    )  # private impressions preferred over the public estimate
    assert (x.link_clicks, x.profile_clicks, x.source, x.taken_at) == (7, 5, "api", now)
    b = snaps[ids["bsky"]][0]
    assert (b.impressions, b.likes, b.reposts, b.replies, b.quotes) == (None, 8, 3, 2, 1)
    m = snaps[ids["masto"]][0]
    assert (m.likes, m.reposts, m.replies) == (6, 2, 4)
    with db.session() as session:
        audits = session.scalars(select(AuditEntry).where(AuditEntry.action == "metrics.sync"))
        assert {a.target_id: a.details["stored"] for a in audits} == {
            "x": 1,
            "bluesky": 1,
            "mastodon": 1,
        }


def test_each_sync_adds_to_the_history(
    db: Database,
    consultation: Consultation,
    approver: Actor,
    now: datetime,
    net: Net,
) -> None:
    """A second sync stores a second snapshot; the first is kept as it was."""
    ids = _posts(db, consultation, x=("x", "1001"))
    net.x.metrics["1001"] = FULL_TWEET
    sync_metrics(db, approver, clients=net.clients, now=now)
    net.x.metrics["1001"] = {"public_metrics": {**FULL_TWEET["public_metrics"], "like_count": 25}}
    sync_metrics(db, approver, clients=net.clients, now=now + timedelta(hours=6))
    history = _snapshots(db)[ids["x"]]
    assert [s.likes for s in history] == [10, 25]
    assert [s.taken_at for s in history] == [now, now + timedelta(hours=6)]


def test_missing_fields_are_stored_as_unknown_not_zero(
    db: Database,
    consultation: Consultation,
    approver: Actor,
    now: datetime,
    net: Net,
) -> None:
    """Fields that do not come back stay None; a deleted tweet is counted as missing."""
    ids = _posts(db, consultation, partial=("x", "2001"), bare=("x", "2002"), gone=("x", "2003"))
    net.x.metrics["2001"] = {"public_metrics": {"like_count": 3, "reply_count": 1}}
    net.x.metrics["2002"] = {}  # no metrics object at all
    report = sync_metrics(db, approver, clients=net.clients, now=now)
    snaps = _snapshots(db)
    partial = snaps[ids["partial"]][0]
    got = (partial.likes, partial.replies, partial.impressions, partial.reposts)
    assert got == (3, 1, None, None)
    assert ids["bare"] not in snaps  # nothing known, nothing stored
    assert report.networks["x"].missing == 1
    assert report.networks["x"].stored == 1


def test_not_authorized_for_field_falls_back_to_public_metrics(
    db: Database,
    consultation: Consultation,
    approver: Actor,
    now: datetime,
    net: Net,
) -> None:
    """X refusing the private fields: the batch is asked again for public metrics only."""
    ids = _posts(db, consultation, x=("x", TWEET))
    net.x.metrics[TWEET] = FULL_TWEET
    net.x.refuse_private = True
    report = sync_metrics(db, approver, clients=net.clients, now=now)
    snap = _snapshots(db)[ids["x"]][0]
    assert (snap.impressions, snap.likes, snap.link_clicks) == (500, 10, None)
    assert report.networks["x"].fallback_public is True
    fields = [q["tweet.fields"][0] for q in _x_lookups(net)]
    assert "non_public_metrics" in fields[0] and fields[1] == "public_metrics"


def test_x_is_asked_in_batches_of_100_and_a_429_keeps_earlier_batches(
    db: Database,
    consultation: Consultation,
    approver: Actor,
    now: datetime,
    net: Net,
) -> None:
    """150 tweets take two requests; a 429 on the second stops X with the first 100 kept."""
    with db.session() as session:
        c = session.get(Consultation, consultation.id)
        assert c is not None
        for i in range(150):
            published_post(session, c, network="x", remote_id=str(5000 + i))
            net.x.metrics[str(5000 + i)] = {"public_metrics": {"like_count": i}}
    net.x.limit_after = 1
    report = sync_metrics(db, approver, clients=net.clients, now=now)
    lookups = _x_lookups(net)
    assert [len(q["ids"][0].split(",")) for q in lookups] == [100, 50]
    assert report.networks["x"].rate_limited is True
    assert report.networks["x"].rate_limit_reset == datetime.fromtimestamp(1773146400, UTC)
    assert report.networks["x"].stored == 100
    assert sum(len(v) for v in _snapshots(db).values()) == 100


def test_one_network_rate_limited_or_down_does_not_stop_the_others(
    db: Database,
    consultation: Consultation,
    approver: Actor,
    now: datetime,
    net: Net,
) -> None:
    """X answers 429 and Mastodon is unreachable; Bluesky's figures are still stored."""
    ids = _posts(
        db, consultation, x=("x", "1001"), bsky=("bluesky", BSKY_URI), masto=("mastodon", "109")
    )
    net.x.metrics["1001"] = FULL_TWEET
    net.bsky.metrics[BSKY_URI] = {"likeCount": 8}
    net.x.fail_next(
        "/2/tweets", 429, {"title": "Too Many Requests"}, {"x-rate-limit-reset": "1773146400"}
    )
    clients = dict(net.clients)
    clients["mastodon"] = MastodonPublisher.from_credentials(
        {"access_token": "t", "base": "http://127.0.0.1:9"}
    )  # nothing listens there
    report = sync_metrics(db, approver, clients=clients, now=now)
    assert report.networks["x"].rate_limited is True
    assert report.networks["mastodon"].error is not None
    assert report.networks["bluesky"].stored == 1
    assert set(_snapshots(db)) == {ids["bsky"]}


def test_bluesky_429_is_recorded_as_rate_limited(
    db: Database,
    consultation: Consultation,
    approver: Actor,
    now: datetime,
    net: Net,
) -> None:
    """Bluesky's 429 stops Bluesky for this run and says so."""
    _posts(db, consultation, bsky=("bluesky", BSKY_URI))
    net.bsky.fail_next(
        "/xrpc/app.bsky.feed.getPosts", 429, {"error": "RateLimitExceeded", "message": "slow down"}
    )
    report = sync_metrics(db, approver, clients=net.clients, now=now)
    assert report.networks["bluesky"].rate_limited is True
    assert report.stored == 0


def test_demo_posts_and_unconfigured_networks_are_not_asked(
    db: Database,
    consultation: Consultation,
    approver: Actor,
    now: datetime,
    net: Net,
) -> None:
    """Demo history never goes to a network; without credentials a network is skipped."""
    with db.session() as session:
        c = session.get(Consultation, consultation.id)
        assert c is not None
        published_post(session, c, network="x", remote_id="demo-1", is_demo=True)
        published_post(session, c, network="mastodon", remote_id="77")
    report = sync_metrics(db, approver, clients={}, now=now)
    assert report.networks["x"].skipped == "no published posts"
    assert report.networks["mastodon"].skipped == "no credentials configured"
    assert net.x.requests == [] and net.masto.requests == []


def test_sync_uses_the_publishers_configured_clients(
    db: Database,
    consultation: Consultation,
    approver: Actor,
    now: datetime,
    net: Net,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With X credentials and CURATION_X_API_BASE set, the default clients reach the fake."""
    for key, value in X_OAUTH1.items():
        monkeypatch.setenv(f"CURATION_X_{key.upper()}", value)
    monkeypatch.setenv("CURATION_X_API_BASE", net.x.base)
    ids = _posts(db, consultation, x=("x", "1001"))
    net.x.metrics["1001"] = FULL_TWEET
    report = sync_metrics(db, approver, now=now)
    assert report.networks["x"].stored == 1
    assert _snapshots(db)[ids["x"]][0].likes == 10


def test_viewers_may_not_sync(db: Database, viewer: Actor) -> None:
    """Syncing is for managers (and admins)."""
    with pytest.raises(PermissionDenied):
        sync_metrics(db, viewer, clients={})


def test_worker_posts_to_fake_x_then_sync_stores_metrics_and_the_page_shows_them(
    db: Database,
    consultation: Consultation,
    approver: Actor,
    net: Net,
) -> None:
    """End to end: the worker posts to fake X, a sync reads its metrics, the view counts them."""
    from curation.metrics import engagement_view
    from curation.store.posts import Post
    from tests.fakes.rows import approved_quote, publish_approved

    posted_at = datetime(2026, 3, 10, 11, 59, tzinfo=UTC)
    with db.session() as session:
        quote_id = approved_quote(session, consultation)
        post = Post(
            quote_id=quote_id,
            network="x",
            text="Buses matter #LevellingUp",
            scheduled_at=posted_at,
            scheduled_local="2026-03-10 11:59",
            idempotency_key="e2e-metrics",
            created_by="cara",
        )
        session.add(post)
        session.flush()
        post_id = post.id
    publish_approved(db, now=posted_at + timedelta(minutes=1), publishers={"x": net.clients["x"]})
    with db.session() as session:
        stored = session.get(Post, post_id)
        assert stored is not None and stored.status == "posted"
        tweet_id = str(stored.remote_id)
    net.x.metrics[tweet_id] = FULL_TWEET
    report = sync_metrics(db, approver, clients=net.clients, now=posted_at + timedelta(hours=3))
    assert report.networks["x"].stored == 1
    with db.session() as session:
        view = engagement_view(session, approver, consultation.id)
    assert view.totals["posts"] == 1
    assert view.totals["impressions"] == 520
    assert view.totals["engagements"] == 10 + 2 + 3 + 1 + 4 + 7 + 5  # the counters, summed
    assert view.top_quotes["post_url"].tolist() == [f"https://x.com/i/web/status/{tweet_id}"]
