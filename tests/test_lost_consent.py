"""Losing consent or a name, by re-import or a changed reading, undoes publication."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from curation.access.actors import Actor
from curation.cards.service import card_file, render_quote_card
from curation.ingest import import_file
from curation.posts import service
from curation.publishers.base import Outgoing, Publisher, Result
from curation.quotes import workflow
from curation.rights.reading_store import Confirmation, change_readings
from curation.rights.readings import Reading
from curation.store import Database
from curation.store.cards import Card
from curation.store.foundation import AuditEntry, Consultation, Respondent, Response
from curation.store.posts import Post
from curation.store.quotes import Quote
from tests.fakes.rows import publish_approved

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
QUESTION = "Who should own and define what success looks like?"
HEADERS = ["Timestamp", "What is your name?", QUESTION, "May we quote you?",
           "Would you like to remain anonymous?"]  # fmt: skip
ANSWER = "Communities themselves should define success, not Whitehall."


class RecordingPublisher(Publisher):
    """Takes posts down and remembers which."""

    network = "x"

    def __init__(self) -> None:
        self.deleted: list[str] = []

    def publish(self, post: Outgoing, media: object) -> Result:  # pragma: no cover - unused
        raise AssertionError("nothing is published here")

    def delete(self, remote_id: str) -> None:
        self.deleted.append(remote_id)


def export(path: Path, consent: str, anonymous: str) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerow(["2022/02/17 10:00:00 AM GMT", "Ada Lovelace", ANSWER, consent, anonymous])
    return path


def published_everywhere(
    db: Database, consultation: Consultation, curator: Actor, approver: Actor
) -> tuple[int, int, int, Path]:
    """Ada's quote approved, carded, one post queued and one posted; returns their ids."""
    with db.session() as session:
        response = session.scalars(select(Response)).one()
        quote = workflow.create_quote(session, curator, response.id, [(0, len(ANSWER))], now=NOW)
        workflow.approve(session, approver, quote.id, now=NOW)
        card = render_quote_card(session, curator, quote.id, now=NOW)
        queued = service.schedule_post(session, curator, quote.id, "x", "2026-03-12 12:30",
                                       now=NOW, render_card=False)  # fmt: skip
        posted = service.schedule_post(session, curator, quote.id, "mastodon", "2026-03-11 12:30",
                                       now=NOW, render_card=False)  # fmt: skip
        posted.status, posted.remote_id = "posted", "1234567890"
        posted.network = "x"
        return queued.id, posted.id, quote.id, card_file(card)


def test_reimport_that_takes_the_name_away_undoes_publication(
    db: Database, consultation: Consultation, curator: Actor, approver: Actor, tmp_path: Path,
    monkeypatch,
) -> None:  # fmt: skip
    """Re-import with 'stay anonymous' now Yes: queued post cancelled, posted one taken down,
    card deleted, quote withdrawn, all audited and listed in the import report."""
    recorder = RecordingPublisher()
    monkeypatch.setattr(
        "curation.publishers.registry.publishers_from_environment", lambda: {"x": recorder}
    )
    with db.session() as session:
        import_file(session, curator, consultation.id, export(tmp_path / "a.csv", "Yes", "No"))
    queued, posted, quote_id, png = published_everywhere(db, consultation, curator, approver)
    assert png.exists()
    with db.session() as session:
        report = import_file(session, curator, consultation.id,
                             export(tmp_path / "b.csv", "Yes", "Yes please"), now=NOW)  # fmt: skip
    with db.session() as session:
        ada = session.scalars(select(Respondent)).one()
        assert report.consent_lost == [ada.id]
        assert (ada.consent_reading, ada.anonymous) == ("anonymous", True)
        assert session.get(Post, queued).status == "cancelled"
        assert session.get(Post, posted).status == "deleted"
        assert session.get(Quote, quote_id).status == "withdrawn"
        assert session.scalars(select(Card)).all() == []
        actions = set(session.scalars(select(AuditEntry.action)))
    assert recorder.deleted == ["1234567890"]
    assert not png.exists()
    assert report.consent_lost_steps["posts_cancelled"] == 1
    assert "respondent.consent_lost" in actions


def test_reimport_that_removes_consent_cancels_queued_posts(
    db: Database, consultation: Consultation, curator: Actor, approver: Actor, tmp_path: Path
) -> None:
    """A consent answer that flips to No on re-import cancels the respondent's queued posts."""
    with db.session() as session:
        import_file(session, curator, consultation.id, export(tmp_path / "a.csv", "Yes", "No"))
    with db.session() as session:
        response = session.scalars(select(Response)).one()
        quote = workflow.create_quote(session, curator, response.id, [(0, 20)], now=NOW)
        workflow.approve(session, approver, quote.id, now=NOW)
        post = service.schedule_post(session, curator, quote.id, "x", "2026-03-12 12:30",
                                     now=NOW, render_card=False)  # fmt: skip
        post_id = post.id
    with db.session() as session:
        import_file(session, curator, consultation.id, export(tmp_path / "b.csv", "No", "No"))
    with db.session() as session:
        assert session.get(Post, post_id).status == "cancelled"
        assert session.scalars(select(Respondent)).one().consent_to_quote is False


def test_a_changed_reading_applies_to_stored_respondents(
    db: Database, consultation: Consultation, curator: Actor, approver: Actor, tmp_path: Path
) -> None:
    """Confirming that an answer reads anonymous later re-reads everyone and undoes posts."""
    with db.session() as session:
        import_file(session, curator, consultation.id,
                    export(tmp_path / "a.csv", "Yes, happy to help", "No"))  # fmt: skip
        ada = session.scalars(select(Respondent)).one()
        assert ada.consent_reading == "not_quotable"  # unknown wording: not quotable
    with db.session() as session:
        result = change_readings(session, curator, consultation.id, [
            Confirmation("May we quote you?", "Yes, happy to help", Reading.NAMED)])  # fmt: skip
        assert result["respondents_updated"] == 1
        assert session.scalars(select(Respondent)).one().consent_reading == "named"
    with db.session() as session:
        response = session.scalars(select(Response)).one()
        quote = workflow.create_quote(session, curator, response.id, [(0, 20)], now=NOW)
        workflow.approve(session, approver, quote.id, now=NOW)
        post = service.schedule_post(session, curator, quote.id, "x", "2026-03-12 12:30",
                                     now=NOW, render_card=False)  # fmt: skip
        post_id = post.id
    with db.session() as session:
        result = change_readings(session, curator, consultation.id, [
            Confirmation("May we quote you?", "Yes, happy to help", Reading.ANONYMOUS),
        ])  # fmt: skip
        assert len(result["consent_lost"]) == 1
    with db.session() as session:
        assert session.get(Post, post_id).status == "cancelled"
        assert session.scalars(select(Respondent)).one().anonymous is True


class SendingPublisher(RecordingPublisher):
    """Would send a post; records that it was asked to."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[str] = []

    def publish(self, post: Outgoing, media: object) -> Result:
        self.sent.append(post.text)
        return Result(remote_id="99", remote_url="https://x.example/99")


def test_worker_cancels_a_post_whose_credit_went_stale(
    db: Database, consultation: Consultation, curator: Actor
) -> None:
    """With anonymous quotes allowed, a post composed with a name is not sent once the person
    asks to stay anonymous: the worker compares the credit and cancels the post."""
    from curation import app_settings
    from curation.access.actors import LOCAL_ADMIN
    from curation.rights.attribution_check import ATTRIBUTION_CHANGED
    from tests.fakes.rows import approved_quote, publish_approved

    with db.session() as session:
        app_settings.put(session, LOCAL_ADMIN, "allow_anonymous_quotes", True)
        quote_id = approved_quote(session, consultation, name="Ann Example")
        post = service.schedule_post(session, curator, quote_id, "x", "now", now=NOW,
                                     render_card=False)  # fmt: skip
        assert "Ann Example" in post.text and post.attribution.startswith("Ann Example")
        post_id = post.id
        session.scalars(select(Respondent)).one().anonymous = True
    sender = SendingPublisher()
    results = publish_approved(db, now=NOW, worker_id="w1", publishers={"x": sender})
    assert [r.status for r in results] == ["refused"]
    assert sender.sent == []
    with db.session() as session:
        stored = session.get(Post, post_id)
        assert (stored.status, stored.last_error) == ("cancelled", ATTRIBUTION_CHANGED)


def test_worker_refuses_an_old_post_that_names_an_anonymous_person(
    db: Database, consultation: Consultation, curator: Actor
) -> None:
    """A post stored without its credit is still checked: the name in its text stops it."""
    from curation import app_settings
    from curation.access.actors import LOCAL_ADMIN
    from tests.fakes.rows import approved_quote

    with db.session() as session:
        app_settings.put(session, LOCAL_ADMIN, "allow_anonymous_quotes", True)
        quote_id = approved_quote(session, consultation, name="Ann Example")
        post = service.schedule_post(session, curator, quote_id, "x", "now", now=NOW,
                                     render_card=False)  # fmt: skip
        post.attribution = None  # as posts scheduled before credits were stored
        post.reply_text = "What do you think, Example?"
        session.scalars(select(Respondent)).one().anonymous = True
    sender = SendingPublisher()
    results = publish_approved(db, now=NOW, worker_id="w1", publishers={"x": sender})
    assert [r.status for r in results] == ["refused"] and sender.sent == []
    with db.session() as session:
        assert session.scalars(select(Post)).one().status == "cancelled"


def test_switching_anonymous_quotes_off_undoes_anonymous_posts(
    db: Database, consultation: Consultation, curator: Actor
) -> None:
    """Turning anonymous quotes off cancels anonymous respondents' posts and withdraws quotes."""
    from curation import app_settings
    from curation.access.actors import LOCAL_ADMIN
    from curation.rights.switches import change_setting
    from tests.fakes.rows import approved_quote

    with db.session() as session:
        app_settings.put(session, LOCAL_ADMIN, "allow_anonymous_quotes", True)
        quote_id = approved_quote(session, consultation, name="Ann Example", anonymous=True)
        post = service.schedule_post(session, curator, quote_id, "x", "2026-03-12 12:30",
                                     now=NOW, render_card=False)  # fmt: skip
        assert "Ann Example" not in post.text and "Anonymous respondent" in post.text
        post_id = post.id
    with db.session() as session:
        done = change_setting(session, LOCAL_ADMIN, "allow_anonymous_quotes", False, now=NOW)
        assert (done["respondents"], done["posts_cancelled"], done["quotes_withdrawn"]) == (1, 1, 1)
    with db.session() as session:
        assert session.get(Post, post_id).status == "cancelled"
        assert session.get(Quote, quote_id).status == "withdrawn"
