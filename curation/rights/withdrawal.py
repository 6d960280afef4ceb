"""Consent withdrawal: it wins over everything.

Marks the respondent withdrawn (a re-import keeps `withdrawn_at`), cancels their pending
posts, deletes their published posts through each network's publisher (recording the
result per network), removes their rendered cards and withdraws their quotes. Running it
again changes nothing new and retries only deletions that failed before. Posts caught in
flight (`sending`, `unknown`) are taken down by the worker as soon as their outcome is known.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from curation import audit
from curation.access.actors import Actor, Permission, require
from curation.cards.service import delete_cards_for_respondent
from curation.media.erasure import remove_audiograms_for_respondent
from curation.publishers.base import Publisher, short_error
from curation.quotes import workflow
from curation.store.base import get_or_not_found, utcnow
from curation.store.foundation import Respondent, Response
from curation.store.posts import Post, PostStatus
from curation.store.quotes import Quote

log = logging.getLogger(__name__)

CANCEL_ON_WITHDRAWAL = (
    PostStatus.SCHEDULED.value,
    PostStatus.CLAIMED.value,
    PostStatus.NEEDS_RECONNECT.value,
    PostStatus.FAILED.value,
    PostStatus.NOT_CONNECTED.value,
    PostStatus.READY_BY_HAND.value,  # its pack folder is removed too
)


@dataclass
class WithdrawalReport:
    respondent_id: int
    newly_withdrawn: bool
    cancelled: list[int] = field(default_factory=list)
    deleted: dict[str, list[int]] = field(default_factory=dict)  # network -> post ids
    delete_failed: dict[str, list[int]] = field(default_factory=dict)
    in_flight: list[int] = field(default_factory=list)
    cards_deleted: int = 0
    audiograms_deleted: int = 0
    quotes_withdrawn: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _posts_of(session: Session, respondent_id: int) -> list[Post]:
    return list(
        session.scalars(
            select(Post)
            .join(Quote, Quote.id == Post.quote_id)
            .join(Response, Response.id == Quote.response_id)
            .where(Response.respondent_id == respondent_id)
            .order_by(Post.id)
        )
    )


def withdraw_respondent(
    session: Session,
    actor: Actor,
    respondent_id: int,
    *,
    publishers: Mapping[str, Publisher] | None = None,
    now: datetime | None = None,
) -> WithdrawalReport:
    """Withdraw a respondent everywhere (idempotent); returns what was done per network."""
    require(actor, Permission.WITHDRAW_CONSENT)
    now = now or utcnow()
    respondent = get_or_not_found(session, Respondent, respondent_id, "respondent")
    report = WithdrawalReport(respondent_id, newly_withdrawn=respondent.withdrawn_at is None)
    if respondent.withdrawn_at is None:
        respondent.withdrawn_at = now
    session.flush()  # the worker's consent check sees it from here on
    undo_publication(session, actor, report, publishers=publishers, now=now)
    audit.record(
        session,
        actor,
        "respondent.withdraw",
        "respondent",
        respondent_id,
        {
            "newly_withdrawn": report.newly_withdrawn,
            "cancelled": len(report.cancelled),
            "deleted": {k: len(v) for k, v in report.deleted.items()},
            "delete_failed": {k: len(v) for k, v in report.delete_failed.items()},
            "in_flight": len(report.in_flight),
            "cards_deleted": report.cards_deleted,
            "audiograms_deleted": report.audiograms_deleted,
            "quotes_withdrawn": report.quotes_withdrawn,
        },
        now=now,
    )
    return report


def undo_publication(
    session: Session,
    actor: Actor,
    report: WithdrawalReport,
    *,
    publishers: Mapping[str, Publisher] | None = None,
    now: datetime,
    reason: str = "consent withdrawn",
) -> WithdrawalReport:
    """Cancel, take down and delete everything published or pending for one respondent.

    The steps of a withdrawal, also run when consent or naming is lost another way (a
    re-import, a changed reading, a setting turned off): see `curation.rights`.
    """
    respondent_id = report.respondent_id
    chosen = publishers
    for post in _posts_of(session, respondent_id):
        if post.status in CANCEL_ON_WITHDRAWAL:
            post.status = PostStatus.CANCELLED.value
            post.claimed_by = None
            post.lease_until = None
            post.last_error = f"cancelled: {reason}"
            post.updated_at = now
            report.cancelled.append(post.id)
            _remove_pack(post)
        elif post.status == PostStatus.POSTED.value and post.remote_id:
            if chosen is None:
                from curation.publishers.registry import publishers_from_environment

                chosen = publishers_from_environment()
            _take_down(post, chosen.get(post.network), report, now)
        elif post.status in (PostStatus.SENDING.value, PostStatus.UNKNOWN.value):
            report.in_flight.append(post.id)
        elif post.status == PostStatus.POSTED_BY_HAND.value:  # only a person can take it down
            post.last_error = f"posted by hand: take it down by hand at {post.remote_url}"
            report.delete_failed.setdefault(post.network, []).append(post.id)

    report.cards_deleted = delete_cards_for_respondent(session, actor, respondent_id)
    report.audiograms_deleted = remove_audiograms_for_respondent(session, respondent_id)

    report.quotes_withdrawn = workflow.withdraw_quotes_for_respondent(
        session, actor, respondent_id, now=now
    )
    return report


def _remove_pack(post: Post) -> None:
    """A cancelled post's outbox pack holds the quote: it goes too."""
    from curation.config import load_settings
    from curation.publishers.outbox import remove_pack

    remove_pack(load_settings().outbox_dir, post.network, post.id)


def _take_down(
    post: Post, publisher: Publisher | None, report: WithdrawalReport, now: datetime
) -> None:
    from curation.posts.receipts import new_receipt

    removed = [r for r in (post.reply_remote_id, post.remote_id) if r]
    session = object_session(post)
    if publisher is None:
        report.delete_failed.setdefault(post.network, []).append(post.id)
        post.last_error = f"delete failed: no publisher for {post.network}"
        return
    try:
        for remote in removed:
            publisher.delete(remote)
    except Exception as exc:  # recorded; a later run of the withdrawal retries it
        log.warning("post %s: delete on %s failed: %s", post.id, post.network, short_error(exc))
        post.last_error = f"delete failed: {short_error(exc)}"
        report.delete_failed.setdefault(post.network, []).append(post.id)
        if session is not None:  # the network's answer, on the post's receipts
            session.add(new_receipt(post.id, post.network, "takedown", {"delete": removed},
                                    answer=post.last_error, now=now))  # fmt: skip
        return
    if session is not None:
        session.add(new_receipt(post.id, post.network, "takedown", {"delete": removed},
                                answer="deleted", now=now))  # fmt: skip
    post.status = PostStatus.DELETED.value
    post.last_error = "deleted: consent withdrawn"
    post.updated_at = now
    report.deleted.setdefault(post.network, []).append(post.id)
