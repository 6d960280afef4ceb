"""Withdrawal survives a re-import and never lets credentials or respondent text into logs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import select

from curation.access.actors import LOCAL_ADMIN, Actor
from curation.errors import NotFound, PermissionDenied
from curation.ingest import import_file
from curation.publishers.base import AuthFailed, Outgoing
from curation.publishers.x import XPublisher
from curation.rights.withdrawal import withdraw_respondent
from curation.store import Database
from curation.store.foundation import Consultation, Respondent
from tests.fakes.servers import FakeX

GOOGLE = Path(__file__).parent / "fixtures" / "exports" / "google_forms.csv"


def test_reimport_keeps_a_withdrawn_respondent_withdrawn(
    db: Database, consultation: Consultation, tmp_path: Path
) -> None:
    """After withdrawal, importing the same people again (even edited) leaves them withdrawn."""
    with db.session() as session:
        import_file(session, LOCAL_ADMIN, consultation.id, GOOGLE)
    with db.session() as session:
        person = session.scalars(select(Respondent).order_by(Respondent.id)).first()
        assert person is not None
        respondent_id = person.id
        withdraw_respondent(session, LOCAL_ADMIN, respondent_id, publishers={})
    edited = tmp_path / "again.csv"
    edited.write_text(GOOGLE.read_text(encoding="utf-8") + "\n", encoding="utf-8", newline="")
    with db.session() as session:
        report = import_file(session, LOCAL_ADMIN, consultation.id, edited)
    with db.session() as session:
        assert session.get(Respondent, respondent_id).withdrawn_at is not None
    assert any("withdrawn" in s["reason"] for s in report.skipped)


def test_only_admins_withdraw_and_unknown_ids_are_refused(
    db: Database, consultation: Consultation, curator: Actor
) -> None:
    """A curator may not withdraw; an unknown respondent is NotFound."""
    with db.session() as session, pytest.raises(PermissionDenied):
        withdraw_respondent(session, curator, 1, publishers={})
    with db.session() as session, pytest.raises(NotFound):
        withdraw_respondent(session, LOCAL_ADMIN, 999_999, publishers={})


def test_x_credentials_never_reach_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    """Even at DEBUG, a publish to X logs neither the bearer token nor OAuth secrets."""
    from datetime import UTC, datetime

    server = FakeX()
    try:
        caplog.set_level(logging.DEBUG)
        when = datetime(2026, 3, 10, tzinfo=UTC)
        post = Outgoing(
            id=1,
            network="x",
            text="hello",
            reply_text=None,
            idempotency_key="k",
            scheduled_at=when,
            created_at=when,
        )
        oauth2 = server.oauth2_credentials()
        XPublisher.from_credentials(oauth2).publish(post, None)  # refreshes, then posts
        with pytest.raises(AuthFailed):  # keys the fake does not know: signed, then refused
            XPublisher.from_credentials(
                {
                    "consumer_key": "ck-s3cret",
                    "consumer_secret": "cs-s3cret",
                    "access_token": "at-s3cret",
                    "access_token_secret": "ats-s3cret",
                    "api_base": server.base,
                }
            ).publish(post, None)
    finally:
        server.close()
    assert "s3cret" not in caplog.text
    issued = [*server.user_tokens, *server.refresh_tokens, oauth2["oauth2_refresh_token"]]
    assert issued and not any(token in caplog.text for token in issued)
