"""The publishing worker: claims due posts and sends each exactly once.

The order of commits is the whole point:

1. claim (one short transaction: SQLite `BEGIN IMMEDIATE`, PostgreSQL `FOR UPDATE SKIP
   LOCKED`) -> `claimed` with a lease;
2. check consent and approval again, then commit `sending` BEFORE the network call;
3. call the network; commit `posted` with the remote id right AFTER.

A crash between 2 and 3 leaves `sending` with an expired lease; the next run turns it
into `unknown` and resolves it with the publisher's `find_existing` (X: recent posts;
Mastodon: the Idempotency-Key; Bluesky: the fixed record key). It is never resent blindly.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from curation import audit
from curation.access.actors import WORKER, Actor, Permission, require
from curation.posts import heartbeat, not_connected, receipts, send_errors
from curation.posts.approval import approval_refusal
from curation.posts.claims import Claim, claim_next, recover_expired
from curation.publishers.base import (
    Backoff,
    Media,
    Outgoing,
    Permanent,
    Publisher,
    Result,
    short_error,
)
from curation.rights.attribution_check import (
    ATTRIBUTION_CHANGED,
    NAMES_ANONYMOUS,
    stale_attribution,
)
from curation.rights.gate import POSTABLE_QUOTE_STATUSES, ConsentGate
from curation.store import Database
from curation.store.base import utcnow
from curation.store.posts import AccountHealth, Post, PostReceipt, PostStatus

log = logging.getLogger(__name__)

WITHDRAWN_REASON = "consent withdrawn or missing: the respondent is not quotable"
DEMO_REASON = "a demo (fictional) quote only ever goes to the outbox, never to a network"


@dataclass(frozen=True)
class PublishOutcome:
    post_id: int
    network: str
    status: str
    remote_id: str | None = None
    remote_url: str | None = None
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _refusal(session: Session, post: Post) -> str | None:
    """Why this post may not go out now (consent or approval), or None."""
    from curation.store.quotes import Quote

    quote = session.get(Quote, post.quote_id)
    if quote is None:
        return "quote no longer exists"
    respondent = quote.response.respondent
    gate = ConsentGate.of(session)
    if not gate.may_post(respondent):
        return WITHDRAWN_REASON
    if quote.status == "withdrawn":
        return WITHDRAWN_REASON
    stale = stale_attribution(post, respondent, allow_anonymous=gate.allow_anonymous)
    if stale is not None:
        return stale
    not_approved = approval_refusal(post)
    if not_approved is not None:
        return not_approved
    if respondent.is_demo and post.network != "outbox":
        return DEMO_REASON
    if quote.status not in POSTABLE_QUOTE_STATUSES:
        return f"quote is {quote.status}, not approved"
    if (post.media_path or "").lower().endswith(".mp4"):
        from curation.media.audiogram import media_refusal

        refused = media_refusal(session, post.quote_id)  # media consent may have been withdrawn
        if refused is not None:
            return f"audiogram refused: {refused}"
    return None


def _start_sending(db: Database, claim: Claim, worker_id: str, now: datetime) -> str | None:
    """Check consent and approval again and commit `sending`; returns a refusal reason or None."""
    with db.immediate_session() as session:
        post = session.get(Post, claim.post.id)
        if post is None or post.claimed_by != worker_id:
            return "claim lost"
        reason = _refusal(session, post)
        if reason is not None and not claim.resolving:
            withdrawn = reason in (WITHDRAWN_REASON, ATTRIBUTION_CHANGED, NAMES_ANONYMOUS)
            post.status = PostStatus.CANCELLED.value if withdrawn else PostStatus.FAILED.value
            post.last_error = reason
            post.claimed_by = None
            post.lease_until = None
            audit.record(
                session,
                WORKER,
                "post.refused",
                "post",
                post.id,
                {"network": post.network, "reason": reason},
                now=now,
            )
            return reason
        if not claim.resolving:
            moved = (
                session.connection()
                .execute(
                    update(Post)
                    .where(
                        Post.id == post.id,
                        Post.status == PostStatus.CLAIMED.value,
                        Post.claimed_by == worker_id,
                    )
                    .values(
                        status=PostStatus.SENDING.value, attempts=Post.attempts + 1, updated_at=now
                    )
                )
                .rowcount
            )
            if not moved:
                return "claim lost"
        return reason  # resolving a refused post: look it up, then delete it if it went out


def _media(post: Outgoing) -> Media | None:
    if not post.media_path:
        return None
    path = Path(post.media_path)
    if not path.is_file():
        what = "audiogram video" if path.suffix.lower() == ".mp4" else "card image"
        raise Permanent(f"the {what} is missing; make it again")
    mime = (
        "video/mp4" if path.suffix.lower() == ".mp4" else f"image/{path.suffix.lstrip('.').lower()}"
    )
    return Media(path=path, alt_text=post.alt_text or "", mime_type=mime.replace("jpg", "jpeg"))


def _finish(
    db: Database,
    post_id: int,
    now: datetime,
    *,
    values: dict[str, Any],
    action: str,
    details: dict[str, Any],
    receipt: PostReceipt | None = None,
) -> None:
    with db.immediate_session() as session:
        session.execute(
            update(Post)
            .where(Post.id == post_id)
            .values(claimed_by=None, lease_until=None, updated_at=now, **values)
        )
        audit.record(session, WORKER, action, "post", post_id, details, now=now)
        if receipt is not None:
            session.add(receipt)
        if values.get("status") == PostStatus.POSTED.value:
            post = session.get(Post, post_id)
            if post is not None:
                _mark_quote_published(session, post.quote_id, now)


def _mark_quote_published(session: Session, quote_id: int, now: datetime) -> None:
    from curation.errors import CurationError
    from curation.quotes import workflow
    from curation.store.quotes import Quote

    post_quote = session.get(Quote, quote_id)
    if post_quote is None or post_quote.status not in ("approved", "scheduled"):
        return
    if not ConsentGate.of(session).may_post(post_quote.response.respondent):
        return  # withdrawn while sending: `_withdraw_if_refused` takes the post down
    try:
        workflow.mark_published(session, WORKER, quote_id, now=now)
    except CurationError as exc:  # e.g. withdrawn meanwhile: the post is handled separately
        log.info("quote %s not marked published: %s", quote_id, type(exc).__name__)


def _note_health(db: Database, network: str, now: datetime, error: str, reconnect: bool) -> None:
    with db.immediate_session() as session:
        row = session.get(AccountHealth, network) or AccountHealth(network=network)
        row.last_checked = now
        row.ok = False
        row.last_error = error
        row.needs_reconnect = reconnect
        session.add(row)


def _send(
    db: Database,
    claim: Claim,
    publisher: Publisher,
    *,
    now: datetime,
    refusal: str | None,
    backoff: Backoff,
) -> tuple[PublishOutcome, bool]:
    """Publish (or resolve) a claimed post; returns the outcome and whether to skip the network."""
    post = claim.post
    try:
        result = publisher.find_existing(post) if claim.resolving else None
        if result is None and claim.resolving and refusal is not None:
            _finish(
                db,
                post.id,
                now,
                values={"status": PostStatus.CANCELLED.value, "last_error": refusal},
                action="post.refused",
                details={"network": post.network, "reason": refusal},
            )
            return PublishOutcome(post.id, post.network, "cancelled", error=refusal), False
        if result is None:
            result = _publish_keeping_answer(db, publisher, post, now)
    except Exception as exc:  # every kind is in the table, the unclassified last
        return _failed(db, claim, exc, now, backoff)
    return _sent(db, claim, publisher, result, now), False


def _failed(
    db: Database, claim: Claim, exc: Exception, now: datetime, backoff: Backoff
) -> tuple[PublishOutcome, bool]:
    """Apply the error table's row for `exc` to the post."""
    post, rule = claim.post, send_errors.rule_for(exc)
    attempt = send_errors.Attempt(now, claim.resolving, _attempts(db, post.id), backoff)
    plan = rule.plan(exc, attempt)
    error = short_error(exc)
    _finish(
        db,
        post.id,
        now,
        values={**plan.values, "last_error": error},
        action=plan.action,
        details={"network": post.network, **plan.details},
    )
    if rule.needs_reconnect:
        _note_health(db, post.network, now, error, True)
    return PublishOutcome(post.id, post.network, plan.outcome, error=error), rule.skip_network


def _sent(
    db: Database, claim: Claim, publisher: Publisher, result: Result, now: datetime
) -> PublishOutcome:
    """Record what the network (or the outbox) answered, and take it down if consent went."""
    post = claim.post
    receipt = receipts.new_receipt(
        post.id,
        post.network,
        "resolve" if claim.resolving else "publish",
        receipts.request_of(post, result),
        response_id=result.remote_id,
        response_url=result.url,
        now=now,
    )
    if post.network == "outbox" or getattr(publisher, "by_hand", False):
        # A pack on disk reached nobody: a person posts it and records the real URL.
        _finish(
            db,
            post.id,
            now,
            values={
                "status": PostStatus.READY_BY_HAND.value,
                "last_error": None,
                "next_attempt_at": None,
            },
            action="post.pack_ready",
            details={"network": post.network, "pack": result.remote_id},
            receipt=receipt,
        )
        outcome = PublishOutcome(post.id, post.network, PostStatus.READY_BY_HAND.value)
        return _withdraw_if_refused(db, post, publisher, result, now) or outcome
    _finish(
        db,
        post.id,
        now,
        values={
            "status": PostStatus.POSTED.value,
            "remote_id": result.remote_id,
            "remote_url": result.url,
            "reply_remote_id": result.reply_remote_id,
            "posted_at": now,
            "last_error": None,
            "next_attempt_at": None,
        },
        action="post.published",
        details={
            "network": post.network,
            "remote_id": result.remote_id,
            "resolved": claim.resolving,
        },
        receipt=receipt,
    )
    outcome = PublishOutcome(post.id, post.network, "posted", result.remote_id, result.url)
    return _withdraw_if_refused(db, post, publisher, result, now) or outcome


def _withdraw_if_refused(
    db: Database, post: Outgoing, publisher: Publisher, result: Result, now: datetime
) -> PublishOutcome | None:
    """Consent withdrawn while the post was in flight: take it down at once."""
    with db.session() as session:
        row = session.get(Post, post.id)
        reason = _refusal(session, row) if row is not None else None
    if reason != WITHDRAWN_REASON:
        return None
    removed = [r for r in (result.reply_remote_id, result.remote_id) if r]
    try:
        for remote in removed:
            publisher.delete(remote)
    except Exception as exc:
        log.warning("post %s: deleting after withdrawal failed: %s", post.id, short_error(exc))
        with db.immediate_session() as session:
            session.add(_takedown_receipt(post, removed, short_error(exc), now))
        return None
    _finish(
        db,
        post.id,
        now,
        values={
            "status": PostStatus.DELETED.value,
            "last_error": "deleted: consent withdrawn while sending",
        },
        action="post.deleted",
        details={"network": post.network, "reason": "withdrawn"},
        receipt=_takedown_receipt(post, removed, "deleted", now),
    )
    return PublishOutcome(
        post.id,
        post.network,
        "deleted",
        result.remote_id,
        result.url,
        "consent withdrawn while sending",
    )


def _publish_keeping_answer(
    db: Database, publisher: Publisher, post: Outgoing, now: datetime
) -> Result:
    """Send, and if the network says no (or nothing), keep what was sent and its answer."""
    try:
        return publisher.publish(post, _media(post))
    except Exception as exc:
        with db.session() as session:
            session.add(
                receipts.new_receipt(
                    post.id,
                    post.network,
                    "publish",
                    receipts.request_of(post),
                    answer=short_error(exc),
                    now=now,
                )
            )
        raise


def _takedown_receipt(
    post: Outgoing, removed: list[str], answer: str, now: datetime
) -> PostReceipt:
    return receipts.new_receipt(
        post.id, post.network, "takedown", {"delete": removed}, answer=answer, now=now
    )


def _attempts(db: Database, post_id: int) -> int:
    with db.session() as session:
        post = session.get(Post, post_id)
        return post.attempts if post is not None else 0


def publish_due(
    db: Database,
    *,
    now: datetime | None = None,
    worker_id: str = "worker",
    publishers: Mapping[str, Publisher] | None = None,
    lease_seconds: int = 300,
    limit: int | None = None,
    backoff: Backoff | None = None,
    park_unconnected: bool = True,
) -> list[PublishOutcome]:
    """Publish every post due at `now` (at most `limit`); one network failing skips only itself.

    Due posts of networks without a publisher here wait as "not connected"; with
    `park_unconnected=False` (a dashboard while a worker runs elsewhere) they are left alone."""
    from curation.publishers.registry import NETWORKS, publishers_from_environment

    now = now or utcnow()
    chosen = publishers if publishers is not None else publishers_from_environment()
    backoff = backoff or Backoff()
    recover_expired(db, now)
    not_connected.release(db, chosen, now)  # connected since: due again
    if park_unconnected:
        not_connected.park(db, chosen, now)  # no publisher here: they wait, never sent elsewhere
    outcomes: list[PublishOutcome] = []
    skip: set[str] = set() if park_unconnected else {n for n in NETWORKS if n not in chosen}
    while limit is None or len(outcomes) < limit:
        claim = claim_next(
            db,
            now=now,
            worker_id=worker_id,
            lease_seconds=lease_seconds,
            skip_networks=frozenset(skip),
        )
        if claim is None:
            break
        publisher = chosen.get(claim.post.network)
        if publisher is None:  # an unknown post of a network this worker cannot reach
            _finish(
                db,
                claim.post.id,
                now,
                values={
                    "status": PostStatus.UNKNOWN.value
                    if claim.resolving
                    else PostStatus.NOT_CONNECTED.value,
                    "next_attempt_at": now + send_errors.RATE_LIMIT_FALLBACK
                    if claim.resolving
                    else None,
                    "last_error": not_connected.REASON,
                },
                action="post.not_connected",
                details={"network": claim.post.network},
            )
            skip.add(claim.post.network)
            continue
        refusal = _start_sending(db, claim, worker_id, now)
        if refusal is not None and not claim.resolving:
            if refusal != "claim lost":
                outcomes.append(
                    PublishOutcome(claim.post.id, claim.post.network, "refused", error=refusal)
                )
            continue
        outcome, skip_network = _send(
            db, claim, publisher, now=now, refusal=refusal, backoff=backoff
        )
        outcomes.append(outcome)
        if skip_network:
            skip.add(claim.post.network)
    return outcomes


def run_worker(
    db: Database,
    stop_event: threading.Event,
    interval: float = 30.0,
    *,
    worker_id: str = "worker",
    publishers: Mapping[str, Publisher] | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> int:
    """Publish due posts every `interval` seconds until `stop_event` is set; returns runs done.

    After each run the worker writes its heartbeat (what the dashboard's status shows)."""
    from curation.publishers.registry import publishers_from_environment

    runs = 0
    started = clock()
    while not stop_event.is_set():
        try:
            chosen = publishers if publishers is not None else publishers_from_environment()
            now = clock()
            outcomes = publish_due(db, now=now, worker_id=worker_id, publishers=chosen)
            heartbeat.beat(
                db,
                worker_id,
                started_at=started,
                interval=interval,
                networks=chosen,
                last_result=heartbeat.result_counts(outcomes),
                now=now,
            )
        except Exception as exc:  # keep the loop alive; the next run retries
            log.error("publishing run failed: %s", short_error(exc))
        runs += 1
        stop_event.wait(interval)
    try:
        heartbeat.stopped(db, worker_id, clock())
    except Exception as exc:  # the database may be gone; the heartbeat then goes stale
        log.warning("could not record the worker's stop: %s", short_error(exc))
    return runs


def install_stop_signals(stop_event: threading.Event) -> None:
    """SIGTERM and SIGINT set `stop_event`, so the current post finishes before the loop ends."""

    def _stop(_signum: int, _frame: object) -> None:
        stop_event.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)


def publish_now(
    db: Database,
    actor: Actor,
    *,
    now: datetime | None = None,
    publishers: Mapping[str, Publisher] | None = None,
) -> dict[str, int]:
    """Publish what is due now through the worker's own exactly-once path; returns the counts.

    For approvers: the same claims and leases as `curation worker`, so a running worker and
    this button never send the same post twice."""
    require(actor, Permission.APPROVE_QUOTES)
    now = now or utcnow()
    with db.session() as session:
        # A running worker may hold credentials this process lacks: leave its networks to it.
        worker_running = heartbeat.publisher_status(session, now).running > 0
    outcomes = publish_due(
        db,
        now=now,
        worker_id=f"dashboard-{actor.name}"[:120],
        publishers=publishers,
        park_unconnected=not worker_running,
    )
    counts = heartbeat.result_counts(outcomes)
    with db.session() as session:
        audit.record(session, actor, "posts.publish_now", "post", None, counts, now=now)
    return counts
