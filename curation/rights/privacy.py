"""Erasure and retention: deleting a respondent's personal data, and remembering that we did.

What erasure does (after withdrawal):
- name, email, organisation, the consent wording and the source ids become NULL (region,
  sector and the consent flags stay, for counts); the source key is replaced by
  the pseudonym, so nothing left in `respondents` identifies the person;
- every response's text becomes "" and its media reference NULL. The rows are kept (not
  deleted) so quotes, cards, posts and metrics that point at them stay consistent, and counts
  stay honest; the text itself is gone;
- media files and transcripts under the data directory are deleted, and the cards, quotes
  and media features delete what they hold through their `*_for_respondent` hooks;
- an `ErasureRecord` keeps only sha256(consultation_id:source_key), so an importer that
  meets the same person again (`is_erased`) skips them instead of bringing them back.

Retention applies the same scrub to respondents without consent once they are older than
the `retention_days` setting.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from curation import app_settings, audit
from curation.access.actors import Actor, Permission, require
from curation.cards.service import delete_cards_for_respondent
from curation.config import load_settings
from curation.errors import WorkflowError
from curation.ingest.keys import pseudonym  # the importer's definition: one place
from curation.media.erasure import delete_media_for_respondent
from curation.quotes.workflow import delete_quotes_for_respondent
from curation.store.base import get_or_not_found, utcnow
from curation.store.foundation import ErasureRecord, Respondent, Response
from curation.store.posts import Post
from curation.store.quotes import Quote

log = logging.getLogger(__name__)


def _scrub_posts(session: Session, actor: Actor, respondent_id: int) -> int:
    """Blank the words of a respondent's posts (rows stay for metrics and remote deletion)."""
    posts = session.scalars(
        select(Post)
        .join(Quote, Quote.id == Post.quote_id)
        .join(Response, Response.id == Quote.response_id)
        .where(Response.respondent_id == respondent_id)
    ).all()
    for post in posts:
        post.text, post.reply_text, post.alt_text, post.media_path = "", None, None, None
    return len(posts)


# What each feature derived from a respondent; erasure asks each to delete its share.
# Each is called as step(session, actor, respondent_id) and returns how many things it removed.
ERASURE_HOOKS: list[tuple[str, Callable[[Session, Actor, int], int]]] = [
    ("cards", delete_cards_for_respondent),
    ("quotes", delete_quotes_for_respondent),
    ("media", delete_media_for_respondent),
    ("posts", _scrub_posts),
]
TRANSCRIPT_SUFFIXES = (".vtt", ".srt", ".txt", ".json")


def is_erased(session: Session, consultation_id: int, source_key: str) -> bool:
    """Whether the person with this source key was erased (importers skip them)."""
    p = pseudonym(consultation_id, source_key)
    return bool(
        session.scalar(
            select(func.count())
            .select_from(ErasureRecord)
            .where(ErasureRecord.consultation_id == consultation_id, ErasureRecord.pseudonym == p)
        )
    )


@dataclass
class ErasureResult:
    respondent_id: int
    already_erased: bool = False
    responses_cleared: int = 0
    files_deleted: int = 0
    hooks_run: dict[str, int] = field(default_factory=dict)  # hook -> what it removed

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def erase_respondent(
    session: Session, actor: Actor, respondent_id: int, *, now: datetime | None = None
) -> ErasureResult:
    """Delete a withdrawn respondent's personal data (admins only); idempotent."""
    require(actor, Permission.ERASE)
    respondent = get_or_not_found(session, Respondent, respondent_id, "respondent with id")
    if respondent.erased_at is not None:
        return ErasureResult(respondent_id, already_erased=True)
    if respondent.withdrawn_at is None:
        raise WorkflowError(
            f"respondent {respondent_id} has not withdrawn; withdraw first with "
            f"`curation withdraw {respondent_id}`, then erase"
        )
    result = _scrub(session, actor, respondent, now or utcnow())
    audit.record(
        session,
        actor,
        "respondent.erase",
        "respondent",
        respondent_id,
        {k: v for k, v in result.as_dict().items() if k != "respondent_id"},
        now=now,
    )
    return result


def _scrub(session: Session, actor: Actor, respondent: Respondent, now: datetime) -> ErasureResult:
    result = ErasureResult(respondent.id)
    _run_hooks(session, actor, respondent.id, result)
    for response in respondent.responses:
        if response.media_ref:
            result.files_deleted += _delete_media_file(response.media_ref)
        response.text = ""
        response.media_ref = None
        response.content_hash = hashlib.sha256(b"").hexdigest()
        result.responses_cleared += 1
    marker = pseudonym(respondent.consultation_id, respondent.source_key)
    respondent.name = respondent.email = respondent.organisation = None
    respondent.source_ids = {}
    respondent.consent_raw = None  # their own words, which may name them; the flags stay
    respondent.source_key = f"erased:{marker}"
    respondent.erased_at = now
    if not _has_record(session, respondent.consultation_id, marker):
        session.add(
            ErasureRecord(
                consultation_id=respondent.consultation_id,
                pseudonym=marker,
                erased_at=now,
                actor=actor.name,
            )
        )
    session.flush()
    return result


def _has_record(session: Session, consultation_id: int, marker: str) -> bool:
    return bool(
        session.scalar(
            select(ErasureRecord.id).where(
                ErasureRecord.consultation_id == consultation_id, ErasureRecord.pseudonym == marker
            )
        )
    )


def _run_hooks(session: Session, actor: Actor, respondent_id: int, result: ErasureResult) -> None:
    for label, step in ERASURE_HOOKS:
        result.hooks_run[label] = step(session, actor, respondent_id)


def _delete_media_file(ref: str) -> int:
    """Delete a media file and its transcripts, only ever inside the data directory."""
    settings = load_settings()
    root = settings.data_dir.resolve()
    candidates = (
        [Path(ref)]
        if Path(ref).is_absolute()
        else [settings.media_dir / ref, settings.data_dir / ref]
    )
    deleted = 0
    for candidate in candidates:
        path = candidate.resolve()
        if not path.is_relative_to(root) or not path.is_file():
            continue
        for extra in [path, *(path.with_suffix(s) for s in TRANSCRIPT_SUFFIXES)]:
            if extra.is_file():
                extra.unlink()
                deleted += 1
        break
    return deleted


@dataclass
class RetentionResult:
    retention_days: int
    cutoff: datetime
    dry_run: bool
    respondent_ids: list[int]
    responses: int

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.__dict__,
            "cutoff": self.cutoff.isoformat(),
            "respondents": len(self.respondent_ids),
        }


def retention_candidates(session: Session, cutoff: datetime) -> list[Respondent]:
    """Respondents without consent (never given, or withdrawn) stored before `cutoff`."""
    return list(
        session.scalars(
            select(Respondent)
            .where(
                Respondent.erased_at.is_(None),
                Respondent.created_at < cutoff,
                or_(Respondent.consent_to_quote.is_(False), Respondent.withdrawn_at.is_not(None)),
            )
            .order_by(Respondent.id)
        )
    )


def apply_retention(
    session: Session, actor: Actor, *, dry_run: bool = False, now: datetime | None = None
) -> RetentionResult:
    """Purge respondents without consent older than `retention_days` (or list them, dry run)."""
    require(actor, Permission.ERASE)
    now = now or utcnow()
    days = int(app_settings.get(session, "retention_days"))
    cutoff = now - timedelta(days=days)
    found = retention_candidates(session, cutoff)
    responses = sum(len(r.responses) for r in found)
    result = RetentionResult(days, cutoff, dry_run, [r.id for r in found], responses)
    if dry_run:
        return result
    for respondent in found:
        _scrub(session, actor, respondent, now)
    audit.record(
        session,
        actor,
        "retention.apply",
        "respondent",
        None,
        {
            "retention_days": days,
            "respondents": len(found),
            "responses": responses,
            "respondent_ids": result.respondent_ids,
        },
        now=now,
    )
    log.info("retention purged %d respondents", len(found))
    return result
