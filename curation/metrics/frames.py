"""Loading the posts and their metric history of one consultation into pandas frames.

Only posts that went out (`posted`) on a real network count; outbox files were never
seen by anyone. A quote's words are carried only while its respondent is quotable
(the consent rule); otherwise the text is blank, though the numbers still count.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from curation.config import LONDON
from curation.metrics.aggregate import (
    COUNTERS,
    GAIN_COLUMNS,
    INTERACTIONS,
    POST_COLUMNS,
    Filters,
    Frames,
)
from curation.rights.gate import ConsentGate
from curation.store.foundation import Question, Respondent, Response, ResponseTheme, Theme
from curation.store.metrics import MetricSnapshot
from curation.store.posts import SOCIAL_NETWORKS, Post, PostStatus
from curation.store.quotes import Quote

NETWORKS_WITH_METRICS = SOCIAL_NETWORKS


def _post_scope(consultation_id: int):  # type: ignore[no-untyped-def]
    """Conditions selecting this consultation's published posts on real networks."""
    return (
        Question.consultation_id == consultation_id,
        Post.status == PostStatus.POSTED.value,
        Post.network.in_(NETWORKS_WITH_METRICS),
    )


def load_frames(session: Session, consultation_id: int, filters: Filters | None = None) -> Frames:
    """The posts (with question, missions, region, sector), each post's latest snapshot, and
    the engagements gained per hour by the posts `filters` keep; the history stays in SQL."""
    quotable = case((ConsentGate.of(session).sql_filter(), True), else_=False)
    rows = session.execute(
        select(
            Post.id,
            Post.network,
            Post.posted_at,
            Post.template,
            Post.format,
            Quote.id,
            Quote.text,
            Response.id,
            Question.number,
            Question.label,
            Respondent.region,
            Respondent.sector,
            Post.remote_url,
            Respondent.is_demo,
            quotable,
        )
        .join(Quote, Post.quote_id == Quote.id)
        .join(Response, Quote.response_id == Response.id)
        .join(Respondent, Response.respondent_id == Respondent.id)
        .join(Question, Response.question_id == Question.id)
        .where(*_post_scope(consultation_id))
    ).all()
    missions: dict[int, list[str]] = defaultdict(list)
    response_ids = {r[7] for r in rows}
    if response_ids:
        for response_id, name in session.execute(
            select(ResponseTheme.response_id, Theme.name)
            .join(Theme, ResponseTheme.theme_id == Theme.id)
            .where(Theme.consultation_id == consultation_id)
            .order_by(Theme.number)
        ):
            if response_id in response_ids:
                missions[response_id].append(name)
    records = [
        (pid, net, posted, tpl, fmt, qid, text if ok else None, rid, f"Q{num} {label}",
         missions.get(rid, []), region, sector, url, demo)
        for (pid, net, posted, tpl, fmt, qid, text, rid, num, label, region, sector, url, demo, ok)
        in rows
    ]  # fmt: skip
    posts = pd.DataFrame.from_records(records, columns=POST_COLUMNS)
    return Frames(
        posts=posts,
        latest=load_latest(session, posts["post_id"]),
        gains=load_gains(session, consultation_id, filters or Filters()),
    )


def _scoped_post_ids(consultation_id: int, *extra: Any) -> Any:
    """A subquery of the ids of the consultation's published posts (and `extra` conditions)."""
    return (
        select(Post.id)
        .join(Quote, Post.quote_id == Quote.id)
        .join(Response, Quote.response_id == Response.id)
        .join(Question, Response.question_id == Question.id)
        .where(*_post_scope(consultation_id), *extra)
    )


def load_latest(session: Session, post_ids: pd.Series) -> pd.DataFrame:
    """The newest snapshot of each post in `post_ids` (served by the (post_id, taken_at) index)."""
    newest = (
        select(MetricSnapshot.post_id, func.max(MetricSnapshot.taken_at).label("taken_at"))
        .group_by(MetricSnapshot.post_id)
        .subquery()
    )
    stmt = select(
        MetricSnapshot.post_id, MetricSnapshot.id, *[getattr(MetricSnapshot, c) for c in COUNTERS]
    ).join(
        newest,
        (newest.c.post_id == MetricSnapshot.post_id)
        & (newest.c.taken_at == MetricSnapshot.taken_at),
    )  # every post's; narrowed to this consultation's posts in pandas (cheaper than a join)
    frame = pd.DataFrame.from_records(
        session.execute(stmt).all(), columns=["post_id", "id", *COUNTERS]
    )
    # Two snapshots taken at the same instant (a sync and an import): the later row wins.
    frame = frame[frame["post_id"].isin(post_ids)]
    frame = frame.sort_values("id").drop_duplicates("post_id", keep="last")
    return frame.drop(columns="id").reset_index(drop=True)


def _london_midnight_utc(day: object) -> datetime:
    local = datetime.combine(day, time(0), LONDON)  # type: ignore[arg-type]
    return local.astimezone(UTC)


def _hour_bucket(session: Session, column: Any) -> Any:
    """The UTC hour of a timestamp: "YYYY-MM-DD HH" text on SQLite, a timestamp on PostgreSQL."""
    if session.get_bind().dialect.name == "sqlite":
        return func.substr(column, 1, 13)  # stored as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC
    return func.date_trunc("hour", column)


def load_gains(session: Session, consultation_id: int, filters: Filters) -> pd.DataFrame:
    """Engagements gained per UTC hour by the posts `filters` keep, computed in SQL.

    A snapshot's gain is its effective engagements (the network's figure, else the sum
    of the interaction counters) less the post's previous snapshot's; only rises count.
    The window runs in the (post_id, taken_at) index order, so no sort is needed.
    """
    s = MetricSnapshot
    effective = func.coalesce(
        s.engagements,
        sum(
            (func.coalesce(getattr(s, c), 0) for c in INTERACTIONS[1:]),
            func.coalesce(getattr(s, INTERACTIONS[0]), 0),
        ),
    )
    previous = func.lag(effective, 1, 0).over(partition_by=s.post_id, order_by=s.taken_at)
    conditions: list[Any] = []
    if filters.networks:
        conditions.append(Post.network.in_(list(filters.networks)))
    if filters.start is not None:
        conditions.append(Post.posted_at >= _london_midnight_utc(filters.start))
    if filters.end is not None:
        conditions.append(Post.posted_at < _london_midnight_utc(filters.end + timedelta(days=1)))
    in_scope = _scoped_post_ids(consultation_id, *conditions)
    rises = (
        select(
            _hour_bucket(session, s.taken_at).label("hour"), (effective - previous).label("gain")
        )
        .where(s.post_id.in_(in_scope))
        .subquery()
    )
    stmt = (
        select(rises.c.hour, func.sum(rises.c.gain))
        .where(rises.c.gain > 0)
        .group_by(rises.c.hour)
        .order_by(rises.c.hour)
    )
    frame = pd.DataFrame.from_records(session.execute(stmt).all(), columns=GAIN_COLUMNS)
    if session.get_bind().dialect.name == "sqlite":
        frame["hour"] = pd.to_datetime(frame["hour"], format="%Y-%m-%d %H", utc=True)
    else:
        frame["hour"] = pd.to_datetime(frame["hour"], utc=True)
    frame["gained"] = frame["gained"].astype("float64")
    return frame
