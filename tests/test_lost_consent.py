"""Losing consent or a name, by re-import or a changed reading, undoes publication."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from curation.actors import Actor
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
            Confirmation("May we quote you?", "Yes, happy to help", Reading.ANONYMOUS)])  # fmt: skip
        assert len(result["consent_lost"]) == 1
    with db.session() as session:
        assert session.get(Post, post_id).status == "cancelled"
        assert session.scalars(select(Respondent)).one().anonymous is True
