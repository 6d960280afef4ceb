"""What each kind of publisher error does to its post: one row per error type.

The worker looks the error up here (first matching row wins, so the order matters:
the specific kinds before `Permanent`, and anything unclassified last, because a send
that failed in an unknown way may still have arrived).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from curation.publishers.base import (
    AuthFailed,
    Backoff,
    NeedsLook,
    NotSent,
    Permanent,
    RateLimited,
)
from curation.store.posts import PostStatus

RATE_LIMIT_FALLBACK = timedelta(minutes=15)
UNKNOWN_RECHECK = timedelta(minutes=1)


@dataclass(frozen=True)
class Attempt:
    """What the rule may need to know about the failed attempt."""

    now: datetime
    resolving: bool  # the post was `unknown` and was being looked up
    attempts: int  # sends tried so far, this one included
    backoff: Backoff


@dataclass(frozen=True)
class Plan:
    """The post's new column values, its audit entry and the outcome the run reports."""

    values: dict[str, Any]
    action: str
    outcome: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ErrorRule:
    error: type[Exception]
    plan: Callable[[Exception, Attempt], Plan]
    skip_network: bool = False  # the network is not tried again for the rest of this run
    needs_reconnect: bool = False  # the account's credentials were refused


def _fixed(status: str, action: str, *, recheck: bool = False) -> Callable[..., Plan]:
    def plan(_exc: Exception, attempt: Attempt) -> Plan:
        values: dict[str, Any] = {"status": status}
        if recheck:
            values["next_attempt_at"] = attempt.now + UNKNOWN_RECHECK
        return Plan(values, action, status)

    return plan


def _rate_limited(exc: Exception, attempt: Attempt) -> Plan:
    reset = getattr(exc, "reset_at", None)
    if reset is None or reset <= attempt.now:
        reset = attempt.now + RATE_LIMIT_FALLBACK
    status = PostStatus.UNKNOWN.value if attempt.resolving else PostStatus.SCHEDULED.value
    return Plan(
        {"status": status, "next_attempt_at": reset},
        "post.rate_limited",
        "rate_limited",
        {"retry_at": reset.isoformat()},
    )


def _not_sent(_exc: Exception, attempt: Attempt) -> Plan:
    """Nothing arrived: retry with backoff, or give up after the last attempt."""
    values: dict[str, Any]
    if attempt.resolving:
        values = {
            "status": PostStatus.UNKNOWN.value,
            "next_attempt_at": attempt.now + UNKNOWN_RECHECK,
        }
    elif attempt.attempts >= attempt.backoff.max_attempts:
        values = {"status": PostStatus.FAILED.value}
    else:
        values = {
            "status": PostStatus.SCHEDULED.value,
            "next_attempt_at": attempt.now + attempt.backoff.delay(attempt.attempts),
        }
    action = "post.failed" if values["status"] == PostStatus.FAILED.value else "post.retry"
    return Plan(values, action, str(values["status"]), {"attempts": attempt.attempts})


RULES: tuple[ErrorRule, ...] = (
    ErrorRule(RateLimited, _rate_limited, skip_network=True),
    ErrorRule(NotSent, _not_sent),
    ErrorRule(
        AuthFailed,
        _fixed(PostStatus.NEEDS_RECONNECT.value, "post.needs_reconnect"),
        skip_network=True,
        needs_reconnect=True,
    ),
    # e.g. X's duplicate-content 403 with no matching post: a person checks, never resent
    ErrorRule(NeedsLook, _fixed(PostStatus.NEEDS_LOOK.value, "post.needs_look")),
    ErrorRule(Permanent, _fixed(PostStatus.FAILED.value, "post.failed")),
    # OutcomeUnknown, and anything unclassified: it may have arrived, so it is looked up
    ErrorRule(Exception, _fixed(PostStatus.UNKNOWN.value, "post.unknown", recheck=True)),
)


def rule_for(exc: Exception) -> ErrorRule:
    """The first row whose error type `exc` is."""
    return next(rule for rule in RULES if isinstance(exc, rule.error))
