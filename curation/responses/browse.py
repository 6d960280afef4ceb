"""Browsing responses: the quotable list (filtered, searched, paginated in the database),
counts of what is excluded, one response in full, and the filter options.

Only quotable responses (curation.rights.consent) are ever returned with their text; excluded
responses are only ever counted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import regex
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    column,
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy.orm import Session

from curation.access.actors import Actor, Permission, require
from curation.errors import ConsentError, UnusableInput
from curation.rights.gate import EXCLUSION_REASONS, ConsentGate
from curation.store.base import get_or_not_found
from curation.store.foundation import Question, Respondent, Response, ResponseTheme, Theme

UK_REGIONS = (
    "North East", "North West", "Yorkshire and the Humber", "East Midlands", "West Midlands",
    "East of England", "London", "South East", "South West", "Scotland", "Wales",
    "Northern Ireland",
)  # fmt: skip
KINDS = ("text", "audio", "video")
MAX_PAGE_SIZE = 1000
MAX_SEARCH_CHARS = 200
MAX_SEARCH_WORDS = 12
_WORD = regex.compile(r"[\p{L}\p{N}\p{M}_]+")


@dataclass(frozen=True)
class ResponseFilter:
    """What the list is narrowed to; empty tuples and None mean "any"."""

    questions: tuple[int, ...] = ()
    themes: tuple[str, ...] = ()  # theme slugs; a response matches if tagged with any
    regions: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    date_from: date | None = None  # inclusive, by the UTC day of submission
    date_to: date | None = None  # inclusive
    search: str = ""


@dataclass(frozen=True)
class ResponseRow:
    id: int
    respondent_id: int
    question: int
    question_label: str
    text: str
    attribution: str
    region: str | None
    sector: str | None
    kind: str
    missions: list[str]
    submitted_at: datetime | None


@dataclass(frozen=True)
class ResponsePage:
    items: list[ResponseRow]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class ResponseDetail:
    id: int
    respondent_id: int
    question: int
    question_label: str
    question_text: str
    text: str
    attribution: str
    region: str | None
    sector: str | None
    kind: str
    missions: list[str]
    media_ref: str | None
    submitted_at: datetime | None


@dataclass(frozen=True)
class Facets:
    """The options the filters offer for one consultation."""

    questions: list[tuple[int, str]]  # (number, label)
    themes: list[tuple[str, str]]  # (slug, name)
    regions: list[str]
    sectors: list[str]
    kinds: list[str] = field(default_factory=lambda: list(KINDS))
    first_day: date | None = None
    last_day: date | None = None


def search_words(search: str) -> list[str]:
    """The words of a search box entry; punctuation and query syntax are dropped."""
    return _WORD.findall(search[:MAX_SEARCH_CHARS])[:MAX_SEARCH_WORDS]


def fts5_query(words: list[str]) -> str:
    """An FTS5 MATCH expression: every word as a quoted string, all required.

    Quoting makes operators (AND, NEAR, *, ^, column filters) plain words, so user text
    can never break the MATCH syntax.
    """
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


def _search_clause(session: Session, words: list[str]) -> ColumnElement[bool]:
    """The search as a condition (PostgreSQL full-text search; LIKE elsewhere)."""
    if session.get_bind().dialect.name == "postgresql":
        # The same expression as the GIN index of migration 0002, so the index is used.
        simple: ColumnElement[str] = literal_column("'simple'")
        vector = func.to_tsvector(simple, Response.text)
        return vector.op("@@")(func.plainto_tsquery(simple, " ".join(words)))
    return and_(*(Response.text.ilike(f"%{w}%") for w in words))


def _with_search(session: Session, query: Select[Any], words: list[str]) -> Select[Any]:
    if session.get_bind().dialect.name != "sqlite":
        return query.where(_search_clause(session, words))
    # Joined as a table (not `id IN (...)`), so SQLite drives the query from the FTS5 hits.
    hits = (
        text("SELECT rowid FROM responses_fts WHERE responses_fts MATCH :fts_query")
        .bindparams(fts_query=fts5_query(words))
        .columns(column("rowid", Integer))
        .subquery("fts_hits")
    )
    return query.join(hits, hits.c.rowid == Response.id)


def matching_ids(
    session: Session, consultation_id: int, flt: ResponseFilter, gate: ConsentGate
) -> Select[Any]:
    """The ids of the quotable responses that match: narrow rows, so sorting stays cheap."""
    query = (
        select(Response.id)
        .join(Respondent, Response.respondent_id == Respondent.id)
        .where(
            Respondent.consultation_id == consultation_id,
            gate.sql_filter(),
        )
    )
    if flt.questions:
        # By question id, so the (question_id, submitted_at) index can serve the filter.
        question_ids = select(Question.id).where(
            Question.consultation_id == consultation_id, Question.number.in_(flt.questions)
        )
        query = query.where(Response.question_id.in_(question_ids.scalar_subquery()))
    if flt.regions:
        query = query.where(Respondent.region.in_(flt.regions))
    if flt.sectors:
        query = query.where(Respondent.sector.in_(flt.sectors))
    if flt.kinds:
        query = query.where(Response.kind.in_(flt.kinds))
    if flt.themes:
        # Joined as a table of ids: the planner can start from the (few) tagged responses.
        tagged = (
            select(ResponseTheme.response_id)
            .join(Theme, Theme.id == ResponseTheme.theme_id)
            .where(Theme.consultation_id == consultation_id, Theme.slug.in_(flt.themes))
            .distinct()
            .subquery("tagged")
        )
        query = query.join(tagged, tagged.c.response_id == Response.id)
    if flt.date_from:
        query = query.where(Response.submitted_at >= datetime.combine(flt.date_from, time(), UTC))
    if flt.date_to:
        end = datetime.combine(flt.date_to + timedelta(days=1), time(), UTC)
        query = query.where(Response.submitted_at < end)
    words = search_words(flt.search or "")
    if words:
        query = _with_search(session, query, words)
    return query


def _missions(session: Session, response_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    if not response_ids:
        return found
    rows = session.execute(
        select(ResponseTheme.response_id, Theme.name)
        .join(Theme, Theme.id == ResponseTheme.theme_id)
        .where(ResponseTheme.response_id.in_(response_ids))
        .order_by(Theme.number)
    )
    for response_id, name in rows:
        found[response_id].append(name)
    return found


def list_responses(
    session: Session,
    actor: Actor,
    consultation_id: int,
    flt: ResponseFilter | None = None,
    *,
    page: int = 1,
    page_size: int = 25,
) -> ResponsePage:
    """One page of quotable responses, newest first, with attribution and missions."""
    require(actor, Permission.READ_RESPONSES)
    if page < 1:
        raise UnusableInput(f"page must be 1 or more, not {page}")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise UnusableInput(f"page size must be between 1 and {MAX_PAGE_SIZE}, not {page_size}")
    flt = flt or ResponseFilter()
    gate = ConsentGate.of(session)
    matching = matching_ids(session, consultation_id, flt, gate)
    # Two steps: sort and slice the narrow id rows in the database (counting them in the same
    # pass with a window function, which halves the work of a broad search), then load the
    # full rows of this page only.
    sliced = session.execute(
        matching.add_columns(func.count().over().label("total"))
        .order_by(Response.submitted_at.desc().nulls_last(), Response.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    page_ids = [row[0] for row in sliced]
    if sliced:
        total = sliced[0][1]
    else:  # past the last page: the window had no row to report the total on
        total = session.scalar(select(func.count()).select_from(matching.subquery())) or 0
    items = load_rows(session, page_ids, gate)
    return ResponsePage(items=items, total=total, page=page, page_size=page_size)


def load_rows(session: Session, ids: list[int], gate: ConsentGate) -> list[ResponseRow]:
    """The rows of `ids`, in that order, with credit and missions; only people `gate` lists."""
    loaded = {
        r.id: (r, p, q)
        for r, p, q in session.execute(
            select(Response, Respondent, Question)
            .join(Respondent, Response.respondent_id == Respondent.id)
            .join(Question, Response.question_id == Question.id)
            .where(Response.id.in_(ids))
        )
    }
    missions = _missions(session, ids)
    return [
        ResponseRow(
            id=r.id,
            respondent_id=p.id,
            question=q.number,
            question_label=q.label,
            text=r.text,
            attribution=gate.credit(p),
            region=p.region,
            sector=p.sector,
            kind=r.kind,
            missions=missions.get(r.id, []),
            submitted_at=r.submitted_at,
        )
        for r, p, q in (loaded[i] for i in ids if i in loaded)
        # Defence in depth: the SQL rule and the Python rule must both agree.
        if gate.may_list(p)
    ]


def exclusion_counts(session: Session, actor: Actor, consultation_id: int) -> dict[str, int]:
    """How many responses are hidden, by reason (numbers only, never text)."""
    require(actor, Permission.READ_RESPONSES)
    reason = ConsentGate.of(session).sql_reason().label("reason")
    rows = session.execute(
        select(reason, func.count(Response.id))
        .select_from(Response)
        .join(Respondent, Response.respondent_id == Respondent.id)
        .where(Respondent.consultation_id == consultation_id)
        .group_by(reason)
    )
    counts = dict.fromkeys(EXCLUSION_REASONS, 0)
    for why, n in rows:
        if why is not None:
            counts[why] = n
    return counts


def get_response(session: Session, actor: Actor, response_id: int) -> ResponseDetail:
    """One quotable response in full; `ConsentError` if its respondent may not be quoted."""
    require(actor, Permission.READ_RESPONSES)
    response = get_or_not_found(session, Response, response_id, "response")
    gate = ConsentGate.of(session)
    respondent = response.respondent
    if not gate.may_list(respondent):
        raise ConsentError(
            f"response {response_id} may not be shown: its respondent is not quotable"
        )
    question = response.question
    return ResponseDetail(
        id=response.id,
        respondent_id=respondent.id,
        question=question.number,
        question_label=question.label,
        question_text=question.text,
        text=response.text,
        attribution=gate.credit(respondent),
        region=respondent.region,
        sector=respondent.sector,
        kind=response.kind,
        missions=_missions(session, [response.id]).get(response.id, []),
        media_ref=response.media_ref,
        submitted_at=response.submitted_at,
    )


def facets(session: Session, consultation_id: int) -> Facets:
    """The filter options: questions, missions, regions, sectors, kinds, the date span."""
    questions = session.execute(
        select(Question.number, Question.label)
        .where(Question.consultation_id == consultation_id)
        .order_by(Question.number)
    ).all()
    themes = session.execute(
        select(Theme.slug, Theme.name)
        .where(Theme.consultation_id == consultation_id)
        .order_by(Theme.number)
    ).all()
    of_consultation = Respondent.consultation_id == consultation_id
    stored_regions = set(
        session.scalars(select(Respondent.region).where(of_consultation).distinct())
    )
    sectors = session.scalars(
        select(Respondent.sector).where(of_consultation, Respondent.sector.is_not(None)).distinct()
    )
    first, last = session.execute(
        select(func.min(Response.submitted_at), func.max(Response.submitted_at))
        .join(Respondent, Response.respondent_id == Respondent.id)
        .where(of_consultation)
    ).one()
    extra_regions = sorted(r for r in stored_regions if r and r not in UK_REGIONS)
    return Facets(
        questions=[(n, label) for n, label in questions],
        themes=[(slug, name) for slug, name in themes],
        regions=[*UK_REGIONS, *extra_regions],
        sectors=sorted(s for s in sectors if s),
        first_day=_as_day(first),
        last_day=_as_day(last),
    )


def _as_day(value: datetime | str | None) -> date | None:
    # SQLite hands aggregates back as text, without the column type's conversion.
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.date()


def excerpt(text: str, limit: int = 600) -> str:
    """The first `limit` characters (whole graphemes, so emoji stay intact), with an ellipsis."""
    if len(text) <= limit:
        return text
    graphemes = regex.findall(r"\X", text)
    if len(graphemes) <= limit:
        return text
    return "".join(graphemes[:limit]).rstrip() + "…"
