"""Receipts: each send and take-down stores what was sent (never secrets) and what came back."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from curation.access.actors import Actor
from curation.config import LONDON
from curation.posts import receipts, service
from curation.publishers.base import Connection, Media, Outgoing, Permanent, Result
from curation.rights.withdrawal import withdraw_respondent
from curation.store import Database
from curation.store.foundation import Consultation
from curation.store.posts import Post, PostReceipt
from curation.store.quotes import Quote
from tests.fakes.rows import approved_quote, publish_approved

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


class Network:
    """A network that answers with ids, a URL and extra receipt facts (some of them secret)."""

    def __init__(self, fail_delete: bool = False) -> None:
        self.network = "mastodon"
        self.fail_delete = fail_delete
        self.deleted: list[str] = []

    def publish(self, post: Outgoing, media: Media | None) -> Result:
        return Result(
            remote_id="111",
            url="https://social.example/@desk/111",
            reply_remote_id="112",
            receipt={
                "media_ids": ["m-7"],
                "access_token": "s3cret-token",
                "headers": {"Authorization": "Bearer s3cret-token", "Idempotency-Key": "k"},
            },
        )

    def delete(self, remote_id: str) -> None:
        if self.fail_delete:
            raise RuntimeError("503 Service Unavailable")
        self.deleted.append(remote_id)

    def find_existing(self, post: Outgoing) -> Result | None:
        return None

    def check_connection(self) -> Connection:
        return Connection(ok=True)


def _posted(db: Database, curator: Actor, consultation: Consultation, at: datetime = NOW) -> int:
    card = Path(db.url.removeprefix("sqlite:///")).parent / "card-9.png"
    card.write_bytes(b"\x89PNG fake")
    with db.session() as session:
        quote_id = approved_quote(session, consultation)
        post = service.schedule_post(
            session, curator, quote_id, "mastodon", at, now=at, render_card=False,
            reply_text="What would make buses better where you live?",
        )  # fmt: skip
        post.media_path, post.alt_text = str(card), "Quote card: buses"
        post_id = post.id
    publish_approved(db, now=at + timedelta(minutes=1), publishers={"mastodon": Network()})
    return post_id


def _receipts(db: Database, post_id: int) -> list[PostReceipt]:
    with db.session() as session:
        return list(
            session.scalars(
                select(PostReceipt).where(PostReceipt.post_id == post_id).order_by(PostReceipt.id)
            )
        )


def test_a_send_stores_the_request_and_the_response_without_secrets(
    db: Database, curator: Actor, consultation: Consultation
) -> None:
    """Text, reply, media file, alt text, media ids and reply-to are kept; tokens are dropped."""
    post_id = _posted(db, curator, consultation)
    (receipt,) = _receipts(db, post_id)
    assert receipt.kind == "publish" and receipt.network == "mastodon"
    assert receipt.response_id == "111"
    assert receipt.response_url == "https://social.example/@desk/111"
    request = receipt.request
    assert "Buses are the lifeline of our town" in request["text"]
    assert request["reply_text"] == "What would make buses better where you live?"
    assert request["media"] == {"file": "card-9.png", "alt_text": "Quote card: buses"}
    assert request["media_ids"] == ["m-7"] and request["reply_to"] == "111"
    assert request["headers"] == {}
    assert "s3cret" not in json.dumps(request)


def test_scrub_drops_credential_keys_at_any_depth() -> None:
    """Keys naming tokens, secrets, passwords or auth go; ids and the idempotency key stay."""
    cleaned = receipts.scrub(
        {"idempotency_key": "k1", "refresh_token": "r", "nested": [{"app_password": "p", "id": 3}]}
    )
    assert cleaned == {"idempotency_key": "k1", "nested": [{"id": 3}]}


def test_a_take_down_records_the_networks_answer(
    db: Database, curator: Actor, consultation: Consultation, admin: Actor
) -> None:
    """Withdrawal's deletion stores a receipt: what was deleted and the network's answer."""
    post_id = _posted(db, curator, consultation)
    failing, working = Network(fail_delete=True), Network()
    with db.session() as session:
        post = session.get(Post, post_id)
        assert post is not None
        respondent_id = session.get(Quote, post.quote_id).response.respondent_id  # type: ignore[union-attr]
        withdraw_respondent(session, admin, respondent_id, publishers={"mastodon": failing})
    with db.session() as session:
        withdraw_respondent(session, admin, respondent_id, publishers={"mastodon": working})
    takedowns = [r for r in _receipts(db, post_id) if r.kind == "takedown"]
    assert [(r.request, r.answer) for r in takedowns] == [
        ({"delete": ["112", "111"]}, "delete failed: RuntimeError: 503 Service Unavailable"),
        ({"delete": ["112", "111"]}, "deleted"),
    ]
    assert working.deleted == ["112", "111"]


def test_the_calendar_shows_a_posts_receipts(
    db: Database, curator: Actor, consultation: Consultation
) -> None:
    """The post's detail on the Calendar lists its receipt with the response id and URL."""
    soon = (datetime.now(UTC) + timedelta(hours=2)).replace(second=0, microsecond=0)
    post_id = _posted(db, curator, consultation, at=soon)
    at = AppTest.from_file(str(ROOT / "app_pages" / "calendar.py"), default_timeout=60)
    at.session_state["actor"] = curator
    at.session_state["calendar_day"] = soon.astimezone(LONDON).date()
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="calendar_detail").value == post_id
    (table,) = [d.value for d in at.dataframe if "response id" in d.value.columns]
    row = table.to_dict("records")[0]
    assert row["kind"] == "publish" and row["response id"] == "111"
    assert row["response URL"] == "https://social.example/@desk/111"
    assert "s3cret" not in table.to_csv()


class Refusing(Network):
    """A network that refuses the post for good."""

    def publish(self, post: Outgoing, media: Media | None) -> Result:
        raise Permanent("422 Validation failed: Text character limit of 500 exceeded")


def test_a_refused_send_keeps_the_request_and_the_networks_answer(
    db: Database, curator: Actor, consultation: Consultation
) -> None:
    """A send the network refuses leaves a receipt with its answer and no response id."""
    with db.session() as session:
        quote_id = approved_quote(session, consultation)
        post_id = service.schedule_post(
            session, curator, quote_id, "mastodon", "now", now=NOW, render_card=False
        ).id
    publish_approved(db, now=NOW, publishers={"mastodon": Refusing()})
    (receipt,) = _receipts(db, post_id)
    assert receipt.kind == "publish" and receipt.response_id is None
    assert receipt.answer == (
        "Permanent: 422 Validation failed: Text character limit of 500 exceeded"
    )
    assert "Buses are the lifeline" in receipt.request["text"]
