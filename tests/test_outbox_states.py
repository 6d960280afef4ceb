"""The outbox is a destination, never a stand-in: packs wait "ready to post by hand", networks
without credentials wait "not connected", demo quotes only go to the outbox."""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from curation.access.actors import Actor
from curation.errors import ConsentError, UnusableInput, WorkflowError
from curation.posts import by_hand, destinations, service
from curation.posts.worker import DEMO_REASON
from curation.publishers.base import Connection, Media, Outgoing, Result
from curation.publishers.outbox import OutboxPublisher
from curation.rights.withdrawal import withdraw_respondent
from curation.store import Database
from curation.store.foundation import AuditEntry, Consultation, Respondent
from curation.store.posts import Post, PostReceipt
from curation.store.quotes import Quote
from tests.fakes.rows import approved_quote, publish_approved

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


class Network:
    """An in-memory network that counts what it receives."""

    def __init__(self, network: str) -> None:
        self.network = network
        self.sent: Counter[int] = Counter()

    def publish(self, post: Outgoing, media: Media | None) -> Result:
        self.sent[post.id] += 1
        return Result(remote_id=f"{post.id}01", url=f"https://social.example/@desk/{post.id}01")

    def delete(self, remote_id: str) -> None:
        pass

    def find_existing(self, post: Outgoing) -> Result | None:
        return None

    def check_connection(self) -> Connection:
        return Connection(ok=True, account="@desk")


def _schedule(db: Database, curator: Actor, consultation: Consultation, network: str) -> int:
    with db.session() as session:
        quote_id = approved_quote(session, consultation, key=f"r-{network}")
        post = service.schedule_post(
            session, curator, quote_id, network, "now", now=NOW, render_card=False
        )
        return post.id


def _post(db: Database, post_id: int) -> Post:
    with db.session() as session:
        post = session.get(Post, post_id)
        assert post is not None
        return post


def test_worker_without_credentials_leaves_the_post_not_connected(
    db: Database, curator: Actor, consultation: Consultation
) -> None:
    """No Mastodon credentials: the due post waits "not connected"; no pack, never posted."""
    post_id = _schedule(db, curator, consultation, "mastodon")
    # publishers from the environment
    outcomes = publish_approved(db, now=NOW + timedelta(minutes=1))
    assert outcomes == []
    post = _post(db, post_id)
    assert post.status == "not_connected" and post.remote_url is None and post.posted_at is None
    assert "not connected" in (post.last_error or "")
    outbox = Path(db.url.removeprefix("sqlite:///")).parent / "outbox"
    assert not list(outbox.rglob(f"post-{post_id}"))  # not written somewhere else either
    with db.session() as session:
        assert session.scalars(select(PostReceipt)).all() == []


def test_connecting_the_network_then_publishing_sends_it_once(
    db: Database, curator: Actor, consultation: Consultation
) -> None:
    """Once a worker has the network, the waiting post goes out once and is posted."""
    post_id = _schedule(db, curator, consultation, "mastodon")
    publish_approved(db, now=NOW + timedelta(minutes=1), publishers={})
    assert _post(db, post_id).status == "not_connected"
    mastodon = Network("mastodon")
    for minutes in (2, 3):
        publish_approved(
            db, now=NOW + timedelta(minutes=minutes), publishers={"mastodon": mastodon}
        )
    assert mastodon.sent == Counter({post_id: 1})
    post = _post(db, post_id)
    assert (
        post.status == "posted" and post.remote_url == f"https://social.example/@desk/{post_id}01"
    )


def test_outbox_post_is_ready_by_hand_with_a_pack_and_no_link(
    db: Database, curator: Actor, consultation: Consultation, tmp_path: Path
) -> None:
    """An outbox post gets its pack and waits "ready to post by hand": no URL, not published."""
    post_id = _schedule(db, curator, consultation, "outbox")
    outcomes = publish_approved(db, now=NOW, publishers={"outbox": OutboxPublisher(tmp_path)})
    assert [o.status for o in outcomes] == ["ready_by_hand"]
    assert (tmp_path / "outbox" / f"post-{post_id}" / "manifest.json").is_file()
    post = _post(db, post_id)
    assert post.status == "ready_by_hand" and post.remote_url is None and post.remote_id is None
    with db.session() as session:
        assert session.get(Quote, post.quote_id).status == "scheduled"  # type: ignore[union-attr]
        assert service.list_posts(session, curator, status="posted") == []


def _ready(db: Database, curator: Actor, consultation: Consultation, tmp_path: Path) -> int:
    post_id = _schedule(db, curator, consultation, "outbox")
    card = tmp_path / "card.png"
    card.write_bytes(b"\x89PNG fake card")
    with db.session() as session:
        post = session.get(Post, post_id)
        assert post is not None
        post.media_path, post.alt_text = str(card), "Quote card: buses matter"
    publish_approved(db, now=NOW, publishers={"outbox": OutboxPublisher(tmp_path / "outbox")})
    return post_id


def test_the_pack_zip_holds_the_card_alt_text_post_text_and_manifest(
    db: Database, curator: Actor, consultation: Consultation, tmp_path: Path
) -> None:
    """The download is a zip of the PNG, alt text, post text and a manifest naming them."""
    post_id = _ready(db, curator, consultation, tmp_path)
    with db.session() as session:
        data = by_hand.pack_for(session, curator, post_id)
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = set(archive.namelist())
    folder = f"post-{post_id}/"
    assert names == {folder + n for n in ("card.png", "alt.txt", "post.txt", "manifest.json")}
    assert archive.read(folder + "card.png") == b"\x89PNG fake card"
    assert archive.read(folder + "alt.txt").decode().strip() == "Quote card: buses matter"
    manifest = json.loads(archive.read(folder + "manifest.json"))
    assert manifest["image"] == "card.png" and manifest["post_id"] == post_id


def test_mark_as_posted_records_the_real_url_audited(
    db: Database, curator: Actor, consultation: Consultation, tmp_path: Path
) -> None:
    """Mark as posted stores the https URL, audited, with a receipt; the quote is published."""
    post_id = _ready(db, curator, consultation, tmp_path)
    url = "https://www.linkedin.com/feed/update/urn:li:activity:7"
    with db.session() as session:
        with pytest.raises(UnusableInput, match="https"):
            by_hand.mark_posted(session, curator, post_id, "file:///tmp/outbox/post-1", now=NOW)
        by_hand.mark_posted(session, curator, post_id, url, now=NOW)
    with db.session() as session:
        by_hand.mark_posted(session, curator, post_id, url, now=NOW)  # again: nothing new
        post = session.get(Post, post_id)
        assert post is not None
        assert post.status == "posted_by_hand" and post.remote_url == url
        assert post.posted_at == NOW
        assert session.get(Quote, post.quote_id).status == "published"  # type: ignore[union-attr]
        audits = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "post.mark_posted")
        ).all()
        assert [(a.actor, a.details["url"]) for a in audits] == [(curator.name, url)]
        kinds = [r.kind for r in session.scalars(select(PostReceipt).order_by(PostReceipt.id))]
        assert kinds == ["publish", "by_hand"]


def test_only_a_post_ready_by_hand_can_be_marked_posted(
    db: Database, curator: Actor, consultation: Consultation
) -> None:
    """A scheduled network post cannot be marked posted by hand."""
    post_id = _schedule(db, curator, consultation, "mastodon")
    with db.session() as session, pytest.raises(WorkflowError, match="ready by hand"):
        by_hand.mark_posted(session, curator, post_id, "https://social.example/1", now=NOW)


def test_withdrawal_cancels_a_pack_and_removes_its_folder(
    db: Database, curator: Actor, consultation: Consultation, admin: Actor, tmp_path: Path
) -> None:
    """Withdrawing the respondent cancels the ready pack, deletes its folder and its download."""
    post_id = _schedule(db, curator, consultation, "outbox")
    outbox = Path(db.url.removeprefix("sqlite:///")).parent / "outbox"
    publish_approved(db, now=NOW, publishers={"outbox": OutboxPublisher(outbox)})
    assert (outbox / "outbox" / f"post-{post_id}").is_dir()
    with db.session() as session:
        post = session.get(Post, post_id)
        assert post is not None
        respondent_id = session.get(Quote, post.quote_id).response.respondent_id  # type: ignore[union-attr]
        report = withdraw_respondent(session, admin, respondent_id, publishers={}, now=NOW)
    assert report.cancelled == [post_id]
    assert not (outbox / "outbox" / f"post-{post_id}").exists()
    with db.session() as session, pytest.raises((WorkflowError, ConsentError)):
        by_hand.pack_for(session, curator, post_id)


# -- demo quotes ---------------------------------------------------------------------------


def _demo_quote(db: Database, consultation: Consultation) -> int:
    with db.session() as session:
        quote_id = approved_quote(session, consultation, key="demo-1")
        quote = session.get(Quote, quote_id)
        assert quote is not None
        respondent = session.get(Respondent, quote.response.respondent_id)
        assert respondent is not None
        respondent.is_demo = True
        return quote_id


def test_scheduling_a_demo_quote_to_a_network_is_refused(
    db: Database, curator: Actor, consultation: Consultation
) -> None:
    """A demo quote goes to the outbox; X is refused with a clear reason and nothing is stored."""
    quote_id = _demo_quote(db, consultation)
    with db.session() as session:
        with pytest.raises(UnusableInput, match="demo quotes only go to the outbox"):
            service.schedule_post(session, curator, quote_id, "x", "now", now=NOW)
        assert destinations.allowed_networks(session, quote_id) == ("outbox",)
        post = service.schedule_post(
            session, curator, quote_id, "outbox", "now", now=NOW, render_card=False
        )
        assert post.network == "outbox"
    with db.session() as session:
        assert [p.network for p in session.scalars(select(Post))] == ["outbox"]


def test_worker_refuses_a_demo_quote_on_a_network(
    db: Database, curator: Actor, consultation: Consultation
) -> None:
    """A demo post that reached a network's queue anyway is refused by the worker, never sent."""
    quote_id = _demo_quote(db, consultation)
    with db.session() as session:
        post = service.schedule_post(
            session, curator, quote_id, "outbox", "now", now=NOW, render_card=False
        )
        post.network = "mastodon"  # as if written straight into the table
        post_id = post.id
    mastodon = Network("mastodon")
    outcomes = publish_approved(db, now=NOW, publishers={"mastodon": mastodon})
    assert [(o.status, o.error) for o in outcomes] == [("refused", DEMO_REASON)]
    assert mastodon.sent == Counter()
    assert _post(db, post_id).status == "failed"


def test_the_demo_history_never_reads_as_posted(
    db: Database, curator: Actor, consultation: Consultation
) -> None:
    """A demo post stored as sent (engagement history) shows as never sent, without its link."""
    quote_id = _demo_quote(db, consultation)
    with db.session() as session:
        post = service.schedule_post(
            session, curator, quote_id, "outbox", "now", now=NOW, render_card=False
        )
        post.network, post.status, post.remote_url = "x", "posted", "https://demo.invalid/x/1"
        session.flush()
        rows = [service.post_row(post)]
        demo = destinations.demo_post_ids(session, [post.id])
    (row,) = destinations.with_states(rows, waiting=(), demo_ids=demo)
    assert row["state"] == "demo history (never sent)" and row["remote_url"] is None


def test_the_migration_turns_old_outbox_posts_into_packs_ready_by_hand(tmp_path: Path) -> None:
    """Posts once marked posted with a file:// link become "ready to post by hand", unlinked."""
    from alembic import command
    from sqlalchemy import create_engine, text

    from curation.store import alembic_config

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    old = create_engine(url)  # plain SQLite: foreign keys off, so posts need no quotes here
    with old.begin() as conn:
        cfg = alembic_config(url)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0009")
        for post_id, network, link in (
            (1, "outbox", "file:///data/outbox/outbox/post-1"),
            (2, "x", "file:///data/outbox/x/post-2"),
            (3, "x", "https://x.com/desk/status/3"),
        ):
            conn.execute(
                text(
                    "INSERT INTO posts (id, quote_id, network, text, scheduled_at, "
                    "scheduled_local, scheduled_fold, status, attempts, idempotency_key, "
                    "remote_id, remote_url, created_by, created_at, updated_at) VALUES "
                    "(:id, 1, :network, 't', '2026-03-10 12:00:00', '2026-03-10 12:00', 0, "
                    "'posted', 1, :key, :remote, :url, 'cara', '2026-03-10 12:00:00', "
                    "'2026-03-10 12:00:00')"
                ),
                {"id": post_id, "network": network, "key": f"k{post_id}", "remote": f"r{post_id}",
                 "url": link},
            )  # fmt: skip
        command.upgrade(cfg, "0010")
        rows = conn.execute(text("SELECT id, status, remote_url FROM posts ORDER BY id")).all()
    old.dispose()
    assert [tuple(r) for r in rows] == [
        (1, "ready_by_hand", None),
        (2, "ready_by_hand", None),
        (3, "posted", "https://x.com/desk/status/3"),
    ]
