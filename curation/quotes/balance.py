"""Balance: how approved and published quotes spread across questions, missions, regions,
sectors, themes and tone, beside each group's share of the quotable responses.

Counted quotes are approved, scheduled or published, of respondents who are quotable
now. Mission shares can add up to more than 1: a response may touch several missions.
A campaign (near-duplicate) group counts once among the quotable responses: each of its
n quotable members weighs 1/n.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from curation.access.actors import Actor, Permission, require
from curation.rights.gate import ConsentGate
from curation.store.analysis import AnswerTheme, ResponseReading
from curation.store.base import get_or_not_found
from curation.store.foundation import Consultation, Question, Respondent, Response
from curation.store.quotes import Quote, QuoteStatus

COUNTED = (QuoteStatus.APPROVED.value, QuoteStatus.SCHEDULED.value, QuoteStatus.PUBLISHED.value)
UNKNOWN = "Unknown"
NOT_ANALYSED = "Not analysed yet"
NO_THEME = "No distinctive theme"
TONE_NOT_AVAILABLE = "not available"
DIMENSIONS = ("question", "mission", "region", "sector", "theme", "tone")
GAP = 0.10  # a group whose quote share is more than 10 points off its response share
COLUMNS = ["group", "quotes", "quote_share", "quotable_responses", "response_share", "ratio"]
OVER_SHARE = 2.0  # a region quoted at more than twice its share is flagged
MAX_QUOTES_PER_RESPONDENT = 2


@dataclass(frozen=True)
class BalanceFlag:
    kind: str  # region_over | respondent_over | question_unquoted
    subject: str
    detail: str


@dataclass(frozen=True)
class Reading:
    """What the analysis found in one response (see curation.analysis)."""

    theme: str | None
    tone: str | None
    group_key: int | None


@dataclass
class Pool:
    """The quotable responses, their readings and weights, and the counted quotes."""

    by_id: dict[int, Response]
    readings: dict[int, Reading]
    weights: dict[int, float]
    quotes: list[Quote]
    allow_anonymous: bool


@dataclass
class BalanceReport:
    total_quotes: int
    total_responses: int
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # by dimension
    flags: list[BalanceFlag] = field(default_factory=list)
    effective_responses: float = 0.0  # campaign groups counted once
    analysed: bool = False
    pool: Pool | None = field(default=None, repr=False)


def theme_group(question: Question, label: str) -> str:
    return f"Q{question.number} · {label}"


def groups_of(pool: Pool, response: Response, dimension: str) -> list[str]:
    """The groups `response` falls in for `dimension` (several missions, one of the rest)."""
    person = response.respondent
    if dimension == "question":
        return [f"Q{response.question.number} {response.question.label}"]
    if dimension == "mission":
        return [t.name for t in response.themes]
    if dimension in ("theme", "tone"):
        reading = pool.readings.get(response.id)
        if reading is None:
            return [NOT_ANALYSED]
        if dimension == "tone":
            return [reading.tone or TONE_NOT_AVAILABLE]
        return [theme_group(response.question, reading.theme or NO_THEME)]
    value = person.region if dimension == "region" else person.sector
    return [(value or "").strip() or UNKNOWN]


def _table(
    order: list[str],
    quoted: Counter[str],
    responses: Counter[str],
    n_quotes: int,
    n_responses: float,
) -> pd.DataFrame:
    rows = []
    for group in order:
        q, r = quoted[group], responses[group]
        quote_share = q / n_quotes if n_quotes else 0.0
        response_share = r / n_responses if n_responses else 0.0
        ratio = quote_share / response_share if response_share else None
        rows.append([group, q, quote_share, r, response_share, ratio])
    return pd.DataFrame(rows, columns=COLUMNS)


def _readings(session: Session, ids: list[int]) -> dict[int, Reading]:
    rows = session.execute(
        select(ResponseReading.response_id, AnswerTheme.label, ResponseReading.tone,
               ResponseReading.group_key)
        .outerjoin(AnswerTheme, AnswerTheme.id == ResponseReading.answer_theme_id)
        .where(ResponseReading.response_id.in_(ids))
    )  # fmt: skip
    return {rid: Reading(label, tone, key) for rid, label, tone, key in rows}


def load_pool(session: Session, consultation_id: int) -> Pool:
    """The quotable responses of a consultation with their readings, and the counted quotes."""
    gate = ConsentGate.of(session)
    allow = gate.allow_anonymous
    responses = session.scalars(
        select(Response)
        .join(Respondent, Respondent.id == Response.respondent_id)
        .where(Respondent.consultation_id == consultation_id)
        .where(gate.sql_filter())
        .options(
            selectinload(Response.themes),
            selectinload(Response.respondent),
            selectinload(Response.question),
        )
    ).all()
    by_id = {r.id: r for r in responses}
    readings = _readings(session, list(by_id))
    members = Counter(r.group_key for r in readings.values() if r.group_key is not None)
    weights = {}
    for rid in by_id:
        key = readings[rid].group_key if rid in readings else None
        weights[rid] = 1.0 / members[key] if key is not None else 1.0
    quotes = list(
        session.scalars(
            select(Quote)
            .where(Quote.status.in_(COUNTED), Quote.response_id.in_(list(by_id)))
            .order_by(Quote.id)
        ).all()
    )
    return Pool(by_id, readings, weights, quotes, allow)


def _theme_order(session: Session, consultation_id: int) -> list[str]:
    rows = session.execute(
        select(Question, AnswerTheme.label)
        .join(Question, Question.id == AnswerTheme.question_id)
        .where(AnswerTheme.consultation_id == consultation_id)
        .order_by(Question.number, AnswerTheme.number)
    ).all()
    return [theme_group(q, label) for q, label in rows]


def balance_report(session: Session, actor: Actor, consultation_id: int) -> BalanceReport:
    """The balance tables (one per dimension) and the flags for a consultation."""
    require(actor, Permission.VIEW_BALANCE)
    consultation = get_or_not_found(session, Consultation, consultation_id, "consultation")
    pool = load_pool(session, consultation_id)
    quotes, by_id = pool.quotes, pool.by_id
    order = {
        "question": [f"Q{q.number} {q.label}" for q in consultation.questions],
        "mission": [t.name for t in consultation.themes],
        "tone": ["positive", "neutral", "negative", TONE_NOT_AVAILABLE],
    }
    if pool.readings:
        order["theme"] = _theme_order(session, consultation_id)
    effective = sum(pool.weights.values())
    report = BalanceReport(
        total_quotes=len(quotes),
        total_responses=len(by_id),
        effective_responses=effective,
        analysed=bool(pool.readings),
        pool=pool,
    )
    for dimension in DIMENSIONS:
        quoted: Counter[str] = Counter()
        available: Counter[str] = Counter()
        for response in by_id.values():
            for group in groups_of(pool, response, dimension):
                available[group] += pool.weights[response.id]  # type: ignore[assignment]
        for quote in quotes:
            quoted.update(groups_of(pool, by_id[quote.response_id], dimension))
        groups = list(order.get(dimension) or [])
        groups += sorted((set(available) | set(quoted)) - set(groups))
        if dimension == "tone":
            groups = [g for g in groups if available[g] or quoted[g] or g in order["tone"]]
        report.tables[dimension] = _table(groups, quoted, available, len(quotes), effective)
    report.flags = _flags(report, quotes, by_id, pool.allow_anonymous)
    return report


def _flags(
    report: BalanceReport, quotes: list[Quote], by_id: dict[int, Response], allow: bool
) -> list[BalanceFlag]:
    flags: list[BalanceFlag] = []
    regions = report.tables["region"]
    for row in regions.itertuples(index=False):
        if row.quotes and row.quote_share > OVER_SHARE * row.response_share:
            flags.append(
                BalanceFlag(
                    "region_over",
                    str(row.group),
                    f"{row.quote_share:.0%} of quotes but "
                    f"{row.response_share:.0%} of quotable responses",
                )
            )
    per_person = Counter(by_id[q.response_id].respondent_id for q in quotes)
    people = {r.respondent_id: r.respondent for r in by_id.values()}
    for person_id, count in sorted(per_person.items()):
        if count > MAX_QUOTES_PER_RESPONDENT:
            flags.append(
                BalanceFlag(
                    "respondent_over",
                    ConsentGate(allow_anonymous=allow).credit(people[person_id]),
                    f"quoted {count} times",
                )
            )
    for row in report.tables["question"].itertuples(index=False):
        if row.quotes == 0:
            flags.append(BalanceFlag("question_unquoted", str(row.group), "no quote yet"))
    flags.extend(gap_flags(report))
    return flags


def gap_flags(report: BalanceReport) -> list[BalanceFlag]:
    """Groups whose share of quotes is more than GAP (10 points) off their share of the
    quotable responses; only once there are quotes to compare."""
    if not report.total_quotes:
        return []
    flags = []
    for dimension in DIMENSIONS:
        for row in report.tables[dimension].itertuples(index=False):
            gap = float(row.quote_share) - float(row.response_share)
            if abs(gap) > GAP and row.group != NOT_ANALYSED:
                flags.append(
                    BalanceFlag(
                        "share_gap",
                        f"{dimension.capitalize()}: {row.group}",
                        f"{row.quote_share:.0%} of quotes but "
                        f"{row.response_share:.0%} of quotable responses "
                        f"({'over' if gap > 0 else 'under'} by {abs(gap) * 100:.0f} points)",
                    )
                )
    return flags
