"""Every row a script may see, streamed: quotable responses, quotes and posts as plain dicts.

The CLI pages (`--offset`), streams (`--all`) and exports (`curation export`) through
these. Each goes through the consent gate like the pages do: text only of respondents
who may be quoted. Responses stream in batches, so half a million rows never sit in
memory as objects at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from curation.access.actors import Actor, Permission, require
from curation.errors import UnusableInput
from curation.responses import browse as responses
from curation.rights.gate import ConsentGate
from curation.store.foundation import Respondent, Response
from curation.store.posts import Post
from curation.store.quotes import Quote

BATCH = 1000
RESPONSE_COLUMNS = ("id", "respondent_id", "question", "question_label", "text", "attribution",
                    "region", "sector", "kind", "missions", "submitted_at")  # fmt: skip
QUOTE_COLUMNS = ("id", "response_id", "respondent_id", "status", "question", "text",
                 "attribution", "region", "sector", "missions", "created_by", "created_at",
                 "approved_by", "personal_data")  # fmt: skip
POST_COLUMNS = ("id", "quote_id", "network", "status", "state", "scheduled_at",
                "scheduled_local", "remote_id", "remote_url", "posted_at", "last_error",
                "text")  # fmt: skip


def _window(offset: int, limit: int | None) -> None:
    if offset < 0:
        raise UnusableInput(f"offset must be 0 or more, not {offset}")
    if limit is not None and limit < 1:
        raise UnusableInput(f"limit must be 1 or more, not {limit}")


def count_responses(
    session: Session, actor: Actor, consultation_id: int, flt: responses.ResponseFilter
) -> int:
    """How many quotable responses match `flt`."""
    require(actor, Permission.READ_RESPONSES)
    matching = responses.matching_ids(session, consultation_id, flt, ConsentGate.of(session))
    return session.scalar(select(func.count()).select_from(matching.subquery())) or 0


def iter_responses(
    session: Session,
    actor: Actor,
    consultation_id: int,
    flt: responses.ResponseFilter | None = None,
    *,
    offset: int = 0,
    limit: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Quotable responses in the list's order (newest first), from `offset`, `limit` at most.

    The role and the window are checked at the call, the rows load as they are read."""
    require(actor, Permission.READ_RESPONSES)
    _window(offset, limit)
    return _responses(session, consultation_id, flt, offset, limit)


def _responses(
    session: Session,
    consultation_id: int,
    flt: responses.ResponseFilter | None,
    offset: int,
    limit: int | None,
) -> Iterator[dict[str, Any]]:
    gate = ConsentGate.of(session)
    # The same narrow id query as the Responses page, sorted once; rows load a batch at a time.
    ordered = (
        responses.matching_ids(session, consultation_id, flt or responses.ResponseFilter(), gate)
        .order_by(Response.submitted_at.desc().nulls_last(), Response.id.desc())
        .offset(offset)
    )
    if limit is not None:
        ordered = ordered.limit(limit)
    ids = list(session.scalars(ordered))
    for start in range(0, len(ids), BATCH):
        for row in responses.load_rows(session, ids[start : start + BATCH], gate):
            yield asdict(row)
        session.expunge_all()  # keep memory flat over half a million rows


def iter_quotes(
    session: Session,
    actor: Actor,
    consultation_id: int,
    *,
    status: str | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Quotes of quotable respondents, newest first, from `offset`, `limit` at most."""
    from curation.quotes.workflow import list_quotes

    _window(offset, limit)
    rows = list_quotes(session, actor, consultation_id, status=status)
    end = None if limit is None else offset + limit
    return (_quote_row(r) for r in rows[offset:end])


def _quote_row(r: Any) -> dict[str, Any]:
    return {
        "id": r.id, "response_id": r.response_id, "respondent_id": r.respondent_id,
        "status": r.status, "question": r.question_number, "text": r.text,
        "attribution": r.attribution, "region": r.region, "sector": r.sector,
        "missions": r.missions, "created_by": r.created_by, "created_at": r.created_at,
        "approved_by": r.approved_by, "personal_data": [f["kind"] for f in r.pd_findings],
    }  # fmt: skip


def iter_posts(
    session: Session,
    actor: Actor,
    consultation_id: int,
    *,
    status: str | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Posts of quotes whose respondent may still be quoted, newest first."""
    from curation.posts.service import PostStatus, post_row

    require(actor, Permission.COMPOSE_POSTS)
    _window(offset, limit)
    gate = ConsentGate.of(session)
    query = (
        select(Post, Respondent)
        .join(Quote, Quote.id == Post.quote_id)
        .join(Response, Response.id == Quote.response_id)
        .join(Respondent, Respondent.id == Response.respondent_id)
        .where(Respondent.consultation_id == consultation_id, gate.sql_filter())
        .order_by(Post.scheduled_at.desc(), Post.id.desc())
        .offset(offset)
    )
    if status:
        if status not in {s.value for s in PostStatus}:
            raise UnusableInput(f"unknown status {status!r}")
        query = query.where(Post.status == status)
    if limit is not None:
        query = query.limit(limit)
    return (post_row(post) for post, person in session.execute(query) if gate.may_post(person))
