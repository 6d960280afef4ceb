"""Approval covers what goes out: post text, reply, card and credit, by a second person."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from curation import app_settings
from curation.access.actors import LOCAL_ADMIN, Actor, Role
from curation.errors import WorkflowError
from curation.posts import service
from curation.posts.approval import (
    CHANGED_SINCE_APPROVAL,
    NOT_APPROVED,
    approval_refusal,
    approve_post,
    edit_post,
)
from curation.posts.worker import publish_due
from curation.store import Database
from curation.store.foundation import Consultation
from curation.store.posts import Post
from tests.fakes.rows import approved_quote

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def scheduled(db: Database, consultation: Consultation, curator: Actor) -> int:
    with db.session() as session:
        quote_id = approved_quote(session, consultation)
        post = service.schedule_post(
            session,
            curator,
            quote_id,
            "outbox",
            "now",
            now=NOW,
            reply_text="What would you add?",
            render_card=False,
        )
        return post.id


def test_a_new_post_waits_for_approval(db: Database, consultation, curator) -> None:
    """A freshly scheduled post is not approved; the worker leaves it alone."""
    post_id = scheduled(db, consultation, curator)
    with db.session() as session:
        assert approval_refusal(session.get(Post, post_id)) == NOT_APPROVED
    assert publish_due(db, now=NOW, worker_id="w1", publishers={}) == []
    with db.session() as session:
        assert session.get(Post, post_id).status == "scheduled"


def test_a_second_person_approves_the_exact_text(db: Database, consultation, curator, approver):
    """An approver other than the composer approves; the approval matches the content."""
    post_id = scheduled(db, consultation, curator)
    with db.session() as session:
        post = approve_post(session, approver, post_id, now=NOW)
        assert (post.approved_by, approval_refusal(post)) == ("abe-approver", None)


def test_nobody_approves_their_own_post(db: Database, consultation, approver) -> None:
    """The composer cannot approve their own post unless single-person approval is on."""
    post_id = scheduled(db, consultation, approver)
    with db.session() as session, pytest.raises(WorkflowError, match="second person"):
        approve_post(session, approver, post_id, now=NOW)
    with db.session() as session:
        app_settings.put(session, LOCAL_ADMIN, "single_person_approval", True)
        assert approve_post(session, approver, post_id, now=NOW).approved_by == approver.name


def test_editing_after_approval_needs_approval_again(
    db: Database, consultation, curator, approver
) -> None:
    """Changing the reply after approval clears it; text changed under an old digest is refused."""
    post_id = scheduled(db, consultation, curator)
    with db.session() as session:
        approve_post(session, approver, post_id, now=NOW)
        post = edit_post(session, curator, post_id, reply_text="Something else entirely?")
        assert post.approved_digest is None and approval_refusal(post) == NOT_APPROVED
        approve_post(session, approver, post_id, now=NOW)
        post.text = post.text + " (edited behind the desk's back)"
        assert approval_refusal(post) == CHANGED_SINCE_APPROVAL


def test_edits_are_checked_against_the_network_limit(db: Database, consultation, curator):
    """An edit longer than the network allows is refused and changes nothing."""
    post_id = scheduled(db, consultation, curator)
    with db.session() as session:
        with pytest.raises(Exception, match="allows"):
            edit_post(session, curator, post_id, text="x" * 5000)
        assert len(session.get(Post, post_id).text) < 5000


def test_viewers_cannot_approve(db: Database, consultation, curator) -> None:
    """Approving a post needs the approver role."""
    post_id = scheduled(db, consultation, curator)
    with db.session() as session, pytest.raises(Exception, match="may not approve"):
        approve_post(session, Actor("vic", Role.VIEWER), post_id, now=NOW)


def test_approve_page_shows_the_post_as_it_goes_out_and_approves_it(
    db: Database, consultation, curator, approver
) -> None:
    """The approver reads post, reply, card and alt text, approves, and is told what comes next."""
    from streamlit.testing.v1 import AppTest

    with db.session() as session:
        quote_id = approved_quote(session, consultation)
        post = service.schedule_post(session, curator, quote_id, "outbox", "2026-03-12 12:30",
                                     now=NOW, reply_text="What would you add?")  # fmt: skip
        post_id, text = post.id, post.text
    at = AppTest.from_file("../app_pages/approve_posts.py", default_timeout=60)
    at.session_state["actor"] = approver
    at.run()
    assert not at.exception
    shown = [t.value for t in at.text]
    assert text in shown and "What would you add?" in shown
    assert len(at.get("image")) == 1, "the card is shown beside the text"
    at.button(key=f"approve_post_{post_id}").click().run()
    assert not at.exception
    assert any("Thu 12 Mar 2026, 12:30" in s.value for s in at.success)
    with db.session() as session:
        assert approval_refusal(session.get(Post, post_id)) is None
    assert any("No posts are waiting" in i.value for i in at.info)


def test_post_rows_say_whether_the_content_is_approved(
    db: Database, consultation, curator, approver
) -> None:
    """Tables and JSON show a waiting post as unapproved until a second person approves it."""
    post_id = scheduled(db, consultation, curator)
    with db.session() as session:
        assert service.post_row(session.get(Post, post_id))["approved"] is False
        approve_post(session, approver, post_id, now=NOW)
        assert service.post_row(session.get(Post, post_id))["approved"] is True
