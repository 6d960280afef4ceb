"""Balance: how approved and published quotes spread across questions, missions, regions
and sectors, beside each group's share of the quotable responses.

Counted quotes are approved, scheduled or published, of respondents who are quotable
now. Mission shares can add up to more than 1: a response may touch several missions.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from curation import app_settings
from curation.actors import Actor, Permission, require
from curation.consent import attribution, quotable_clause
from curation.errors import NotFound
from curation.store.foundation import Consultation, Respondent, Response
from curation.store.quotes import Quote, QuoteStatus

COUNTED = (QuoteStatus.APPROVED.value, QuoteStatus.SCHEDULED.value, QuoteStatus.PUBLISHED.value)
UNKNOWN = "Unknown"
DIMENSIONS = ("question", "mission", "region", "sector")
COLUMNS = ["group", "quotes", "quote_share", "quotable_responses", "response_share", "ratio"]
OVER_SHARE = 2.0  # a region quoted at more than twice its share is flagged
MAX_QUOTES_PER_RESPONDENT = 2


@dataclass(frozen=True)
class BalanceFlag:
    kind: str  # region_over | respondent_over | question_unquoted
    subject: str
    detail: str


@dataclass
class BalanceReport:
    total_quotes: int
    total_responses: int
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # by dimension
    flags: list[BalanceFlag] = field(default_factory=list)


def _groups(response: Response, dimension: str) -> list[str]:
    person = response.respondent
    if dimension == "question":
        return [f"Q{response.question.number} {response.question.label}"]
    if dimension == "mission":
        return [t.name for t in response.themes]
    value = person.region if dimension == "region" else person.sector
    return [(value or "").strip() or UNKNOWN]


def _table(
    order: list[str], quoted: Counter[str], responses: Counter[str], n_quotes: int, n_responses: int
) -> pd.DataFrame:
    rows = []
    for group in order:
        q, r = quoted[group], responses[group]
        quote_share = q / n_quotes if n_quotes else 0.0
        response_share = r / n_responses if n_responses else 0.0
        ratio = quote_share / response_share if response_share else None
        rows.append([group, q, quote_share, r, response_share, ratio])
    return pd.DataFrame(rows, columns=COLUMNS)


def balance_report(session: Session, actor: Actor, consultation_id: int) -> BalanceReport:
    """The four balance tables and the flags for a consultation."""
    require(actor, Permission.VIEW_BALANCE)
    consultation = session.get(Consultation, consultation_id)
    if consultation is None:
        raise NotFound(f"no consultation {consultation_id}")
    allow = app_settings.allow_anonymous(session)
    responses = session.scalars(
        select(Response)
        .join(Respondent, Respondent.id == Response.respondent_id)
        .where(Respondent.consultation_id == consultation_id)
        .where(quotable_clause(allow_anonymous=allow))
        .options(
            selectinload(Response.themes),
            selectinload(Response.respondent),
            selectinload(Response.question),
        )
    ).all()
    by_id = {r.id: r for r in responses}
    quotes = [
        q
        for q in session.scalars(
            select(Quote)
            .where(Quote.status.in_(COUNTED), Quote.response_id.in_(list(by_id)))
            .order_by(Quote.id)
        ).all()
    ]
    order = {
        "question": [f"Q{q.number} {q.label}" for q in consultation.questions],
        "mission": [t.name for t in consultation.themes],
    }
    report = BalanceReport(total_quotes=len(quotes), total_responses=len(responses))
    for dimension in DIMENSIONS:
        quoted: Counter[str] = Counter()
        available: Counter[str] = Counter()
        for response in responses:
            available.update(_groups(response, dimension))
        for quote in quotes:
            quoted.update(_groups(by_id[quote.response_id], dimension))
        groups = order.get(dimension) or sorted(set(available) | set(quoted))
        report.tables[dimension] = _table(groups, quoted, available, len(quotes), len(responses))
    report.flags = _flags(report, quotes, by_id, allow)
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
                    attribution(people[person_id], allow_anonymous=allow),
                    f"quoted {count} times",
                )
            )
    for row in report.tables["question"].itertuples(index=False):
        if row.quotes == 0:
            flags.append(BalanceFlag("question_unquoted", str(row.group), "no quote yet"))
    return flags
