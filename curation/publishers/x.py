"""X through tweepy 4.17: `Client.create_tweet`, media through the v2 endpoints.

tweepy's v1.1 media upload is retired by X, so the image goes to `POST /2/media/upload`
(one-shot JSON: base64 media, `media_category` and `media_type`) and its alt text to
`POST /2/media/metadata`, both sent with tweepy's own signed `Client.request`. A video
(an audiogram MP4) takes the chunked v2 flow: `/2/media/upload/initialize`, then
`/2/media/upload/{id}/append` per segment and `/2/media/upload/{id}/finalize`, then
`GET /2/media/upload?command=STATUS` while X processes it (see `x_video`).
`CURATION_X_API_BASE` points the client elsewhere (tests, proxies) through a requests
adapter mounted on the client's session that rewrites the host.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import requests
import tweepy
from requests.adapters import HTTPAdapter

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
from curation.publishers.x_video import ChunkedVideoUpload

TWEEPY_HOSTS = ("https://api.twitter.com", "https://api.x.com")

# tweepy and oauthlib log request headers (the bearer token, OAuth signatures) at DEBUG:
# keep those loggers at INFO so credentials never reach a log, whatever the root level.
for _name in ("tweepy", "oauthlib", "requests_oauthlib"):
    _logger = logging.getLogger(_name)
    if _logger.level < logging.INFO:
        _logger.setLevel(logging.INFO)
ALT_TEXT_LIMIT = 1000


class HostRewriteAdapter(HTTPAdapter):
    """Sends requests meant for X's API host to `base` instead (signatures are unaffected)."""

    def __init__(self, base: str, host: str) -> None:
        super().__init__()
        self.base = base.rstrip("/")
        self.host = host

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        url = request.url or ""
        if url.startswith(self.host):
            request.url = self.base + url[len(self.host) :]
        return super().send(request, *args, **kwargs)


def status_url(tweet_id: str) -> str:
    return f"https://x.com/i/web/status/{tweet_id}"


def _same_text(ours: str, theirs: str) -> bool:
    """X rewrites links to t.co: compare the text before the first link."""
    head = ours.split("http", 1)[0].strip()
    return bool(head) and theirs.strip().startswith(head)


class XPublisher:
    network = "x"

    def __init__(
        self,
        client: tweepy.Client,
        *,
        user_auth: bool,
        api_base: str | None = None,
        recent_lookup: int = 20,
        video_uploader: ChunkedVideoUpload | None = None,
    ) -> None:
        self.client = client
        self.user_auth = user_auth
        self.recent_lookup = recent_lookup
        self.video_uploader = video_uploader or ChunkedVideoUpload(client, user_auth=user_auth)
        if api_base:
            for host in TWEEPY_HOSTS:
                client.session.mount(host, HostRewriteAdapter(api_base, host))

    @classmethod
    def from_credentials(cls, found: Mapping[str, str]) -> XPublisher:
        oauth1 = all(
            found.get(k)
            for k in ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
        )
        if oauth1:
            client = tweepy.Client(
                consumer_key=found["consumer_key"],
                consumer_secret=found["consumer_secret"],
                access_token=found["access_token"],
                access_token_secret=found["access_token_secret"],
            )
        else:  # an OAuth 2.0 user-context token is sent as a bearer token
            client = tweepy.Client(bearer_token=found["bearer_token"])
        return cls(client, user_auth=oauth1, api_base=found.get("api_base"))

    # -- the network calls -------------------------------------------------------------

    def _upload(self, media: Media) -> str:
        if media.mime_type.startswith("video/"):
            media_id = self.video_uploader.upload(media)
            self._set_alt_text(media_id, media)
            return media_id
        payload = {
            "media": base64.b64encode(media.read()).decode("ascii"),
            "media_category": "tweet_image",
            "media_type": media.mime_type,
        }
        response = self.client.request(
            "POST", "/2/media/upload", json=payload, user_auth=self.user_auth
        )
        media_id = str(response.json()["data"]["id"])
        self._set_alt_text(media_id, media)
        return media_id

    def _set_alt_text(self, media_id: str, media: Media) -> None:
        if media.alt_text:
            self.client.request(
                "POST",
                "/2/media/metadata",
                json={
                    "id": media_id,
                    "metadata": {"alt_text": {"text": media.alt_text[:ALT_TEXT_LIMIT]}},
                },
                user_auth=self.user_auth,
            )

    def publish(self, post: Outgoing, media: Media | None) -> Result:
        try:
            media_ids = [self._upload(media)] if media is not None else None
        except PublishError:
            raise
        except Exception as exc:  # nothing is posted before create_tweet: safe to retry
            raise _classify(exc, before_create=True) from exc
        try:
            created = self.client.create_tweet(
                text=post.text, media_ids=media_ids, user_auth=self.user_auth
            )
        except tweepy.Forbidden as exc:
            if "duplicate" in str(exc).lower():
                # X refuses identical text: the first attempt went out. Find it, or trust it.
                found = self.find_existing(post)
                return found or Result(remote_id=f"duplicate:{post.idempotency_key}")
            raise _classify(exc, before_create=False) from exc
        except Exception as exc:
            raise _classify(exc, before_create=False) from exc
        tweet_id = str(created.data["id"])
        reply_id = self._reply(post, tweet_id)
        return Result(remote_id=tweet_id, url=status_url(tweet_id), reply_remote_id=reply_id)

    def _reply(self, post: Outgoing, tweet_id: str) -> str | None:
        if not post.reply_text:
            return None
        try:
            reply = self.client.create_tweet(
                text=post.reply_text, in_reply_to_tweet_id=tweet_id, user_auth=self.user_auth
            )
        except Exception:  # the main post is out; a missing follow-up must not resend it
            return None
        return str(reply.data["id"])

    def delete(self, remote_id: str) -> None:
        if remote_id.startswith("duplicate:"):
            return
        try:
            self.client.delete_tweet(remote_id, user_auth=self.user_auth)
        except tweepy.NotFound:
            return
        except Exception as exc:
            raise _classify(exc, before_create=False) from exc

    def find_existing(self, post: Outgoing) -> Result | None:
        """Look for the post among the account's recent posts (after an unknown outcome)."""
        try:
            me = self.client.get_me(user_auth=self.user_auth)
            recent = self.client.get_users_tweets(
                me.data["id"], max_results=self.recent_lookup, user_auth=self.user_auth
            )
        except Exception as exc:
            raise _classify(exc, before_create=True) from exc
        for tweet in recent.data or []:
            if _same_text(post.text, tweet["text"]):
                return Result(remote_id=str(tweet["id"]), url=status_url(str(tweet["id"])))
        return None

    def check_connection(self) -> Connection:
        try:
            me = self.client.get_me(user_auth=self.user_auth)
        except tweepy.Unauthorized as exc:
            return Connection(ok=False, error=short_error(exc), needs_reconnect=True)
        except Exception as exc:
            return Connection(ok=False, error=short_error(exc))
        return Connection(ok=True, account=f"@{me.data['username']}")


def _classify(exc: BaseException, *, before_create: bool) -> PublishError:
    """Map tweepy and requests errors onto the worker's classes."""
    if isinstance(exc, tweepy.TooManyRequests):
        reset = getattr(exc, "reset_time", None)
        if reset is None and exc.response is not None:
            header = exc.response.headers.get("x-rate-limit-reset")
            reset = int(header) if header and header.isdigit() else None
        at = datetime.fromtimestamp(reset, UTC) if reset else None
        return RateLimited(short_error(exc), at)
    if isinstance(exc, tweepy.Unauthorized):
        return AuthFailed(short_error(exc))
    if isinstance(exc, (tweepy.BadRequest, tweepy.Forbidden, tweepy.NotFound)):
        return Permanent(short_error(exc))
    if isinstance(exc, tweepy.TwitterServerError):
        return NotSent(short_error(exc)) if before_create else OutcomeUnknown(short_error(exc))
    if isinstance(exc, (requests.exceptions.ConnectTimeout,)):
        return NotSent(short_error(exc))
    if isinstance(exc, requests.exceptions.ConnectionError) and "refused" in str(exc).lower():
        return NotSent(short_error(exc))
    if before_create:
        return NotSent(short_error(exc))
    return OutcomeUnknown(short_error(exc))
