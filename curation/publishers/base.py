"""The Publisher protocol and the error classes the worker acts on.

Every adapter turns its library's exceptions into exactly one of these, so the worker
decides retries, reschedules and reconnects the same way for every network:

- `RateLimited(reset_at)`: reschedule at the reset time.
- `NotSent`: the request certainly did not arrive (connection refused, 5xx before
  acceptance); retry with capped exponential backoff and jitter.
- `OutcomeUnknown`: it may have arrived (timeout, connection dropped mid-request);
  resolve with `find_existing`, never resend blindly.
- `AuthFailed`: the account needs reconnecting.
- `Permanent`: the network refused the content; do not retry.
- `NeedsLook` (a `Permanent`): the outcome needs a person's check; never resent.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class Media:
    """An image (or video) to attach, with its alt text."""

    path: Path
    alt_text: str
    mime_type: str = "image/png"

    def read(self) -> bytes:
        return self.path.read_bytes()


@dataclass(frozen=True)
class Outgoing:
    """What a publisher needs of a post: a plain value, detached from the database session."""

    id: int
    network: str
    text: str
    reply_text: str | None
    idempotency_key: str
    scheduled_at: datetime
    created_at: datetime
    alt_text: str | None = None
    media_path: str | None = None
    remote_id: str | None = None


@dataclass(frozen=True)
class Result:
    remote_id: str
    url: str | None = None
    reply_remote_id: str | None = None
    # Extra facts for the post's receipt: media ids, reply-to id, the network's answer.
    # Never tokens or secrets (the worker also drops keys that look like them).
    receipt: dict[str, object] | None = None


@dataclass(frozen=True)
class Connection:
    ok: bool
    account: str | None = None
    error: str | None = None
    needs_reconnect: bool = False


class PublishError(Exception):
    """Base of the classified publishing errors; messages never hold credentials."""


class RateLimited(PublishError):
    def __init__(self, message: str, reset_at: datetime | None = None) -> None:
        super().__init__(message)
        self.reset_at = reset_at


class NotSent(PublishError):
    """Certainly not received by the network: safe to retry."""


class OutcomeUnknown(PublishError):
    """May have been received: look it up before anything else."""


class AuthFailed(PublishError):
    """Credentials refused: the account needs reconnecting."""


class Permanent(PublishError):
    """Refused for good (bad content, too long, forbidden)."""


class NeedsLook(Permanent):
    """The network's answer leaves the outcome for a person to check (never resent, never
    marked posted): e.g. X's duplicate-content 403 when no matching post can be found."""


class NotConfigured(ValueError):
    """The credentials given cannot publish (e.g. an app-only X bearer token)."""


@runtime_checkable
class Publisher(Protocol):
    network: str

    def publish(self, post: Outgoing, media: Media | None) -> Result: ...

    def delete(self, remote_id: str) -> None: ...

    def find_existing(self, post: Outgoing) -> Result | None: ...

    def check_connection(self) -> Connection: ...


@dataclass
class Backoff:
    """Capped exponential backoff with full jitter, from an injectable RNG (seed it in tests)."""

    base_seconds: float = 30.0
    cap_seconds: float = 3600.0
    max_attempts: int = 6
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int) -> timedelta:
        ceiling = min(self.cap_seconds, self.base_seconds * (2 ** max(0, attempt - 1)))
        return timedelta(seconds=ceiling / 2 + self.rng.uniform(0, ceiling / 2))


def fit_alt_text(text: str, limit: int) -> str:
    """Alt text within a network's limit: cut at a word, marked with an ellipsis."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1].rsplit(" ", 1)[0] or text[: limit - 1]
    return head.rstrip() + "…"


def short_error(exc: BaseException, limit: int = 300) -> str:
    """An error message safe to store: one line, capped."""
    text = f"{type(exc).__name__}: {exc}".replace("\n", " ")
    return text[:limit]
