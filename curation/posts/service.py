"""Scheduling posts of approved quotes: schedule, reschedule, cancel, list, calendar."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from curation import audit
from curation.access.actors import Actor, Permission, require
from curation.config import LONDON
from curation.errors import ConsentError, UnusableInput, WorkflowError
from curation.posts import compose, scheduling
from curation.posts.approval import is_approved
from curation.posts.video import attach_audiogram, check_audiogram_allowed
from curation.rights.gate import POSTABLE_QUOTE_STATUSES, ConsentGate
from curation.store.base import get_or_not_found, utcnow
from curation.store.posts import STATUS_LABELS, Post, PostStatus

QUOTABLE_STATUSES = POSTABLE_QUOTE_STATUSES
MEDIA_KINDS = ("card", "audiogram")
RESCHEDULABLE = (
    PostStatus.SCHEDULED.value,
    PostStatus.FAILED.value,
    PostStatus.NEEDS_RECONNECT.value,
    PostStatus.NOT_CONNECTED.value,
)
CANCELLABLE = (
    PostStatus.SCHEDULED.value,
    PostStatus.CLAIMED.value,
    PostStatus.FAILED.value,
    PostStatus.NEEDS_RECONNECT.value,
    PostStatus.NOT_CONNECTED.value,
    PostStatus.READY_BY_HAND.value,
)
DEMO_ONLY_OUTBOX = (
    "quote {quote_id} is from the demo data (fictional): demo quotes only go to the outbox"
)


@dataclass(frozen=True)
class QuoteContext:
    """What composing needs of a quote; built only for quotable respondents."""

    quote_id: int
    quote: str
    attribution: str
    question: str
    link: str | None


def _quote(session: Session, quote_id: int) -> Any:
    from curation.store.quotes import Quote

    quote = get_or_not_found(session, Quote, quote_id, "quote")
    return quote


def quote_context(session: Session, quote_id: int) -> QuoteContext:
    """The approved quote's words, credit, question and consultation link (consent checked)."""
    quote = _quote(session, quote_id)
    if quote.status not in QUOTABLE_STATUSES:
        raise WorkflowError(f"quote {quote_id} is {quote.status}; only approved quotes are posted")
    respondent = quote.response.respondent
    gate = ConsentGate.of(session)
    if not gate.may_post(respondent):
        raise ConsentError(f"quote {quote_id}: the respondent may not be quoted")
    question = quote.response.question
    consultation = question.consultation
    return QuoteContext(
        quote_id=quote_id,
        quote=quote.text,
        attribution=gate.credit(respondent),
        question=question.text,
        link=consultation.public_url,
    )


def draft_texts(
    session: Session, actor: Actor, quote_id: int, *, template: str | None = None
) -> dict[str, dict[str, str]]:
    """Default post and debate texts per network for the composer."""
    require(actor, Permission.COMPOSE_POSTS)
    ctx = quote_context(session, quote_id)
    out: dict[str, dict[str, str]] = {}
    for network in compose.NETWORKS:
        out[network] = {
            "text": compose.default_text(
                network,
                quote=ctx.quote,
                attribution=ctx.attribution,
                question=ctx.question,
                link=ctx.link,
                template=template,
            ),
            "reply_text": compose.debate_text(network, question=ctx.question, link=ctx.link),
        }
    return out


def resolve_when(
    session: Session,
    at: str | datetime,
    *,
    network: str,
    quote_id: int,
    fold: int | None,
    now: datetime,
    rules: scheduling.Rules,
    exclude_post_id: int | None = None,
) -> scheduling.When:
    if isinstance(at, datetime):
        if at.tzinfo is None:
            return scheduling.resolve_local(at, fold=fold)
        return scheduling.from_utc(at)
    word = at.strip().lower()
    if word == "now":
        return scheduling.from_utc(now)
    if word == "next-slot":
        return scheduling.next_slot(
            session, network=network, after=now, quote_id=quote_id, rules=rules
        )
    return scheduling.parse_local(at, fold=fold)


def _render_card(
    session: Session, actor: Actor, quote_id: int, template: str | None, fmt: str | None
) -> tuple[Any, str | None]:
    """The quote card rendered by the cards engine, and its file's absolute path."""
    from curation.cards.service import card_file, render_quote_card

    card = render_quote_card(session, actor, quote_id, template, fmt or "square")
    return card, str(card_file(card))


def _mark_quote_scheduled(session: Session, actor: Actor, quote_id: int, now: datetime) -> None:
    from curation.quotes import workflow

    quote = _quote(session, quote_id)
    if quote.status == "approved":
        workflow.mark_scheduled(session, actor, quote_id, now=now)


def _unschedule_quote_if_idle(session: Session, actor: Actor, quote_id: int, now: datetime) -> None:
    """The quote's last pending post was cancelled: the quote goes back to approved."""
    from curation.quotes import workflow

    live = session.scalar(
        select(Post.id)
        .where(Post.quote_id == quote_id, Post.status.in_(scheduling.LIVE_STATUSES))
        .limit(1)
    )
    if live is None and _quote(session, quote_id).status == "scheduled":
        workflow.mark_unscheduled(session, actor, quote_id, now=now)


def schedule_post(
    session: Session,
    actor: Actor,
    quote_id: int,
    network: str,
    at: str | datetime,
    *,
    text: str | None = None,
    template: str | None = None,
    fmt: str | None = None,
    reply_text: str | None = None,
    fold: int | None = None,
    now: datetime | None = None,
    rules: scheduling.Rules | None = None,
    render_card: bool = True,
    media: str = "card",
) -> Post:
    """Schedule an approved, quotable quote on `network` at a London time, "now" or "next-slot".

    `media="audiogram"` attaches the quote's captioned audiogram (MP4) instead of the card,
    only when the respondent gave media consent and is named (else ConsentError)."""
    require(actor, Permission.SCHEDULE_POSTS)
    now = now or utcnow()
    if network not in compose.NETWORKS:
        raise UnusableInput(
            f"unknown network {network!r}; use one of {', '.join(compose.NETWORKS)}"
        )
    if media not in MEDIA_KINDS:
        raise UnusableInput(f"unknown media {media!r}; use card or audiogram")
    ctx = quote_context(session, quote_id)
    if network != "outbox" and _quote(session, quote_id).response.respondent.is_demo:
        raise UnusableInput(DEMO_ONLY_OUTBOX.format(quote_id=quote_id))
    if media == "audiogram":
        check_audiogram_allowed(session, quote_id, network)
    rules = rules or scheduling.load_rules(session)
    when = resolve_when(
        session, at, network=network, quote_id=quote_id, fold=fold, now=now, rules=rules
    )
    if when.utc < now - timedelta(minutes=1):
        raise UnusableInput(f"{when.local} London is in the past")
    scheduling.check_rules(session, network=network, at=when.utc, quote_id=quote_id, rules=rules)
    body = (
        text
        if text is not None
        else compose.default_text(
            network,
            quote=ctx.quote,
            attribution=ctx.attribution,
            question=ctx.question,
            link=ctx.link,
        )
    )
    _check_length(network, body, "post")
    if reply_text is not None and reply_text.strip():
        _check_length(network, reply_text, "debate reply")
    else:
        reply_text = None
    card, media_path = (
        _render_card(session, actor, quote_id, template, fmt) if render_card else (None, None)
    )
    alt_text = card.alt_text if card is not None else None
    if media == "audiogram":
        media_path, alt_text = attach_audiogram(session, actor, ctx, fmt, now=now)
    post = Post(
        quote_id=quote_id,
        network=network,
        text=body,
        reply_text=reply_text,
        card_id=card.id if card is not None else None,
        template=card.template if card is not None else template,
        format=card.format if card is not None else fmt,
        alt_text=alt_text,
        media_path=media_path,
        scheduled_at=when.utc,
        scheduled_local=when.local,
        scheduled_fold=when.fold,
        status=PostStatus.SCHEDULED.value,
        attempts=0,
        idempotency_key=uuid.uuid4().hex,
        created_by=actor.name,
        created_at=now,
        updated_at=now,
        attribution=ctx.attribution,  # checked again by the worker right before sending
    )
    session.add(post)
    session.flush()
    _mark_quote_scheduled(session, actor, quote_id, now)
    audit.record(
        session,
        actor,
        "post.schedule",
        "post",
        post.id,
        {
            "quote_id": quote_id,
            "network": network,
            "scheduled_at": when.utc.isoformat(),
            "debate": reply_text is not None,
            "card_id": post.card_id,
            "media": media,
        },
        now=now,
    )
    return post


def _check_length(network: str, text: str, what: str) -> None:
    if not text.strip():
        raise UnusableInput(f"the {what} text is empty")
    used = compose.count(network, text)
    if used > compose.limit(network):
        raise UnusableInput(f"the {what} is {used} long; {network} allows {compose.limit(network)}")


def get_post(session: Session, post_id: int) -> Post:
    post = get_or_not_found(session, Post, post_id, "post")
    return post


def reschedule(
    session: Session,
    actor: Actor,
    post_id: int,
    at: str | datetime,
    *,
    fold: int | None = None,
    now: datetime | None = None,
) -> Post:
    """Move a post that has not gone out to another time (the rules apply again)."""
    require(actor, Permission.SCHEDULE_POSTS)
    now = now or utcnow()
    post = get_post(session, post_id)
    if post.status not in RESCHEDULABLE:
        raise WorkflowError(f"post {post_id} is {post.status}; it cannot be rescheduled")
    quote_context(session, post.quote_id)
    rules = scheduling.load_rules(session)
    when = resolve_when(
        session,
        at,
        network=post.network,
        quote_id=post.quote_id,
        fold=fold,
        now=now,
        rules=rules,
        exclude_post_id=post.id,
    )
    scheduling.check_rules(
        session,
        network=post.network,
        at=when.utc,
        quote_id=post.quote_id,
        rules=rules,
        exclude_post_id=post.id,
    )
    before = post.scheduled_at
    post.scheduled_at, post.scheduled_local, post.scheduled_fold = when.utc, when.local, when.fold
    post.status = PostStatus.SCHEDULED.value
    post.next_attempt_at = None
    post.attempts = 0
    post.updated_at = now
    audit.record(
        session,
        actor,
        "post.reschedule",
        "post",
        post.id,
        {"before": before.isoformat(), "after": when.utc.isoformat()},
        now=now,
    )
    return post


def cancel(session: Session, actor: Actor, post_id: int, *, now: datetime | None = None) -> Post:
    """Cancel a post that has not gone out."""
    require(actor, Permission.SCHEDULE_POSTS)
    now = now or utcnow()
    post = get_post(session, post_id)
    if post.status == PostStatus.CANCELLED.value:
        return post
    if post.status not in CANCELLABLE:
        raise WorkflowError(
            f"post {post_id} is {post.status}; only posts not yet sent can be cancelled"
        )
    before = post.status
    post.status = PostStatus.CANCELLED.value
    post.claimed_by = None
    post.lease_until = None
    post.updated_at = now
    audit.record(session, actor, "post.cancel", "post", post.id, {"before": before}, now=now)
    session.flush()
    _unschedule_quote_if_idle(session, actor, post.quote_id, now)
    return post


def list_posts(
    session: Session,
    actor: Actor,
    *,
    status: str | None = None,
    network: str | None = None,
    limit: int = 500,
) -> list[Post]:
    require(actor, Permission.COMPOSE_POSTS)
    query = select(Post).order_by(Post.scheduled_at.desc(), Post.id.desc()).limit(limit)
    if status:
        if status not in {s.value for s in PostStatus}:
            raise UnusableInput(f"unknown status {status!r}")
        query = query.where(Post.status == status)
    if network:
        query = query.where(Post.network == network)
    return list(session.scalars(query))


def post_row(post: Post) -> dict[str, Any]:
    """A post as plain values for tables, JSON and the calendar."""
    return {
        "id": post.id,
        "quote_id": post.quote_id,
        "network": post.network,
        "status": post.status,
        "state": STATUS_LABELS.get(post.status, post.status),
        "approved": is_approved(post),  # a second person approved exactly this content
        "scheduled_at": post.scheduled_at.isoformat(),
        "scheduled_local": post.scheduled_local,
        "remote_id": post.remote_id,
        "remote_url": post.remote_url,
        "posted_at": post.posted_at.isoformat() if post.posted_at else None,
        "last_error": post.last_error,
        "text": post.text,
    }


def calendar(
    session: Session, actor: Actor, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Posts scheduled in [start, end), each with its London day, for week and month views."""
    require(actor, Permission.SCHEDULE_POSTS)
    posts = session.scalars(
        select(Post)
        .where(Post.scheduled_at >= start, Post.scheduled_at < end)
        .order_by(Post.scheduled_at, Post.id)
    )
    rows = []
    for post in posts:
        row = post_row(post)
        row["day"] = post.scheduled_at.astimezone(LONDON).date().isoformat()
        row["time"] = post.scheduled_at.astimezone(LONDON).strftime("%H:%M")
        rows.append(row)
    return rows


@dataclass(frozen=True)
class ComposableQuote:
    id: int
    label: str
    status: str


def composable_quotes(
    session: Session, actor: Actor, consultation_id: int, *, limit: int = 300
) -> list[ComposableQuote]:
    """Approved (or already scheduled/published) quotes of quotable respondents, newest first."""
    from curation.store.foundation import Respondent, Response
    from curation.store.quotes import Quote

    require(actor, Permission.COMPOSE_POSTS)
    rows = session.execute(
        select(Quote.id, Quote.text, Quote.status, Respondent.id)
        .join(Response, Response.id == Quote.response_id)
        .join(Respondent, Respondent.id == Response.respondent_id)
        .where(
            Respondent.consultation_id == consultation_id,
            Quote.status.in_(QUOTABLE_STATUSES),
            ConsentGate.of(session).sql_filter(),
        )
        .order_by(Quote.id.desc())
        .limit(limit)
    ).all()
    return [ComposableQuote(r[0], r[1] if len(r[1]) <= 90 else r[1][:89] + "…", r[2]) for r in rows]


@dataclass(frozen=True)
class CardPreview:
    card_id: int
    png: bytes
    alt_text: str
    template: str
    format: str


def card_preview(
    session: Session,
    actor: Actor,
    quote_id: int,
    template: str | None = None,
    fmt: str | None = None,
) -> CardPreview:
    """The quote's card as it will be attached (rendered once and reused by content hash)."""
    require(actor, Permission.COMPOSE_POSTS)
    quote_context(session, quote_id)
    card, path = _render_card(session, actor, quote_id, template, fmt)
    return CardPreview(
        card.id, Path(path or "").read_bytes(), card.alt_text, card.template, card.format
    )


def fold_choices(naive: datetime) -> list[datetime]:
    """Both UTC instants of an ambiguous London wall time, or [] when it is unambiguous."""
    try:
        scheduling.resolve_local(naive)
    except scheduling.AmbiguousLocalTime as exc:
        return exc.options
    except UnusableInput:
        return []
    return []
