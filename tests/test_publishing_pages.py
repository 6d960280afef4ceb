"""The Compose, Calendar and Accounts pages, driven by widget key with AppTest."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from curation.access.actors import Actor
from curation.config import LONDON
from curation.posts import service
from curation.store import Database
from curation.store.foundation import Consultation
from curation.store.posts import Post
from tests.fakes.rows import approved_quote, publish_approved
from tests.fakes.servers import FakeMastodon

ROOT = Path(__file__).resolve().parent.parent


def _page(name: str, actor: Actor, **state: object) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / f"{name}.py"), default_timeout=60)
    at.session_state["actor"] = actor
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def test_compose_shows_counters_and_schedules_at_a_london_time(
    db: Database, consultation: Consultation, curator: Actor
) -> None:
    """Compose fills the X text with a live weighted counter, shows the card, and schedules it."""
    with db.session() as session:
        quote_id = approved_quote(session, consultation)
    at = _page("compose", curator, consultation_id=consultation.id)
    assert at.selectbox(key="compose_quote").value == quote_id
    text = at.text_area(key=f"compose_text_x_{quote_id}").value
    assert "Ann Example" in text
    assert any("/280" in c.value for c in at.caption)
    assert at.text_area(key=f"compose_alt_{_card_id(db)}").value
    day = (datetime.now(LONDON) + timedelta(days=2)).date()
    at.date_input(key="compose_date").set_value(day).run()
    at.time_input(key="compose_time").set_value(time(9, 15)).run()
    at.button(key="compose_schedule").click().run()
    assert not at.exception and at.success, [e.value for e in at.error]
    assert any("No publisher is running" in w.value for w in at.warning)
    with db.session() as session:
        post = session.scalars(select(Post)).one()
        assert post.scheduled_local == f"{day:%Y-%m-%d} 09:15" and post.network == "x"
        assert post.card_id is not None and post.alt_text


def _card_id(db: Database) -> int:
    from curation.store.cards import Card

    with db.session() as session:
        return session.scalars(select(Card.id)).one()


def test_compose_asks_for_a_fold_at_the_autumn_clock_change(
    db: Database, consultation: Consultation, curator: Actor
) -> None:
    """Choosing 01:30 on the autumn change day shows a choice between the two UTC instants."""
    with db.session() as session:
        approved_quote(session, consultation)
    at = _page("compose", curator, consultation_id=consultation.id)
    at.date_input(key="compose_date").set_value(date(2027, 10, 31)).run()
    at.time_input(key="compose_time").set_value(time(1, 30)).run()
    assert not at.exception
    assert at.radio(key="compose_fold").options == [
        "first (BST): 00:30 UTC",
        "second (GMT): 01:30 UTC",
    ]


def test_calendar_lists_the_week_and_cancels_a_post(
    db: Database, consultation: Consultation, curator: Actor
) -> None:
    """The calendar shows this week's post and its Cancel button cancels it."""
    soon = datetime.now(UTC) + timedelta(hours=2)
    with db.session() as session:
        quote_id = approved_quote(session, consultation)
        post = service.schedule_post(
            session, curator, quote_id, "mastodon", soon, render_card=False
        )
    at = _page("calendar", curator, calendar_day=soon.astimezone(LONDON).date())
    assert at.selectbox(key="calendar_post").value == post.id
    at.button(key="calendar_cancel").click().run()
    assert not at.exception and at.success
    with db.session() as session:
        assert session.get(Post, post.id).status == "cancelled"


def test_accounts_page_tests_connections_without_showing_secrets(
    db: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Test connections checks the live Mastodon account (a fake) and never prints its token."""
    server = FakeMastodon()
    try:
        monkeypatch.setenv("CURATION_MASTODON_ACCESS_TOKEN", "s3cret-value")
        monkeypatch.setenv("CURATION_MASTODON_BASE", server.base)
        at = _page("accounts", admin)
        at.button(key="accounts_test").click().run()
        assert not at.exception and at.success
        frame = at.dataframe[0].value
        rows = {r["Network"]: r for r in frame.to_dict("records")}
        assert list(rows) == ["X", "Bluesky", "Mastodon", "Outbox"]
        assert rows["Mastodon"]["How it posts"] == "Directly"
        assert rows["Mastodon"]["Account"] == "@desk" and rows["Mastodon"]["State"] == "Working"
        assert rows["X"]["How it posts"] == "Not connected"
        assert rows["Outbox"]["How it posts"] == "By hand (outbox)"
        assert "s3cret-value" not in str(frame.to_dict())
        assert "Publisher not running: posts will not go out" in [c.value for c in at.caption]
        assert server.requests[-1].headers["authorization"] == "Bearer s3cret-value"
    finally:
        server.close()


def test_curator_cannot_open_accounts(db: Database, curator: Actor) -> None:
    """The Accounts page refuses a curator."""
    at = AppTest.from_file(str(ROOT / "app_pages" / "accounts.py"), default_timeout=30)
    at.session_state["actor"] = curator
    at.run()
    assert at.error and not at.exception


def test_calendar_shows_a_post_waiting_not_connected(
    db: Database, consultation: Consultation, curator: Actor
) -> None:
    """Without X credentials the calendar says the X post waits, not connected."""
    soon = datetime.now(UTC) + timedelta(hours=2)
    with db.session() as session:
        quote_id = approved_quote(session, consultation)
        service.schedule_post(session, curator, quote_id, "x", soon, render_card=False)
    at = _page("calendar", curator, calendar_day=soon.astimezone(LONDON).date())
    assert any("Not connected: x" in w.value for w in at.warning)
    table = next(d.value for d in at.dataframe if "state" in d.value.columns)
    assert list(table["state"]) == ["scheduled · waiting for approval · not connected"]


def test_calendar_downloads_the_pack_and_marks_it_posted_by_hand(
    db: Database, consultation: Consultation, curator: Actor
) -> None:
    """A ready outbox post offers its pack; "Mark as posted" records the real URL."""
    soon = datetime.now(UTC) + timedelta(hours=1)
    with db.session() as session:
        quote_id = approved_quote(session, consultation)
        post = service.schedule_post(session, curator, quote_id, "outbox", soon, render_card=False)
    publish_approved(db, now=soon + timedelta(minutes=1))
    at = _page("calendar", curator, calendar_day=soon.astimezone(LONDON).date())
    assert at.selectbox(key="calendar_detail").value == post.id
    assert any("ready to post by hand" in i.value for i in at.info)
    url = "https://www.instagram.com/p/Cxyz/"
    at.text_input(key=f"post_url_{post.id}").input(url)
    at.button(key=f"post_mark_posted_{post.id}").click().run()
    assert not at.exception and at.success, [e.value for e in at.error]
    with db.session() as session:
        stored = session.get(Post, post.id)
        assert stored is not None
        assert stored.status == "posted_by_hand" and stored.remote_url == url


def test_compose_warns_when_a_network_is_not_connected(
    db: Database, consultation: Consultation, curator: Actor
) -> None:
    """Choosing X without credentials warns that its posts will wait, not connected."""
    with db.session() as session:
        approved_quote(session, consultation)
    at = _page("compose", curator, consultation_id=consultation.id)
    assert at.multiselect(key="compose_networks").value == ["x"]
    assert any("x is not connected" in w.value for w in at.warning)


def test_compose_offers_only_the_outbox_for_a_demo_quote(
    db: Database, consultation: Consultation, curator: Actor
) -> None:
    """A demo quote's only destination is the outbox, and the page says why."""
    from curation.store.foundation import Respondent
    from curation.store.quotes import Quote

    with db.session() as session:
        quote_id = approved_quote(session, consultation)
        quote = session.get(Quote, quote_id)
        assert quote is not None
        respondent = session.get(Respondent, quote.response.respondent_id)
        assert respondent is not None
        respondent.is_demo = True
    at = _page("compose", curator, consultation_id=consultation.id)
    networks = at.multiselect(key="compose_networks_demo")
    assert networks.options == ["outbox"] and networks.value == ["outbox"]
    assert any("demo quote" in i.value for i in at.info)


def test_a_page_says_in_one_line_when_the_database_is_unreachable(
    curator: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the store down a page shows one error line naming it (no password), no traceback."""
    monkeypatch.setenv("CURATION_DATABASE_URL", "postgresql://quotes:pw@127.0.0.1:1/quotes")
    at = AppTest.from_file(str(ROOT / "app_pages" / "calendar.py"), default_timeout=60)
    at.session_state["actor"] = curator
    at.run()
    assert not at.exception, at.exception
    (error,) = [e.value for e in at.error]
    assert error.startswith("cannot reach the database postgresql://quotes:***@127.0.0.1:1")
