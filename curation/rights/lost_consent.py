"""Losing consent is withdrawal, wherever it comes from.

A re-import, a reading confirmed differently, or the anonymous-quotes setting turned off
can take away someone's consent to be quoted or named. The same steps as a withdrawal
then run (queued posts cancelled, published posts taken down, cards and audiograms
deleted, quotes withdrawn), without marking the person withdrawn: consent given again
later makes them quotable again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from curation import audit
from curation.access.actors import CONSENT_RULES, Actor
from curation.publishers.base import Publisher
from curation.rights.withdrawal import WithdrawalReport, undo_publication
from curation.store.base import utcnow


def undo_for_lost_consent(
    session: Session,
    actor: Actor,
    respondent_ids: Iterable[int],
    *,
    reason: str,
    publishers: Mapping[str, Publisher] | None = None,
    now: datetime | None = None,
) -> dict[str, int]:
    """Run the withdrawal steps for each respondent; returns totals of what was done.

    `actor` made the change (already authorised for it); the steps run as CONSENT_RULES.
    """
    now = now or utcnow()
    totals = {"respondents": 0, "posts_cancelled": 0, "posts_deleted": 0,
              "delete_failed": 0, "cards_deleted": 0, "audiograms_deleted": 0,
              "quotes_withdrawn": 0}  # fmt: skip
    for respondent_id in sorted(set(respondent_ids)):
        report = undo_publication(
            session, CONSENT_RULES, WithdrawalReport(respondent_id, newly_withdrawn=False),
            publishers=publishers, now=now, reason=reason,
        )  # fmt: skip
        _add(totals, report)
        audit.record(
            session, CONSENT_RULES, "respondent.consent_lost", "respondent", respondent_id,
            {"reason": reason, "changed_by": actor.name, "cancelled": len(report.cancelled),
             "deleted": sum(len(v) for v in report.deleted.values()),
             "cards_deleted": report.cards_deleted, "quotes_withdrawn": report.quotes_withdrawn},
            now=now,
        )  # fmt: skip
    return totals


def _add(totals: dict[str, int], report: WithdrawalReport) -> None:
    totals["respondents"] += 1
    totals["posts_cancelled"] += len(report.cancelled)
    totals["posts_deleted"] += sum(len(v) for v in report.deleted.values())
    totals["delete_failed"] += sum(len(v) for v in report.delete_failed.values())
    totals["cards_deleted"] += report.cards_deleted
    totals["audiograms_deleted"] += report.audiograms_deleted
    totals["quotes_withdrawn"] += report.quotes_withdrawn
