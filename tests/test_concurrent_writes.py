"""Writers wait for each other: an import and concurrent quote, approve, schedule and worker
writes all succeed on SQLite, none fails with "database is locked"."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from benchmarks.import_and_list import write_export
from curation.access.actors import Actor
from curation.ingest import import_file, writer
from curation.posts import service
from curation.posts.approval import content_digest
from curation.publishers.base import Connection, Media, Outgoing, Result
from curation.quotes import workflow
from curation.store import Database
from curation.store.foundation import Consultation, Respondent
from curation.store.posts import Post
from curation.store.quotes import Quote
from tests.fakes.rows import approved_quote, publish_approved
from tests.quote_fixtures import LONG_ANSWER, add_response

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


class Recording:
    """A publisher that only counts what it was asked to send."""

    network = "mastodon"

    def __init__(self) -> None:
        self.sent: list[int] = []

    def publish(self, post: Outgoing, media: Media | None) -> Result:
        self.sent.append(post.id)
        return Result(remote_id=f"m-{post.id}", url=f"https://m.example/{post.id}")

    def delete(self, remote_id: str) -> None:
        """Nothing to take down."""

    def find_existing(self, post: Outgoing) -> Result | None:
        return None

    def check_connection(self) -> Connection:
        return Connection(ok=True, account="recording")


def _due_post(db: Database, consultation: Consultation) -> int:
    with db.session() as session:
        quote_id = approved_quote(session, consultation, key=f"w-{uuid.uuid4().hex[:8]}")
        post = Post(
            quote_id=quote_id, network="mastodon", text="due #LevellingUp",
            scheduled_at=NOW - timedelta(minutes=1), scheduled_local="2026-03-10 11:59",
            scheduled_fold=0, status="scheduled", attempts=0,
            idempotency_key=uuid.uuid4().hex, created_by="cara", created_at=NOW, updated_at=NOW,
        )  # fmt: skip
        post.approved_digest = content_digest(post)  # a second person approved it
        session.add(post)
        session.flush()
        return post.id


def test_import_and_concurrent_writers_all_succeed(
    db: Database,
    consultation: Consultation,
    curator: Actor,
    approver: Actor,
    admin: Actor,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """While an import holds the write lock, quote, approve, schedule and worker writes wait."""
    export = tmp_path / "export.csv"
    write_export(export, 300)
    monkeypatch.setattr(writer, "CHUNK_ROWS", 25)  # several chunks: the writers start mid-import
    with db.session() as session:
        to_quote = add_response(session, consultation).id
        draft = workflow.create_quote(session, curator, add_response(session, consultation).id,
                                      [(0, len(LONG_ANSWER))], now=NOW).id  # fmt: skip
        to_schedule = approved_quote(session, consultation, key="to-schedule")
    due = _due_post(db, consultation)
    recording = Recording()

    def add_quote() -> None:
        with db.session() as session:
            workflow.create_quote(session, curator, to_quote, [(0, 20)], now=NOW)

    def approve() -> None:
        with db.session() as session:
            workflow.approve(session, approver, draft, now=NOW)

    def schedule() -> None:
        with db.session() as session:
            service.schedule_post(session, curator, to_schedule, "mastodon", "2026-03-12 12:30",
                                  now=NOW, render_card=False)  # fmt: skip

    def work() -> None:
        publish_approved(db, now=NOW, worker_id="w1", publishers={"mastodon": recording})

    jobs: list[Callable[[], None]] = [add_quote, approve, schedule, work]
    errors: list[BaseException] = []
    begun = [threading.Event() for _ in jobs]

    def run(index: int) -> None:
        begun[index].set()
        try:
            jobs[index]()
        except BaseException as exc:  # collected and asserted on in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]

    def progress(done: int, total: int) -> None:
        if done == writer.CHUNK_ROWS:  # the import holds the write lock from here on
            for thread in threads:
                thread.start()
            for event in begun:
                event.wait()

    with db.session() as session:
        report = import_file(session, admin, consultation.id, export, progress=progress, now=NOW)
    for thread in threads:
        thread.join()
    assert errors == []
    assert report.respondents_created == 300
    with db.session() as session:
        statuses = {qid: status for qid, status in session.execute(select(Quote.id, Quote.status))}
        assert statuses[draft] == "approved"
        assert session.scalar(select(func.count()).select_from(Quote)) == 4
        assert session.scalar(select(func.count()).where(Post.quote_id == to_schedule)) == 1
        assert session.get(Post, due).status == "posted"  # type: ignore[union-attr]
        assert session.scalar(select(func.count()).select_from(Respondent)) == 304
    assert recording.sent == [due]


def test_read_session_does_not_wait_for_a_writer(db: Database, consultation: Consultation) -> None:
    """A read-only session reads the last commit while another connection holds the write lock."""
    with db.session() as writing:
        add_response(writing, consultation)  # uncommitted: the write lock is held
        with db.read_session() as reading:
            assert reading.scalar(select(func.count()).select_from(Respondent)) == 0
