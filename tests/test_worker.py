"""The worker sends each due post exactly once: crashes, two workers, 429/5xx, withdrawal."""

from __future__ import annotations

import random
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from curation.access.actors import LOCAL_ADMIN, Actor
from curation.posts import service
from curation.posts.worker import run_worker
from curation.publishers.base import (
    Backoff,
    Connection,
    Media,
    NotSent,
    Outgoing,
    Publisher,
    RateLimited,
    Result,
)
from curation.publishers.bluesky import BlueskyPublisher
from curation.publishers.mastodon import MastodonPublisher
from curation.publishers.outbox import OutboxPublisher
from curation.publishers.x import XPublisher
from curation.rights.withdrawal import withdraw_respondent
from curation.store import Database
from curation.store.foundation import Consultation, Respondent
from curation.store.posts import Post
from curation.store.quotes import Quote
from tests.fakes.rows import approve_posts, approved_quote, publish_approved
from tests.fakes.servers import FakeBluesky, FakeMastodon, FakeServer, FakeX

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


class Killed(BaseException):
    """Stands in for the process dying (not an Exception: nothing catches it)."""


class Recording:
    """An in-memory publisher that counts sends per post, thread-safely."""

    def __init__(self, network: str) -> None:
        self.network = network
        self.sent: Counter[int] = Counter()
        self.deleted: list[str] = []
        self.lock = threading.Lock()
        self.fail: list[Exception] = []
        self.during_send: list[object] = []

    def publish(self, post: Outgoing, media: Media | None) -> Result:
        with self.lock:
            if self.fail:
                raise self.fail.pop(0)
            self.sent[post.id] += 1
        for hook in self.during_send:
            hook()  # type: ignore[operator]
        return Result(remote_id=f"{self.network}-{post.id}", url=f"https://n.example/{post.id}")

    def delete(self, remote_id: str) -> None:
        self.deleted.append(remote_id)

    def find_existing(self, post: Outgoing) -> Result | None:
        return None

    def check_connection(self) -> Connection:
        return Connection(ok=True, account="recording")


class DiesAfterSending:
    """Wraps a real publisher: the network receives the post, then the worker 'dies'."""

    def __init__(self, inner: Publisher) -> None:
        self.inner = inner
        self.network = inner.network

    def publish(self, post: Outgoing, media: Media | None) -> Result:
        self.inner.publish(post, media)
        raise Killed

    def delete(self, remote_id: str) -> None:
        self.inner.delete(remote_id)

    def find_existing(self, post: Outgoing) -> Result | None:
        return self.inner.find_existing(post)

    def check_connection(self) -> Connection:
        return self.inner.check_connection()


def _add_posts(
    db: Database,
    consultation: Consultation,
    count: int,
    network: str = "mastodon",
    *,
    at: datetime = NOW,
) -> list[int]:
    """Insert due posts directly (bypassing the pacing rules), all of one approved quote."""
    with db.session() as session:
        quote_id = approved_quote(session, consultation, key=f"q-{uuid.uuid4().hex[:8]}")
        posts = [
            Post(
                quote_id=quote_id,
                network=network,
                text=f"post {i} #LevellingUp",
                scheduled_at=at - timedelta(minutes=1),
                scheduled_local="2026-03-10 11:59",
                scheduled_fold=0,
                status="scheduled",
                attempts=0,
                idempotency_key=uuid.uuid4().hex,
                created_by="cara",
                created_at=at,
                updated_at=at,
            )
            for i in range(count)
        ]
        session.add_all(posts)
        session.flush()
        approve_posts(session)  # a second person approved them (approval has its own tests)
        return [p.id for p in posts]


def _statuses(db: Database) -> Counter[str]:
    with db.session() as session:
        return Counter(session.scalars(select(Post.status)).all())


# -- the happy path ----------------------------------------------------------------------


def test_scheduled_post_goes_to_the_outbox_once_with_alt_text(
    db: Database, curator: Actor, consultation: Consultation, tmp_path: Path
) -> None:
    """An outbox post's pack is written once and waits "ready to post by hand", never posted."""
    with db.session() as session:
        quote_id = approved_quote(session, consultation)
        post = service.schedule_post(session, curator, quote_id, "outbox", "now", now=NOW)
        card = tmp_path / "card.png"
        card.write_bytes(b"\x89PNG fake")
        post.media_path, post.alt_text = str(card), "Quote card: buses matter"
    outbox = {"outbox": OutboxPublisher(tmp_path / "outbox")}
    results = publish_approved(db, now=NOW, worker_id="w1", publishers=outbox)
    assert [r.status for r in results] == ["ready_by_hand"]
    folder = tmp_path / "outbox" / "outbox" / f"post-{post.id}"
    assert (folder / "alt.txt").read_text().strip() == "Quote card: buses matter"
    assert (folder / "card.png").exists() and (folder / "manifest.json").exists()
    later = NOW + timedelta(hours=1)
    assert publish_approved(db, now=later, worker_id="w1", publishers=outbox) == []
    with db.session() as session:
        stored = session.get(Post, post.id)
        assert stored.status == "ready_by_hand" and stored.remote_url is None
        assert stored.posted_at is None
        assert session.get(Quote, quote_id).status == "scheduled"


def test_posts_not_yet_due_are_left_alone(db: Database, consultation: Consultation) -> None:
    """A post scheduled later than now is not claimed."""
    _add_posts(db, consultation, 1, "mastodon", at=NOW + timedelta(hours=2))
    recording = Recording("mastodon")
    assert publish_approved(db, now=NOW, publishers={"mastodon": recording}) == []
    assert recording.sent == Counter()


# -- crashes -----------------------------------------------------------------------------


@pytest.fixture(params=["x", "mastodon", "bluesky"])
def real_network(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[str, FakeServer, Publisher]]:
    """A real client publisher against its fake server."""
    server: FakeServer
    publisher: Publisher
    if request.param == "x":
        server = FakeX()
        publisher = XPublisher.from_credentials(server.oauth2_credentials())
    elif request.param == "mastodon":
        server = FakeMastodon()
        publisher = MastodonPublisher.from_credentials({"access_token": "t", "base": server.base})
    else:
        server = FakeBluesky()
        publisher = BlueskyPublisher.from_credentials(
            {"handle": "desk.example.social", "app_password": "p", "base": f"{server.base}/xrpc"},
            session_file=tmp_path / "bsky.txt",
        )
    yield request.param, server, publisher
    server.close()


def _remote_count(server: FakeServer) -> int:
    if isinstance(server, FakeX):
        return len(server.tweets)
    if isinstance(server, FakeMastodon):
        return len(server.statuses)
    assert isinstance(server, FakeBluesky)
    return len(server.records)


def test_killed_between_send_and_commit_leaves_no_duplicate_after_restart(
    db: Database,
    consultation: Consultation,
    real_network: tuple[str, FakeServer, Publisher],
) -> None:
    """The network got it, the worker died before recording it; the restart finds it, no resend."""
    network, server, publisher = real_network
    (post_id,) = _add_posts(db, consultation, 1, network)
    with pytest.raises(Killed):
        publish_approved(
            db,
            now=NOW,
            worker_id="w1",
            publishers={network: DiesAfterSending(publisher)},
            lease_seconds=300,
        )
    assert _statuses(db) == Counter({"sending": 1})
    assert _remote_count(server) == 1
    # Before the lease runs out nobody touches it; after, it is resolved by lookup.
    assert (
        publish_approved(
            db, now=NOW + timedelta(seconds=60), worker_id="w2", publishers={network: publisher}
        )
        == []
    )
    results = publish_approved(
        db, now=NOW + timedelta(seconds=301), worker_id="w2", publishers={network: publisher}
    )
    assert [r.status for r in results] == ["posted"]
    assert _remote_count(server) == 1
    with db.session() as session:
        assert session.get(Post, post_id).remote_id is not None


# -- concurrency -------------------------------------------------------------------------


@pytest.mark.slow
def test_two_workers_publish_200_posts_exactly_once(
    any_db: Database, consultation: Consultation
) -> None:
    """Two workers running at once on the same store send each of 200 due posts exactly once."""
    ids = _add_posts(any_db, consultation, 200, "mastodon")
    recording = Recording("mastodon")
    done: dict[str, int] = {}
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            done[name] = len(
                publish_approved(
                    any_db, now=NOW, worker_id=name, publishers={"mastodon": recording}
                )
            )
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=240)
    assert errors == []
    assert sorted(recording.sent) == sorted(ids)
    assert set(recording.sent.values()) == {1}
    assert sum(done.values()) == 200 and all(done.values())  # both workers took a share
    assert _statuses(any_db) == Counter({"posted": 200})


# -- failures ----------------------------------------------------------------------------


def test_429_reschedules_at_reset_and_other_networks_carry_on(
    db: Database, consultation: Consultation
) -> None:
    """X's 429 moves its post to the reset time; the Mastodon post still goes out in that run."""
    (x_post,) = _add_posts(db, consultation, 1, "x")
    (m_post,) = _add_posts(db, consultation, 1, "mastodon")
    x, mastodon = Recording("x"), Recording("mastodon")
    reset = NOW + timedelta(minutes=15)
    x.fail.append(RateLimited("429", reset))
    results = publish_approved(db, now=NOW, publishers={"x": x, "mastodon": mastodon})
    assert {r.post_id: r.status for r in results} == {x_post: "rate_limited", m_post: "posted"}
    with db.session() as session:
        post = session.get(Post, x_post)
        assert post.status == "scheduled" and post.next_attempt_at == reset
    assert publish_approved(db, now=NOW + timedelta(minutes=5), publishers={"x": x}) == []
    assert [r.status for r in publish_approved(db, now=reset, publishers={"x": x})] == ["posted"]
    assert x.sent == Counter({x_post: 1})


def test_5xx_not_sent_retries_with_seeded_backoff_then_fails(
    db: Database, consultation: Consultation
) -> None:
    """A certainly-unsent error retries after a jittered, capped, growing delay; then it fails."""
    (post_id,) = _add_posts(db, consultation, 1, "mastodon")
    pub = Recording("mastodon")
    backoff = Backoff(base_seconds=60, cap_seconds=600, max_attempts=3, rng=random.Random(7))
    delays = []
    now = NOW
    for _ in range(3):
        pub.fail.append(NotSent("503 Service Unavailable"))
        (result,) = publish_approved(db, now=now, publishers={"mastodon": pub}, backoff=backoff)
        with db.session() as session:
            post = session.get(Post, post_id)
            if result.status == "failed":
                break
            delays.append((post.next_attempt_at - now).total_seconds())
            now = post.next_attempt_at
    assert result.status == "failed"
    assert 30 <= delays[0] <= 60 and 60 <= delays[1] <= 120
    assert pub.sent == Counter()


# -- withdrawal --------------------------------------------------------------------------


def _respondent_of(db: Database, post_id: int) -> int:
    with db.session() as session:
        return session.get(Quote, session.get(Post, post_id).quote_id).response.respondent_id


def test_withdrawal_while_queued_cancels_and_nothing_is_sent(
    db: Database, consultation: Consultation
) -> None:
    """Withdrawing a respondent cancels their queued posts; the worker sends nothing."""
    ids = _add_posts(db, consultation, 2, "x")
    respondent = _respondent_of(db, ids[0])
    with db.session() as session:
        report = withdraw_respondent(session, LOCAL_ADMIN, respondent, publishers={}, now=NOW)
    assert sorted(report.cancelled) == ids and report.quotes_withdrawn == 1
    pub = Recording("x")
    assert publish_approved(db, now=NOW, publishers={"x": pub}) == []
    assert pub.sent == Counter() and _statuses(db) == Counter({"cancelled": 2})
    with db.session() as session:  # idempotent
        again = withdraw_respondent(session, LOCAL_ADMIN, respondent, publishers={}, now=NOW)
        assert again.cancelled == [] and not again.newly_withdrawn
        assert session.get(Respondent, respondent).withdrawn_at == NOW


def test_withdrawal_while_sending_takes_the_post_down(
    db: Database, consultation: Consultation
) -> None:
    """Consent withdrawn while the post is in flight: once it lands, the worker deletes it."""
    (post_id,) = _add_posts(db, consultation, 1, "x")
    respondent = _respondent_of(db, post_id)
    pub = Recording("x")

    def withdraw_now() -> None:
        with db.session() as session:
            report = withdraw_respondent(
                session, LOCAL_ADMIN, respondent, publishers={"x": pub}, now=NOW
            )
            assert report.in_flight == [post_id]

    pub.during_send.append(withdraw_now)
    (result,) = publish_approved(db, now=NOW, publishers={"x": pub})
    assert result.status == "deleted"
    assert pub.deleted == [f"x-{post_id}"]
    with db.session() as session:
        assert session.get(Post, post_id).status == "deleted"


def test_withdrawal_deletes_published_posts_per_network(
    db: Database, consultation: Consultation
) -> None:
    """Published posts are deleted through their network's publisher, recorded per network."""
    (x_post,) = _add_posts(db, consultation, 1, "x")
    x = Recording("x")
    publish_approved(db, now=NOW, publishers={"x": x})
    respondent = _respondent_of(db, x_post)
    with db.session() as session:
        report = withdraw_respondent(session, LOCAL_ADMIN, respondent, publishers={"x": x}, now=NOW)
    assert report.deleted == {"x": [x_post]} and x.deleted == [f"x-{x_post}"]
    assert _statuses(db) == Counter({"deleted": 1})


def test_consent_lost_before_sending_is_refused(db: Database, consultation: Consultation) -> None:
    """The worker checks consent again right before sending."""
    (post_id,) = _add_posts(db, consultation, 1, "x")
    with db.session() as session:
        session.get(
            Quote, session.get(Post, post_id).quote_id
        ).response.respondent.consent_to_quote = False
    pub = Recording("x")
    (result,) = publish_approved(db, now=NOW, publishers={"x": pub})
    assert result.status == "refused" and pub.sent == Counter()
    with db.session() as session:
        assert session.get(Post, post_id).status == "cancelled"


def test_run_worker_stops_when_the_stop_event_is_set(
    db: Database, consultation: Consultation
) -> None:
    """The worker loop finishes its run and returns once asked to stop."""
    _add_posts(db, consultation, 3, "mastodon")
    pub = Recording("mastodon")
    stop = threading.Event()
    pub.during_send.append(stop.set)
    runs = run_worker(db, stop, interval=0.01, publishers={"mastodon": pub}, clock=lambda: NOW)
    assert runs == 1 and sum(pub.sent.values()) == 3


def test_claim_count_matches(db: Database, consultation: Consultation) -> None:
    """With a limit, one run publishes at most that many posts."""
    _add_posts(db, consultation, 5, "mastodon")
    pub = Recording("mastodon")
    assert len(publish_approved(db, now=NOW, publishers={"mastodon": pub}, limit=2)) == 2
    with db.session() as session:
        assert (
            session.scalar(select(func.count()).select_from(Post).where(Post.status == "posted"))
            == 2
        )


# -- end to end --------------------------------------------------------------------------


def test_scheduled_quote_reaches_fake_x_once_with_its_card_and_alt_text(
    db: Database, curator: Actor, consultation: Consultation
) -> None:
    """schedule_post renders the card; the worker uploads that PNG with its alt text, once."""
    server = FakeX()
    try:
        with db.session() as session:
            quote_id = approved_quote(session, consultation)
            post = service.schedule_post(
                session,
                curator,
                quote_id,
                "x",
                "now",
                now=NOW,
                reply_text="What do you think? Who should own success?",
            )
            card_path, alt = Path(post.media_path or ""), post.alt_text
        assert card_path.is_file() and alt
        x = XPublisher.from_credentials(server.oauth1_credentials())
        for _ in range(2):
            publish_approved(db, now=NOW + timedelta(minutes=1), publishers={"x": x})
        (upload,) = server.calls("POST", "/2/media/upload")
        import base64

        assert base64.b64decode(upload.json()["media"]) == card_path.read_bytes()
        (meta,) = server.calls("POST", "/2/media/metadata")
        assert meta.json()["metadata"]["alt_text"]["text"] == alt
        assert len(server.tweets) == 2  # the post and its debate reply, once
        with db.session() as session:
            stored = session.get(Post, post.id)
            assert stored.status == "posted" and stored.reply_remote_id in server.tweets
    finally:
        server.close()


def test_withdrawal_removes_rendered_cards(
    db: Database, curator: Actor, consultation: Consultation
) -> None:
    """Withdrawal deletes the respondent's card files; the cancelled post forgets its card."""
    with db.session() as session:
        quote_id = approved_quote(session, consultation)
        post = service.schedule_post(session, curator, quote_id, "x", "now", now=NOW)
        card_path = Path(post.media_path or "")
        respondent = session.get(Quote, quote_id).response.respondent_id
    with db.session() as session:
        report = withdraw_respondent(session, LOCAL_ADMIN, respondent, publishers={}, now=NOW)
    assert report.cards_deleted == 1 and not card_path.exists()
    with db.session() as session:
        stored = session.get(Post, post.id)
        assert stored.status == "cancelled" and stored.card_id is None


def test_refused_credentials_park_posts_until_the_account_is_reconnected(
    db: Database, consultation: Consultation
) -> None:
    """AuthFailed marks the post needs_reconnect; a good connection check puts it back in line."""
    from curation.publishers.base import AuthFailed
    from curation.publishers.health import check_accounts
    from curation.store.posts import AccountHealth

    (post_id,) = _add_posts(db, consultation, 1, "bluesky")
    pub = Recording("bluesky")
    pub.fail.append(AuthFailed("401 invalid app password"))
    (result,) = publish_approved(db, now=NOW, publishers={"bluesky": pub})
    assert result.status == "needs_reconnect"
    with db.session() as session:
        assert session.get(Post, post_id).status == "needs_reconnect"
        assert session.get(AccountHealth, "bluesky").needs_reconnect
        check_accounts(
            session, LOCAL_ADMIN, networks=("bluesky",), publishers={"bluesky": pub}, now=NOW
        )
    with db.session() as session:
        assert session.get(Post, post_id).status == "scheduled"
        assert not session.get(AccountHealth, "bluesky").needs_reconnect
    outcomes = publish_approved(db, now=NOW, publishers={"bluesky": pub})
    assert [r.status for r in outcomes] == ["posted"]
