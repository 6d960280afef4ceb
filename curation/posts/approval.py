"""What goes out is what a second person approved.

A post's approval is a digest of everything that is published with it: the network, the
post text, the debate reply, the alt text, the card or audiogram and the credit. Editing
any of it clears the approval; the worker sends only posts whose content still matches
the approved digest, checked again right before sending.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from curation import app_settings, audit
from curation.access.actors import Actor, Permission, require
from curation.errors import ConsentError, UnusableInput, WorkflowError
from curation.posts import compose
from curation.rights.gate import POSTABLE_QUOTE_STATUSES, ConsentGate
from curation.store.base import get_or_not_found, utcnow
from curation.store.foundation import Question, Respondent, Response
from curation.store.posts import Post, PostStatus
from curation.store.quotes import Quote

NOT_APPROVED = "the post text has not been approved by a second person"
CHANGED_SINCE_APPROVAL = "the post changed since it was approved: approve it again"
# Posts whose content may still be approved or edited: they have not gone out.
APPROVABLE = (
    PostStatus.SCHEDULED.value,
    PostStatus.NEEDS_RECONNECT.value,
    PostStatus.NOT_CONNECTED.value,
    PostStatus.FAILED.value,
)


def content_digest(post: Post) -> str:
    """A fingerprint of everything published with the post (not its time)."""
    parts = [
        post.network, post.text, post.reply_text or "", post.alt_text or "",
        post.card_id, post.media_path or "", post.attribution or "",
    ]  # fmt: skip
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()


def approval_refusal(post: Post) -> str | None:
    """Why the worker must not send this post's content (None when it matches the approval)."""
    if post.approved_digest is None:
        return NOT_APPROVED
    if post.approved_digest != content_digest(post):
        return CHANGED_SINCE_APPROVAL
    return None


def is_approved(post: Post) -> bool:
    return approval_refusal(post) is None


def _post(session: Session, post_id: int) -> Post:
    post = get_or_not_found(session, Post, post_id, "post")
    return post


def approve_post(
    session: Session, actor: Actor, post_id: int, *, now: datetime | None = None
) -> Post:
    """A second person approves the post exactly as it will go out (text, reply, card, credit)."""
    require(actor, Permission.APPROVE_QUOTES)
    now = now or utcnow()
    post = _post(session, post_id)
    if post.status not in APPROVABLE:
        raise WorkflowError(f"post {post_id} is {post.status}; only posts waiting to go out")
    if post.created_by == actor.name and not app_settings.get(session, "single_person_approval"):
        raise WorkflowError(
            f"post {post_id} was composed by {actor.name}: a second person approves it"
        )
    quote = session.get(Quote, post.quote_id)
    if quote is None or quote.status not in POSTABLE_QUOTE_STATUSES:
        raise WorkflowError(f"post {post_id}: its quote is not approved")
    gate = ConsentGate.of(session)
    if not gate.may_post(quote.response.respondent):
        raise ConsentError(f"post {post_id}: the respondent may not be quoted")
    if post.attribution is not None and post.attribution != gate.credit(quote.response.respondent):
        raise WorkflowError(f"post {post_id}: the credit changed since it was composed")
    post.approved_digest = content_digest(post)
    post.approved_by, post.approved_at, post.updated_at = actor.name, now, now
    audit.record(
        session,
        actor,
        "post.approve",
        "post",
        post.id,
        {"network": post.network, "digest": post.approved_digest[:16]},
        now=now,
    )
    return post


def edit_post(
    session: Session,
    actor: Actor,
    post_id: int,
    *,
    text: str | None = None,
    reply_text: str | None = None,
    now: datetime | None = None,
) -> Post:
    """Change a waiting post's text or debate reply; its approval is cleared."""
    require(actor, Permission.COMPOSE_POSTS)
    now = now or utcnow()
    post = _post(session, post_id)
    if post.status not in APPROVABLE:
        raise WorkflowError(f"post {post_id} is {post.status}; it can no longer be edited")
    for value, what in ((text, "post"), (reply_text, "debate reply")):
        if value is None or (what == "debate reply" and not value.strip()):
            continue
        if not value.strip():
            raise UnusableInput(f"the {what} text is empty")
        used, allowed = compose.count(post.network, value), compose.limit(post.network)
        if used > allowed:
            raise UnusableInput(f"the {what} is {used} long; {post.network} allows {allowed}")
    before = content_digest(post)
    if text is not None:
        post.text = text
    if reply_text is not None:
        post.reply_text = reply_text.strip() or None
    if content_digest(post) != before:
        post.approved_digest, post.approved_by, post.approved_at = None, None, None
        post.updated_at = now
        audit.record(
            session,
            actor,
            "post.edit",
            "post",
            post.id,
            {"length": len(post.text), "reply": post.reply_text is not None},
            now=now,
        )
    return post


@dataclass(frozen=True)
class WaitingPost:
    """A post as it will go out, for the approver to read in full."""

    id: int
    network: str
    text: str
    reply_text: str | None
    alt_text: str | None
    card_id: int | None
    media_path: str | None
    scheduled_local: str
    composed_by: str
    quote_text: str
    answer_text: str
    question: str
    changed_since_approval: bool


def waiting_posts(session: Session, actor: Actor, consultation_id: int) -> list[WaitingPost]:
    """Posts of quotable people that wait to go out without a current approval, soonest first."""
    require(actor, Permission.APPROVE_QUOTES)
    gate = ConsentGate.of(session)
    rows = session.execute(
        select(Post, Quote, Response, Question)
        .join(Quote, Quote.id == Post.quote_id)
        .join(Response, Response.id == Quote.response_id)
        .join(Respondent, Respondent.id == Response.respondent_id)
        .join(Question, Question.id == Response.question_id)
        .where(
            Respondent.consultation_id == consultation_id,
            Post.status.in_(APPROVABLE),
            gate.sql_filter(),
        )
        .order_by(Post.scheduled_at, Post.id)
    ).all()
    return [
        WaitingPost(
            id=post.id, network=post.network, text=post.text, reply_text=post.reply_text,
            alt_text=post.alt_text, card_id=post.card_id, media_path=post.media_path,
            scheduled_local=post.scheduled_local, composed_by=post.created_by,
            quote_text=quote.text, answer_text=response.text, question=question.text,
            changed_since_approval=post.approved_digest is not None,
        )
        for post, quote, response, question in rows
        if not is_approved(post)
    ]  # fmt: skip
