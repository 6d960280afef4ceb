"""The quote plan: where the counted quotes stray from the quotable answers, and the next
quotes (representative passages of the themes) that would best close the gaps.

Shares come from the balance report, so campaigns count once among the answers. Proposals
respect consent (quotable now), the personal-data checks, one quote per campaign group
and per respondent, and answers that already have a quote are left alone.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from curation.access.actors import Actor, Permission, require
from curation.quotes import balance
from curation.quotes.personal_data import find_personal_data
from curation.quotes.suggest import one_per_group
from curation.rights.gate import ConsentGate
from curation.store.analysis import AnswerTheme
from curation.store.quotes import Quote, QuoteStatus

PROPOSALS = 5
INACTIVE = (QuoteStatus.REJECTED.value, QuoteStatus.WITHDRAWN.value)


@dataclass(frozen=True)
class Gap:
    dimension: str
    group: str
    quote_share: float
    response_share: float

    @property
    def points(self) -> float:
        """Quote share minus response share, in percentage points."""
        return round((self.quote_share - self.response_share) * 100, 1)

    @property
    def flagged(self) -> bool:
        return abs(self.quote_share - self.response_share) > balance.GAP


@dataclass(frozen=True)
class Proposal:
    response_id: int
    start: int
    end: int
    text: str  # answer_text[start:end]
    attribution: str
    theme: str
    closes: list[str]  # the flagged groups it would bring closer


@dataclass
class QuotePlan:
    total_quotes: int
    effective_responses: float
    representativeness: float | None  # 1 - mean distance between the two spreads
    gaps: list[Gap] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)

    @property
    def flagged(self) -> list[Gap]:
        return [g for g in self.gaps if g.flagged]


def representativeness(report: balance.BalanceReport) -> float | None:
    """1 minus the mean, over dimensions, of the total variation distance between the quote
    spread and the answer spread (both normalised to 1); None before any quote."""
    if not report.total_quotes:
        return None
    distances = []
    for table in report.tables.values():
        q, r = table["quote_share"].astype(float), table["response_share"].astype(float)
        if q.sum() > 0 and r.sum() > 0:
            distances.append(0.5 * float((q / q.sum() - r / r.sum()).abs().sum()))
    return round(1 - sum(distances) / len(distances), 3) if distances else None


def representativeness_figure(session: Session, actor: Actor, consultation_id: int) -> float | None:
    """The one-line figure for managers: how closely the quotes mirror the answers."""
    require(actor, Permission.VIEW_BALANCE)
    return representativeness(balance.balance_report(session, actor, consultation_id))


def _gaps(report: balance.BalanceReport) -> list[Gap]:
    return [
        Gap(dimension, str(row.group), float(row.quote_share), float(row.response_share))
        for dimension, table in report.tables.items()
        for row in table.itertuples(index=False)
        if row.group != balance.NOT_ANALYSED and (row.quotes or row.quotable_responses)
    ]


def quote_plan(
    session: Session,
    actor: Actor,
    consultation_id: int,
    *,
    limit: int = PROPOSALS,
    report: balance.BalanceReport | None = None,
) -> QuotePlan:
    """The gaps per dimension and up to `limit` proposed quotes that would close them
    (pass the balance `report` already made for this consultation to save making it again)."""
    require(actor, Permission.VIEW_BALANCE)
    if report is None or report.pool is None:
        report = balance.balance_report(session, actor, consultation_id)
    plan = QuotePlan(report.total_quotes, report.effective_responses,
                     representativeness(report), _gaps(report))  # fmt: skip
    assert report.pool is not None
    plan.proposals = _propose(session, report, report.pool, limit, consultation_id)
    return plan


def _candidates(session: Session, pool: balance.Pool, consultation_id: int) -> list[Proposal]:
    quoted = set(session.scalars(select(Quote.response_id).where(
        Quote.response_id.in_(list(pool.by_id)), Quote.status.not_in(INACTIVE))))  # fmt: skip
    taken_groups = {pool.readings[r].group_key for r in quoted if r in pool.readings}
    out = []
    themes = session.scalars(select(AnswerTheme).where(
        AnswerTheme.consultation_id == consultation_id).order_by(
        AnswerTheme.question_id, AnswerTheme.number))  # fmt: skip
    for theme in themes:
        for item in theme.passages:
            response = pool.by_id.get(int(item["response_id"]))  # quotable now, or absent
            if response is None or response.id in quoted:
                continue
            reading = pool.readings.get(response.id)
            if reading is not None and reading.group_key in taken_groups - {None}:
                continue
            start, end = int(item["start"]), int(item["end"])
            if not 0 <= start < end <= len(response.text):
                continue
            text = response.text[start:end]
            if find_personal_data(text, respondent_name=response.respondent.name):
                continue
            who = ConsentGate(pool.allow_anonymous).credit(response.respondent)
            out.append(Proposal(response.id, start, end, text, who, theme.label, []))
    return out


def _distance(quoted: dict[str, Counter[str]], n: int, report: balance.BalanceReport) -> float:
    total = 0.0
    for dimension, table in report.tables.items():
        for row in table.itertuples(index=False):
            share = quoted[dimension][str(row.group)] / n if n else 0.0
            total += abs(share - float(row.response_share))
    return total


def _propose(
    session: Session,
    report: balance.BalanceReport,
    pool: balance.Pool,
    limit: int,
    consultation_id: int,
) -> list[Proposal]:
    candidates = _candidates(session, pool, consultation_id)
    candidates = one_per_group(
        candidates, lambda p: pool.readings[p.response_id].group_key
        if p.response_id in pool.readings else None)  # fmt: skip
    quoted = {d: Counter({str(r.group): int(r.quotes) for r in t.itertuples(index=False)})
              for d, t in report.tables.items()}  # fmt: skip
    n = report.total_quotes
    chosen: list[Proposal] = []
    people: set[int] = set()
    while candidates and len(chosen) < limit:
        now = _distance(quoted, n, report)
        best, best_gain = None, 0.0
        for candidate in candidates:
            response = pool.by_id[candidate.response_id]
            trial = {d: Counter(c) for d, c in quoted.items()}
            for d in trial:
                trial[d].update(balance.groups_of(pool, response, d))
            gain = now - _distance(trial, n + 1, report)
            if gain > best_gain + 1e-9:
                best, best_gain = candidate, gain
        if best is None:
            break
        response = pool.by_id[best.response_id]
        closes = [f"{d}: {g}" for d in quoted for g in balance.groups_of(pool, response, d)
                  if _under(report, d, g)]  # fmt: skip
        chosen.append(Proposal(**{**best.__dict__, "closes": closes}))
        people.add(response.respondent_id)
        for d in quoted:
            quoted[d].update(balance.groups_of(pool, response, d))
        n += 1
        candidates = [c for c in candidates if c is not best
                      and pool.by_id[c.response_id].respondent_id not in people
                      and not _same_group(pool, c, best)]  # fmt: skip
    return chosen


def _same_group(pool: balance.Pool, a: Proposal, b: Proposal) -> bool:
    ra, rb = pool.readings.get(a.response_id), pool.readings.get(b.response_id)
    return bool(ra and rb and ra.group_key is not None and ra.group_key == rb.group_key)


def _under(report: balance.BalanceReport, dimension: str, group: str) -> bool:
    table = report.tables[dimension]
    row = table[table["group"] == group]
    return bool(len(row)) and float(row["quote_share"].iloc[0]) < float(
        row["response_share"].iloc[0]
    )
