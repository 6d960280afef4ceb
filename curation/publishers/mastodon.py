"""Mastodon through Mastodon.py: `media_post(description=...)`, `status_post(idempotency_key=...)`.

Held to Mastodon's method docs (mastodon/documentation, content/en/methods/):
- instance.md: the limits come from `GET /api/v2/instance`:
  `configuration.statuses.max_characters` and `configuration.media_attachments.
  description_limit` (4.4+; older servers fixed it at 1500). Read once, cached a day.
- statuses.md: the post's idempotency key goes out as `Idempotency-Key`, so a resend
  returns the status already created, but the server keeps keys "for up to 1 hour". A post
  due more than an hour ago may have been attempted before that: look it up first.
- media.md: a video (an audiogram MP4) is processed asynchronously: its attachment has no
  `url` until then, and a status naming it is refused, so we poll `media(id)` with an
  injectable sleep (Mastodon.py's own `synchronous=True` sleeps 5 s and hides errors).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from mastodon import Mastodon
from mastodon.errors import (
    MastodonAPIError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from curation.posts.compose import count
from curation.publishers.base import (
    AuthFailed,
    Connection,
    Media,
    NotSent,
    OutcomeUnknown,
    Outgoing,
    Permanent,
    PublishError,
    RateLimited,
    Result,
    fit_alt_text,
    short_error,
)

DEFAULT_BASE = "https://mastodon.social"
# Skips the version probe. 4.3 allows the batch `statuses(ids)` (metrics); an older server
# answers it 404 and the fetcher reads one status at a time.
ASSUMED_VERSION = "4.3.0"
VIDEO_TIMEOUT_SECONDS = 300.0
VIDEO_POLL_SECONDS = 2.0
IDEMPOTENCY_LIFETIME = timedelta(hours=1)  # statuses.md: keys "stored for up to 1 hour"
LIMITS_TTL = timedelta(hours=24)
DEFAULT_MAX_CHARACTERS = 500
DEFAULT_DESCRIPTION_LIMIT = 1500  # the server's fixed limit before 4.4 published it


@dataclass(frozen=True)
class InstanceLimits:
    max_characters: int
    description_limit: int


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class MastodonPublisher:
    network = "mastodon"

    def __init__(
        self,
        client: Mastodon,
        *,
        recent_lookup: int = 20,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        video_timeout_seconds: float = VIDEO_TIMEOUT_SECONDS,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.client = client
        self.recent_lookup = recent_lookup
        self.sleep = sleep
        self.clock = clock
        self.video_timeout_seconds = video_timeout_seconds
        self.now = now
        self._limits: tuple[datetime, InstanceLimits] | None = None

    def limits(self) -> InstanceLimits:
        """The instance's status length and alt-text limits (read once a day)."""
        now = self.now()
        if self._limits is not None and now - self._limits[0] < LIMITS_TTL:
            return self._limits[1]
        instance = self.client.instance_v2()
        config = instance.get("configuration") or {}
        statuses = config.get("statuses") or {}
        media = config.get("media_attachments") or {}
        limits = InstanceLimits(
            max_characters=int(statuses.get("max_characters") or DEFAULT_MAX_CHARACTERS),
            description_limit=int(media.get("description_limit") or DEFAULT_DESCRIPTION_LIMIT),
        )
        self._limits = (now, limits)
        return limits

    @classmethod
    def from_credentials(cls, found: Mapping[str, str]) -> MastodonPublisher:
        client = Mastodon(
            access_token=found["access_token"],
            api_base_url=found.get("base") or DEFAULT_BASE,
            ratelimit_method="throw",  # the worker reschedules; never sleep inside a run
            request_timeout=30,
            mastodon_version=ASSUMED_VERSION,
            version_check_mode="created",  # with the version given, no probe is made
        )
        return cls(client)

    def publish(self, post: Outgoing, media: Media | None) -> Result:
        try:
            limits = self.limits()
            length = count("mastodon", post.text)
            if length > limits.max_characters:
                raise Permanent(
                    f"the text counts {length} characters; this instance takes "
                    f"{limits.max_characters}"
                )
            if self.now() - _aware(post.scheduled_at) > IDEMPOTENCY_LIFETIME:
                # An earlier attempt may be older than the server's memory of its key.
                found = self.find_existing(post)
                if found is not None:
                    return found
            media_ids = None
            description: str | None = None
            if media is not None:
                description = fit_alt_text(media.alt_text, limits.description_limit)
                attachment = self.client.media_post(
                    media.read(),
                    mime_type=media.mime_type,
                    description=description or None,
                    file_name=media.path.name,
                )
                if media.mime_type.startswith("video/"):
                    self._wait_for_processing(attachment)
                media_ids = [attachment["id"]]
        except PublishError:
            raise
        except Exception as exc:  # nothing is posted yet
            raise _classify(exc, before_status=True, client=self.client) from exc
        try:
            status = self.client.status_post(
                post.text, media_ids=media_ids, idempotency_key=post.idempotency_key
            )
        except Exception as exc:
            raise _classify(exc, before_status=False, client=self.client) from exc
        reply_id = None
        if post.reply_text:
            try:
                reply = self.client.status_post(
                    post.reply_text,
                    in_reply_to_id=status["id"],
                    idempotency_key=f"{post.idempotency_key}-reply",
                )
                reply_id = str(reply["id"])
            except Exception:  # the main post is out; the follow-up is best effort
                reply_id = None
        receipt: dict[str, object] = {
            "endpoint": "POST /api/v1/statuses",
            "idempotency_key": post.idempotency_key,
            "media_ids": [str(m) for m in media_ids or []],
            "media_kind": media.mime_type if media is not None else None,
            "alt_text_sent": description if media is not None else None,
            "reply_id": reply_id,
        }
        return Result(
            remote_id=str(status["id"]),
            url=status.get("url"),
            reply_remote_id=reply_id,
            receipt=receipt,
        )

    def _wait_for_processing(self, attachment: Any) -> None:
        """Until the server has processed the video (its `url` appears), or NotSent."""
        deadline = self.clock() + self.video_timeout_seconds
        while attachment.get("url") is None:
            if self.clock() >= deadline:
                raise NotSent(f"Mastodon was still processing video {attachment['id']}")
            self.sleep(VIDEO_POLL_SECONDS)
            attachment = self.client.media(attachment["id"])

    def delete(self, remote_id: str) -> None:
        try:
            self.client.status_delete(remote_id)
        except MastodonNotFoundError:
            return
        except Exception as exc:
            raise _classify(exc, before_status=False, client=self.client) from exc

    def find_existing(self, post: Outgoing) -> Result | None:
        """Look among the account's recent statuses; a resend carries the same Idempotency-Key."""
        try:
            me = self.client.account_verify_credentials()
            statuses: list[Any] = self.client.account_statuses(me["id"], limit=self.recent_lookup)
        except Exception as exc:
            raise _classify(exc, before_status=True, client=self.client) from exc
        head = post.text.split("http", 1)[0].strip()
        for status in statuses:
            content = str(status.get("content") or "")
            if head and _plain(content).startswith(_plain(head)):
                return Result(remote_id=str(status["id"]), url=status.get("url"))
        return None

    def check_connection(self) -> Connection:
        try:
            me = self.client.account_verify_credentials()
        except MastodonUnauthorizedError as exc:
            return Connection(ok=False, error=short_error(exc), needs_reconnect=True)
        except Exception as exc:
            return Connection(ok=False, error=short_error(exc))
        return Connection(ok=True, account=f"@{me['acct']}")


def _plain(html: str) -> str:
    """Status content is HTML: drop tags and entities for a text comparison."""
    import html as html_module
    import re

    text = re.sub(r"<br\s*/?>", "\n", html)
    text = re.sub(r"</p>\s*<p>", "\n\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    return " ".join(html_module.unescape(text).split())


def _classify(
    exc: BaseException, *, before_status: bool, client: Mastodon | None = None
) -> PublishError:
    if isinstance(exc, MastodonRatelimitError):
        # Mastodon.py keeps the X-RateLimit-Reset of the refused call on the client.
        reset_epoch = getattr(client, "ratelimit_reset", None)
        reset = datetime.fromtimestamp(reset_epoch, UTC) if reset_epoch else None
        return RateLimited(short_error(exc), reset)
    if isinstance(exc, MastodonUnauthorizedError):
        return AuthFailed(short_error(exc))
    if isinstance(exc, MastodonServerError):
        # The Idempotency-Key makes a resend safe even if the server did create it.
        return NotSent(short_error(exc))
    if isinstance(exc, MastodonAPIError):
        if "requires an authenticated user" in str(exc):  # an app token, no user behind it
            return AuthFailed(short_error(exc))
        if _status_code(exc) == 429:
            return RateLimited(short_error(exc), None)
        return Permanent(short_error(exc))
    if isinstance(exc, MastodonNetworkError):
        return NotSent(short_error(exc)) if before_status else OutcomeUnknown(short_error(exc))
    return NotSent(short_error(exc)) if before_status else OutcomeUnknown(short_error(exc))


def _status_code(exc: BaseException) -> int | None:
    for arg in exc.args:
        if isinstance(arg, int) and 100 <= arg < 600:
            return arg
    return None
