"""The worker's error table: each kind of publisher error sets one status, audit and skip."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from curation.posts.send_errors import UNKNOWN_RECHECK, Attempt, rule_for
from curation.publishers.base import (
    AuthFailed,
    Backoff,
    NeedsLook,
    NotSent,
    OutcomeUnknown,
    Permanent,
    RateLimited,
)

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def attempt(*, resolving: bool = False, attempts: int = 1) -> Attempt:
    return Attempt(NOW, resolving, attempts, Backoff(rng=random.Random(7)))


@pytest.mark.parametrize(
    ("error", "status", "action", "skip"),
    [
        (AuthFailed("401"), "needs_reconnect", "post.needs_reconnect", True),
        (NeedsLook("duplicate"), "needs_look", "post.needs_look", False),
        (Permanent("too long"), "failed", "post.failed", False),
        (OutcomeUnknown("timeout"), "unknown", "post.unknown", False),
        (RuntimeError("unclassified"), "unknown", "post.unknown", False),
    ],
)
def test_each_error_kind_has_one_status_audit_action_and_skip(error, status, action, skip):
    """A needs-a-look refusal is not a plain failure; anything unclassified is looked up."""
    rule = rule_for(error)
    plan = rule.plan(error, attempt())
    assert (plan.values["status"], plan.action, rule.skip_network) == (status, action, skip)


def test_rate_limit_waits_for_the_reset_and_skips_the_network():
    """A 429 reschedules at the network's reset time; an unknown post stays unknown."""
    reset = NOW + timedelta(minutes=7)
    rule = rule_for(RateLimited("429", reset_at=reset))
    plan = rule.plan(RateLimited("429", reset_at=reset), attempt())
    assert (plan.values, plan.outcome, rule.skip_network) == (
        {"status": "scheduled", "next_attempt_at": reset},
        "rate_limited",
        True,
    )
    resolving = rule.plan(RateLimited("429"), attempt(resolving=True))
    assert resolving.values["status"] == "unknown"
    assert resolving.values["next_attempt_at"] == NOW + timedelta(minutes=15)


def test_not_sent_retries_with_backoff_then_fails_at_the_last_attempt():
    """Nothing arrived: retried later, failed after the last attempt, rechecked if resolving."""
    rule = rule_for(NotSent("503"))
    retry = rule.plan(NotSent("503"), attempt(attempts=1))
    assert retry.values["status"] == "scheduled" and retry.action == "post.retry"
    assert retry.values["next_attempt_at"] > NOW
    last = rule.plan(NotSent("503"), attempt(attempts=Backoff().max_attempts))
    assert (last.values, last.action) == ({"status": "failed"}, "post.failed")
    resolving = rule.plan(NotSent("503"), attempt(resolving=True))
    assert resolving.values == {"status": "unknown", "next_attempt_at": NOW + UNKNOWN_RECHECK}
