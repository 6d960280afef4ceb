"""Mastodon through Mastodon.py: `media_post(description=...)`, `status_post(idempotency_key=...)`.

The post's idempotency key goes out as Mastodon's `Idempotency-Key` header, so a resend
after an unknown outcome returns the status already created instead of a second one.
A video (an audiogram MP4) is processed asynchronously by the server: its attachment has
no `url` until then, and a status naming it is refused, so we poll `media(id)` with an
injectable sleep (Mastodon.py's own `synchronous=True` sleeps 5 s and hides errors).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
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
    short_error,
)

DEFAULT_BASE = "https://mastodon.social"
ASSUMED_VERSION = "4.2.0"  # skips the version probe; v2 media and Idempotency-Key exist since 3.x
VIDEO_TIMEOUT_SECONDS = 300.0
VIDEO_POLL_SECONDS = 2.0


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
    ) -> None:
        self.client = client
        self.recent_lookup = recent_lookup
        self.sleep = sleep
        self.clock = clock
        self.video_timeout_seconds = video_timeout_seconds

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
            media_ids = None
            if media is not None:
                attachment = self.client.media_post(
                    media.read(),
                    mime_type=media.mime_type,
                    description=media.alt_text or None,
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
        return Result(remote_id=str(status["id"]), url=status.get("url"), reply_remote_id=reply_id)

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
