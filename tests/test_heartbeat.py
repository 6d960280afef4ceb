"""A publisher you can see: worker heartbeats, the sidebar status and "publish what is due now"."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from curation.access import accounts
from curation.access.actors import Actor, Role
from curation.errors import PermissionDenied
from curation.posts import approval, heartbeat, service, worker
from curation.posts.worker import run_worker
from curation.publishers.outbox import OutboxPublisher
from curation.store import Database
from curation.store.foundation import AuditEntry, Consultation
from curation.store.posts import Post, WorkerHeartbeat
from tests.fakes.rows import approved_quote

ROOT = Path(__file__).resolve().parent.parent
# 11:31 UTC on 1 June is 12:31 in London (BST).
LAST_RUN = datetime(2026, 6, 1, 11, 31, tzinfo=UTC)


def _beat(db: Database, worker_id: str = "worker-a", at: datetime = LAST_RUN) -> None:
    heartbeat.beat(
        db,
        worker_id,
        started_at=at - timedelta(hours=1),
        interval=30,
        networks=["outbox", "mastodon"],
        last_result={"handled": 2, "posted": 1, "ready_by_hand": 1},
        now=at,
    )


def test_the_worker_writes_a_heartbeat_each_loop_and_says_when_it_stops(db: Database) -> None:
    """run_worker stores id, host, pid, start, last run, counts and networks; stopping is noted."""
    stop = threading.Event()
    clock_calls: list[datetime] = []

    def clock() -> datetime:
        clock_calls.append(LAST_RUN + timedelta(seconds=len(clock_calls)))
        if len(clock_calls) == 3:  # the start, then each loop's time: stop after the second
            stop.set()
        return clock_calls[-1]

    runs = run_worker(
        db, stop, interval=0, worker_id="worker-t", publishers={"outbox": OutboxPublisher(ROOT)},
        clock=clock,
    )  # fmt: skip
    assert runs == 2
    with db.session() as session:
        row = session.get(WorkerHeartbeat, "worker-t")
        assert row is not None
        assert row.pid > 0 and row.host and row.networks == "outbox"
        assert row.started_at == LAST_RUN and row.last_run_at == clock_calls[2]
        assert row.last_result == {"handled": 0}
        assert row.stopped_at == clock_calls[-1]


def test_status_is_running_while_the_heartbeat_is_fresh(db: Database) -> None:
    """Fresh within two intervals plus a minute; then "not running"; London time in the label."""
    _beat(db)
    with db.session() as session:
        fresh = heartbeat.publisher_status(session, LAST_RUN + timedelta(seconds=119))
        stale = heartbeat.publisher_status(session, LAST_RUN + timedelta(seconds=121))
    assert fresh.label() == "Publisher running · last run 12:31"
    assert fresh.networks == ("mastodon", "outbox")
    assert stale.label() == "Publisher not running: posts will not go out"
    assert stale.last_run == LAST_RUN


def test_a_stopped_worker_is_not_running_at_once(db: Database) -> None:
    """A clean stop is shown straight away; two fresh workers are counted."""
    _beat(db, "worker-a")
    _beat(db, "worker-b")
    with db.session() as session:
        assert (
            heartbeat.publisher_status(session, LAST_RUN).label().startswith("2 publishers running")
        )
    heartbeat.stopped(db, "worker-a", LAST_RUN)
    heartbeat.stopped(db, "worker-b", LAST_RUN)
    with db.session() as session:
        assert not heartbeat.publisher_status(session, LAST_RUN).running


def _status_script() -> None:
    """The sidebar component alone, with the clock the test put in session state."""
    import os

    import streamlit as st

    from curation.store import Database
    from ui import publisher_status

    db = Database(os.environ["CURATION_DATABASE_URL"])
    publisher_status.show(db, st.session_state["actor"], now=st.session_state["now"])


def _status(actor: Actor, now: datetime) -> AppTest:
    at = AppTest.from_function(_status_script, default_timeout=30)
    at.session_state["actor"] = actor
    at.session_state["now"] = now
    at.run()
    assert not at.exception, at.exception
    return at


def test_banner_says_running_with_the_last_run_in_london_time(db: Database, curator: Actor) -> None:
    """With a fresh heartbeat the banner reads "Publisher running · last run 12:31"."""
    _beat(db)
    at = _status(curator, LAST_RUN + timedelta(seconds=20))
    assert [c.value for c in at.caption] == [
        ":material/radio_button_checked: Publisher running · last run 12:31"
    ]
    assert not at.warning


def test_banner_warns_when_no_publisher_runs(db: Database, curator: Actor) -> None:
    """A stale heartbeat shows "Publisher not running: posts will not go out"."""
    _beat(db)
    at = _status(curator, LAST_RUN + timedelta(hours=1))
    assert [w.value for w in at.warning] == ["Publisher not running: posts will not go out"]


def test_publish_now_button_publishes_what_is_due_once(
    db: Database, consultation: Consultation, curator: Actor, approver: Actor
) -> None:
    """An approver's button sends the due outbox post through the worker's path, once."""
    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    with db.session() as session:
        quote_id = approved_quote(session, consultation)
        post_id = service.schedule_post(
            session, curator, quote_id, "outbox", "now", now=now, render_card=False
        ).id
        approval.approve_post(session, approver, post_id, now=now)  # a second pair of eyes
    at = _status(approver, now + timedelta(minutes=1))
    at.button(key="publisher_publish_now").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["1 due posts handled: 1 ready to post by hand."]
    at.button(key="publisher_publish_now").click().run()
    assert [i.value for i in at.info] == ["Nothing was due."]
    with db.session() as session:
        assert session.get(Post, post_id).status == "ready_by_hand"  # type: ignore[union-attr]
        actions = session.scalars(
            select(AuditEntry.action).where(
                AuditEntry.actor == approver.name, AuditEntry.action.like("posts.%")
            )
        ).all()
        assert actions == ["posts.publish_now", "posts.publish_now"]


def test_curators_get_no_publish_button_and_the_service_refuses_them(
    db: Database, curator: Actor
) -> None:
    """Only roles that can approve see the button; the service checks the role again."""
    at = _status(curator, LAST_RUN)
    assert "publisher_publish_now" not in [b.key for b in at.button]
    with pytest.raises(PermissionDenied):
        worker.publish_now(db, curator, now=LAST_RUN, publishers={})


def test_every_page_shows_the_status_in_the_sidebar(
    db: Database, consultation: Consultation, admin: Actor
) -> None:
    """After sign-in, the dashboard's sidebar shows the status and an approver's button."""
    with db.session() as session:
        accounts.create_user(session, admin, "abe", Role.APPROVER, password="a fine long password")
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    at.text_input(key="signin_name").input("abe")
    at.text_input(key="signin_password").input("a fine long password")
    at.button(key="signin_submit").click().run()
    assert not at.exception, at.exception
    assert [w.value for w in at.sidebar.warning] == ["Publisher not running: posts will not go out"]
    assert "publisher_publish_now" in [b.key for b in at.sidebar.button]


def test_publish_now_leaves_a_running_workers_networks_to_it(
    db: Database, consultation: Consultation, curator: Actor, approver: Actor
) -> None:
    """With a worker running, the button does not park posts of networks it cannot reach."""
    now = LAST_RUN + timedelta(seconds=10)
    with db.session() as session:
        quote_id = approved_quote(session, consultation)
        post_id = service.schedule_post(
            session, curator, quote_id, "mastodon", "now", now=now, render_card=False
        ).id
        approval.approve_post(session, approver, post_id, now=now)
    _beat(db)  # a worker that holds the Mastodon credentials
    assert worker.publish_now(db, approver, now=now, publishers={}) == {"handled": 0}
    with db.session() as session:
        assert session.get(Post, post_id).status == "scheduled"  # type: ignore[union-attr]
    heartbeat.stopped(db, "worker-a", now)
    worker.publish_now(db, approver, now=now, publishers={})
    with db.session() as session:
        assert session.get(Post, post_id).status == "not_connected"  # type: ignore[union-attr]
