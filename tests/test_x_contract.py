"""X held to its documented contract: the real tweepy client against the strict fake X."""

from __future__ import annotations

import base64
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import tweepy
from sqlalchemy import select

from curation.access.actors import Actor
from curation.metrics.fetchers import XFetcher
from curation.metrics.sync import sync_metrics
from curation.publishers import registry
from curation.publishers.base import AuthFailed, Media, NeedsLook, NotConfigured, Outgoing
from curation.publishers.x import XPublisher
from curation.publishers.x_oauth2 import SETTING_KEY, SettingTokenStore
from curation.store import Database
from curation.store.foundation import AuditEntry, Consultation, Setting
from curation.store.posts import Post
from tests.fakes.fake_x import FakeX, snowflake
from tests.fakes.metrics import MetricsX
from tests.fakes.rows import approved_quote, publish_approved
from tests.metrics_fixtures import published_post

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def _post(text: str = "“Buses matter” — Ann #LevellingUp", reply: str | None = None) -> Outgoing:
    return Outgoing(
        id=1,
        network="x",
        text=text,
        reply_text=reply,
        idempotency_key="k" * 32,
        scheduled_at=NOW,
        created_at=NOW,
    )


def _signed_client(fake: FakeX) -> XPublisher:
    return XPublisher.from_credentials(fake.oauth1_credentials())


# -- the fake says no ---------------------------------------------------------------------


def test_fake_x_refuses_a_field_the_schema_does_not_list(fake_x: FakeX) -> None:
    """`media_type` in a one-shot upload, or an unknown post field, is X's 400 Invalid Request."""
    client = _signed_client(fake_x).client
    media = base64.b64encode(PNG).decode()
    with pytest.raises(tweepy.BadRequest, match="media_type: is not defined in the schema"):
        client.request(
            "POST",
            "/2/media/upload",
            json={"media": media, "media_category": "tweet_image", "media_type": "image/png"},
            user_auth=True,
        )
    with pytest.raises(tweepy.BadRequest, match="colour: is not defined"):
        client.request("POST", "/2/tweets", json={"text": "hi", "colour": "red"}, user_auth=True)
    assert fake_x.media == {} and fake_x.tweets == {}


def test_fake_x_checks_the_oauth1_signature_and_refuses_app_only_bearer(fake_x: FakeX) -> None:
    """A wrong consumer secret fails the HMAC check (401); an app-only bearer cannot post (403)."""
    wrong = {**fake_x.oauth1_credentials(), "consumer_secret": "not-cs"}
    with pytest.raises(AuthFailed):
        XPublisher.from_credentials(wrong).publish(_post(), None)
    app_only = tweepy.Client(bearer_token=fake_x.APP_BEARER)
    XPublisher(app_only, user_auth=True, api_base=fake_x.base)  # mounts the host rewrite
    with pytest.raises(tweepy.Forbidden, match="Application-Only is forbidden"):
        app_only.create_tweet(text="hello", user_auth=False)
    assert fake_x.tweets == {}


def test_fake_x_refuses_a_post_naming_media_still_processing(fake_x: FakeX) -> None:
    """A video id is refused in a post until its processing has succeeded."""
    fake_x.processing_polls = 1
    client = _signed_client(fake_x).client
    media_id = client.request(
        "POST",
        "/2/media/upload/initialize",
        json={"media_type": "video/mp4", "total_bytes": 3, "media_category": "tweet_video"},
        user_auth=True,
    ).json()["data"]["id"]
    client.request(
        "POST",
        f"/2/media/upload/{media_id}/append",
        json={"media": base64.b64encode(b"abc").decode(), "segment_index": 0},
        user_auth=True,
    )
    client.request("POST", f"/2/media/upload/{media_id}/finalize", user_auth=True)
    with pytest.raises(tweepy.BadRequest, match="media IDs are invalid"):
        client.create_tweet(text="too soon", media_ids=[media_id], user_auth=True)


# -- the publisher sends only what is documented ------------------------------------------


def test_image_post_sends_only_documented_fields_with_alt_text_cut_to_1000(
    fake_x: FakeX, tmp_path: Path
) -> None:
    """Image, alt text (at most 1000 characters), post and reply; the fake refuses nothing."""
    path = tmp_path / "card.png"
    path.write_bytes(PNG)
    long_alt = "A quote card. " + "Words " * 300
    result = _signed_client(fake_x).publish(
        _post(reply="Who should own success?"), Media(path, long_alt)
    )
    assert fake_x.rejections == []
    (upload,) = fake_x.calls("POST", "/2/media/upload")
    assert upload.json().keys() == {"media", "media_category"}
    (media_id,) = fake_x.media
    alt = fake_x.media[media_id]["alt_text"]
    assert len(alt) <= 1000 and long_alt.startswith(alt.rstrip("…"))
    assert fake_x.tweets[result.remote_id]["body"] == {
        "text": _post().text,
        "media": {"media_ids": [media_id]},
    }
    assert result.receipt is not None and result.receipt["media_ids"] == [media_id]
    assert result.receipt["auth"] == "oauth1_user" and result.receipt["alt_text_sent"] == alt
    assert alt.endswith("…") and not {"ck", "cs", "at", "ats"} & set(str(result.receipt).split("'"))


def test_image_over_5_mb_is_refused_before_upload(fake_x: FakeX, tmp_path: Path) -> None:
    """X takes images up to 5 MB: a bigger card is Permanent and nothing is uploaded."""
    path = tmp_path / "big.png"
    path.write_bytes(b"\0" * (5 * 1024 * 1024 + 1))
    with pytest.raises(Exception, match="up to 5 MB"):
        _signed_client(fake_x).publish(_post(), Media(path, "alt"))
    assert fake_x.calls("POST", "/2/media/upload") == []


def test_video_goes_in_1_mib_segments_and_waits_for_succeeded(
    fake_x: FakeX, tmp_path: Path
) -> None:
    """A 2.5 MiB MP4 takes three appends of at most 1 MiB; the post waits for `succeeded`."""
    data = os.urandom(5 * 512 * 1024)
    path = tmp_path / "audiogram.mp4"
    path.write_bytes(data)
    fake_x.max_segment_bytes = 1024 * 1024  # the documented example's chunk size, enforced
    fake_x.processing_polls = 2
    publisher = _signed_client(fake_x)
    sleeps: list[float] = []
    publisher.video_uploader.sleep = sleeps.append
    publisher.publish(_post(), Media(path, "Audiogram", "video/mp4"))
    assert fake_x.rejections == []
    (media_id,) = fake_x.videos
    appends = fake_x.calls("POST", f"/2/media/upload/{media_id}/append")
    sizes = [len(base64.b64decode(a.json()["media"])) for a in appends]
    assert sizes == [1024 * 1024, 1024 * 1024, 512 * 1024]
    assert fake_x.video_bytes(media_id) == data and fake_x.media[media_id]["state"] == "succeeded"
    assert len(sleeps) == 3 and len(fake_x.tweets) == 1


# -- credentials ----------------------------------------------------------------------------


def test_bare_bearer_token_is_not_configured_and_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    """CURATION_X_BEARER_TOKEN alone: X is not configured, with the reason and what to set."""
    monkeypatch.setenv("CURATION_X_BEARER_TOKEN", "AAAA-app-only")
    assert registry.configured("x") is False
    problem = registry.configuration_problem("x") or ""
    assert "app-only" in problem and "CURATION_X_OAUTH2_REFRESH_TOKEN" in problem
    assert "AAAA" not in problem
    with pytest.raises(NotConfigured):
        XPublisher.from_credentials({"bearer_token": "AAAA-app-only"})


def test_accounts_check_says_why_an_app_only_token_is_not_connected(
    db: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Accounts check shows X "not connected" with the app-only reason, never the token."""
    from curation.publishers.health import check_accounts

    monkeypatch.setenv("CURATION_X_BEARER_TOKEN", "AAAA-app-only")
    with db.session() as session:
        (row,) = check_accounts(session, admin, networks=("x",), now=NOW)
    assert row["mode"] == "not connected" and row["ok"] is False
    assert "app-only" in row["last_error"] and "AAAA" not in row["last_error"]


def test_oauth2_token_is_refreshed_before_expiry_stored_and_audited(
    fake_x: FakeX, db: Database
) -> None:
    """The refresh token is used once; the stored, audited pair serves until near expiry."""
    store = SettingTokenStore(os.environ["CURATION_DATABASE_URL"])
    creds = fake_x.oauth2_credentials()
    first = XPublisher.from_credentials(creds, token_store=store)
    clock = [NOW]
    assert first.user_tokens is not None
    first.user_tokens.clock = lambda: clock[0]
    first.publish(_post("one"), None)
    assert fake_x.token_requests == 1
    assert creds["oauth2_refresh_token"] not in fake_x.refresh_tokens  # single use
    (tweet,) = fake_x.calls("POST", "/2/tweets")
    assert tweet.headers["authorization"].startswith("Bearer user-")
    with db.session() as session:
        stored = session.get(Setting, SETTING_KEY)
        assert stored is not None and stored.value["refresh_token"] in fake_x.refresh_tokens
        audits = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "x.oauth2_refreshed")
        )
        assert len(audits.all()) == 1

    # Another process (same configuration) picks the stored pair up: no refresh needed yet.
    second = XPublisher.from_credentials(creds, token_store=store)
    assert second.user_tokens is not None
    second.user_tokens.clock = lambda: clock[0] + timedelta(minutes=90)
    second.publish(_post("two"), None)
    assert fake_x.token_requests == 1
    # 1 h 56 min in: within five minutes of the two hours, so it refreshes first.
    second.user_tokens.clock = lambda: clock[0] + timedelta(minutes=116)
    fake_x.now = NOW + timedelta(minutes=116)
    second.publish(_post("three"), None)
    assert fake_x.token_requests == 2 and len(fake_x.tweets) == 3
    assert fake_x.rejections == []


def test_two_workers_share_the_rotating_pair_instead_of_burning_it(fake_x: FakeX) -> None:
    """Workers adopt a pair another refreshed, even after losing the single-use token's race."""
    from curation.publishers.x_oauth2 import MemoryTokenStore, OAuth2Token

    store = MemoryTokenStore()
    creds = fake_x.oauth2_credentials()
    first = XPublisher.from_credentials(creds, token_store=store)
    second = XPublisher.from_credentials(creds, token_store=store)
    third = XPublisher.from_credentials(creds, token_store=store)
    first.publish(_post("one"), None)
    second.publish(_post("two"), None)  # adopts the stored pair: no second refresh
    assert fake_x.token_requests == 1

    class LateStore(MemoryTokenStore):
        """Answers with the old pair once, as if the winner saved a moment later."""

        def __init__(self, stale: OAuth2Token) -> None:
            super().__init__()
            self.token, self.stale = store.token, stale

        def load(self) -> OAuth2Token | None:
            stale, self.stale = self.stale, None
            return stale or store.token

    assert third.user_tokens is not None
    third.user_tokens.store = LateStore(third.user_tokens.token)
    third.publish(_post("three"), None)
    assert fake_x.token_requests == 2 and len(fake_x.tweets) == 3  # one refused refresh


def test_oauth2_refresh_refused_means_reconnect(fake_x: FakeX) -> None:
    """A revoked refresh token is AuthFailed (reconnect X); nothing is posted."""
    creds = fake_x.oauth2_credentials()
    fake_x.refresh_tokens.clear()
    with pytest.raises(AuthFailed, match="reconnect"):
        XPublisher.from_credentials(creds).publish(_post(), None)
    assert fake_x.tweets == {}


# -- failures -----------------------------------------------------------------------------------


def test_429_reschedules_at_x_reset_and_a_5xx_burst_on_upload_is_not_sent(
    fake_x: FakeX, tmp_path: Path
) -> None:
    """429 is RateLimited at x-rate-limit-reset; each 5xx of an upload burst is NotSent."""
    from curation.publishers.base import NotSent, RateLimited

    path = tmp_path / "card.png"
    path.write_bytes(PNG)
    publisher = _signed_client(fake_x)
    reset = int((NOW + timedelta(minutes=15)).timestamp())
    fake_x.limit_next("/2/tweets", reset)
    with pytest.raises(RateLimited) as caught:
        publisher.publish(_post(), None)
    assert caught.value.reset_at == datetime.fromtimestamp(reset, UTC)
    fake_x.burst("/2/media/upload", 2)
    for _ in range(2):
        with pytest.raises(NotSent):
            publisher.publish(_post(), Media(path, "alt"))
    assert fake_x.tweets == {}
    assert publisher.publish(_post(), Media(path, "alt")).remote_id in fake_x.tweets


# -- duplicate content ------------------------------------------------------------------------


def _due_x_post(db: Database, consultation: Consultation, text: str) -> int:
    with db.session() as session:
        quote_id = approved_quote(session, consultation)
        post = Post(
            quote_id=quote_id,
            network="x",
            text=text,
            scheduled_at=NOW - timedelta(minutes=1),
            scheduled_local="2026-03-10 11:59",
            scheduled_fold=0,
            status="scheduled",
            attempts=0,
            idempotency_key="d" * 32,
            created_by="cara",
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(post)
        session.flush()
        return post.id


def test_duplicate_403_with_no_match_needs_a_look_and_stores_no_fake_id(
    fake_x: FakeX, db: Database, consultation: Consultation
) -> None:
    """X says duplicate but the original is beyond the recent posts: "needs a look", no id."""
    publisher = _signed_client(fake_x)
    publisher.duplicate_lookup = 20  # (100 by default; fewer posts keep the test quick)
    publisher.publish(_post("Buses matter"), None)
    for i in range(20):  # the original is now older than the 20 recent posts looked at
        publisher.publish(_post(f"later post {i}"), None)
    with pytest.raises(NeedsLook, match="duplicate"):
        publisher.publish(_post("Buses matter"), None)
    timeline = fake_x.calls("GET", f"/2/users/{fake_x.USER_ID}/tweets")
    assert timeline[-1].query["max_results"] == ["20"]
    post_id = _due_x_post(db, consultation, "Buses matter")
    (outcome,) = publish_approved(db, now=NOW, publishers={"x": publisher})
    assert outcome.status == "needs_look"
    with db.session() as session:
        post = session.get(Post, post_id)
        assert post is not None and post.status == "needs_look" and post.remote_id is None
        assert "duplicate" in (post.last_error or "")
    assert len(fake_x.tweets) == 21


# -- metrics: the 30-day rule ---------------------------------------------------------------


def test_private_metrics_are_asked_only_for_posts_under_30_days_old(
    db: Database, consultation: Consultation, approver: Actor
) -> None:
    """Private metrics per post under 30 days, public for older; a non-X id is never sent."""
    server = MetricsX()
    try:
        young, old = snowflake(NOW - timedelta(days=3)), snowflake(NOW - timedelta(days=45))
        full = {"public_metrics": {"like_count": 4, "impression_count": 90},
                "non_public_metrics": {"impression_count": 99, "url_link_clicks": 2}}  # fmt: skip
        server.metrics.update({young: full, old: full})
        with db.session() as session:
            c = session.get(Consultation, consultation.id)
            assert c is not None
            ids = {rid: published_post(session, c, network="x", remote_id=rid).id
                   for rid in (young, old, "duplicate:abc")}  # fmt: skip
        client = _signed_client(server)
        report = sync_metrics(db, approver, clients={"x": client}, now=NOW)
        lookups = [r.query for r in server.calls("GET", "/2/tweets")]
        assert [(q["ids"][0], q["tweet.fields"][0]) for q in lookups] == [
            (young, "public_metrics,non_public_metrics,organic_metrics"),
            (old, "public_metrics"),
        ]
        assert server.private_asked == [young] and server.rejections == []
        x = report.networks["x"]
        assert (x.stored, x.missing, x.fallback_public) == (2, 1, False)
        with db.session() as session:
            from curation.store.metrics import MetricSnapshot

            snaps = {s.post_id: s for s in session.scalars(select(MetricSnapshot))}
        assert (snaps[ids[young]].impressions, snaps[ids[young]].link_clicks) == (99, 2)
        assert (snaps[ids[old]].impressions, snaps[ids[old]].link_clicks) == (90, None)
    finally:
        server.close()


def test_fetcher_refreshes_an_oauth2_token_before_reading() -> None:
    """Metrics through an OAuth 2.0 publisher use a fresh user token, not a stale one."""
    server = MetricsX()
    try:
        tweet = snowflake(NOW - timedelta(days=1))
        server.metrics[tweet] = {"public_metrics": {"like_count": 1}}
        publisher = XPublisher.from_credentials(server.oauth2_credentials())
        (batch,) = list(XFetcher(publisher, as_of=NOW).fetch([tweet]))
        assert batch[tweet]["likes"] == 1 and server.token_requests == 1
    finally:
        server.close()


# -- OAuth 2.0: the first pair through PKCE -------------------------------------------------


def test_pkce_login_exchanges_the_code_with_its_verifier_and_the_pair_serves_posting(
    fake_x: FakeX,
) -> None:
    """S256 link with offline.access; the code is exchanged once with its verifier; it posts."""
    from curation.publishers.x import api_session
    from curation.publishers.x_oauth2 import (
        MemoryTokenStore,
        finish_authorization,
        start_authorization,
    )

    started = start_authorization(fake_x.CLIENT_ID, "https://desk.example/x-callback")
    assert "code_challenge_method=S256" in started.url and "offline.access" in started.url
    assert started.verifier not in started.url
    landed = fake_x.approve(started.url)
    store = MemoryTokenStore()
    session = api_session(fake_x.base)
    with pytest.raises(AuthFailed, match="state"):
        finish_authorization(session, started, landed.replace(started.state, "forged"),
                             client_id=fake_x.CLIENT_ID, store=store)  # fmt: skip
    token = finish_authorization(session, started, landed, client_id=fake_x.CLIENT_ID, store=store)
    assert token.refresh_token in fake_x.refresh_tokens and store.saves == 1
    with pytest.raises(AuthFailed, match="authorisation code"):  # a code works once
        finish_authorization(session, started, landed, client_id=fake_x.CLIENT_ID)
    creds = {"oauth2_client_id": fake_x.CLIENT_ID, "oauth2_refresh_token": token.refresh_token,
             "api_base": fake_x.base}  # fmt: skip
    XPublisher.from_credentials(creds, token_store=store).publish(_post(), None)
    assert len(fake_x.tweets) == 1 and fake_x.token_requests == 2  # the two exchanges only


def test_x_login_command_connects_x_and_audits_it(
    fake_x: FakeX, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """x-login shows the link, stores the audited pair, prints its refresh token only."""
    from typer.testing import CliRunner

    from curation.cli import app
    from curation.publishers import x_oauth2

    monkeypatch.setattr(x_oauth2, "new_verifier", lambda: "v" * 60)
    monkeypatch.setattr(x_oauth2, "new_state", lambda: "state-1")
    monkeypatch.setenv("CURATION_X_OAUTH2_CLIENT_ID", fake_x.CLIENT_ID)
    monkeypatch.setenv("CURATION_X_API_BASE", fake_x.base)
    started = x_oauth2.start_authorization(fake_x.CLIENT_ID, "https://desk.example/cb")
    landed = fake_x.approve(started.url)
    out = CliRunner().invoke(
        app, ["accounts", "x-login", "--redirect-uri", "https://desk.example/cb"], input=landed
    )
    assert out.exit_code == 0, out.output
    assert started.url in out.stdout and "v" * 60 not in out.stdout
    printed = out.stdout.strip().splitlines()[-1]
    assert printed in fake_x.refresh_tokens
    with db.session() as session:
        stored = session.get(Setting, SETTING_KEY)
        assert stored is not None and stored.value["refresh_token"] == printed
        actions = session.scalars(select(AuditEntry.action)).all()
        assert "x.oauth2_connected" in actions
    monkeypatch.delenv("CURATION_X_OAUTH2_CLIENT_ID")
    refused = CliRunner().invoke(app, ["accounts", "x-login", "--redirect-uri", "https://d/cb"])
    assert refused.exit_code == 2 and "CURATION_X_OAUTH2_CLIENT_ID" in refused.output
