"""X through tweepy 4.17: `Client.create_tweet`, media through the v2 endpoints.

Posting needs user context (openapi.json: `POST /2/tweets` and `/2/media/*` list only
`OAuth2UserToken` and `UserToken` as security): OAuth 1.0a user keys are the documented
way and what tweepy signs; OAuth 2.0 user context comes from the PKCE flow with a stored,
refreshed token (see `x_oauth2`). A bare app-only bearer token is refused at configuration
time (`credential_problem`).

tweepy's v1.1 media upload is retired by X, so an image goes to `POST /2/media/upload` as
JSON (`MediaUploadRequest`: base64 `media` and `media_category`, nothing else:
`additionalProperties: false`) and its alt text to `POST /2/media/metadata`
(`CreateMediaMetadataMetadataAltText.text`, maxLength 1000), both sent with tweepy's own
`Client.request`. A video (an audiogram MP4) takes the chunked v2 flow (see `x_video`).
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
    NeedsLook,
    NotConfigured,
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
from curation.publishers.x_oauth2 import TokenStore, UserTokens
from curation.publishers.x_video import ChunkedVideoUpload

TWEEPY_HOSTS = ("https://api.twitter.com", "https://api.x.com")

# tweepy and oauthlib log request headers (the bearer token, OAuth signatures) at DEBUG:
# keep those loggers at INFO so credentials never reach a log, whatever the root level.
for _name in ("tweepy", "oauthlib", "requests_oauthlib"):
    _logger = logging.getLogger(_name)
    if _logger.level < logging.INFO:
        _logger.setLevel(logging.INFO)
ALT_TEXT_LIMIT = 1000  # CreateMediaMetadataMetadataAltText.text maxLength
IMAGE_LIMIT_BYTES = 5 * 1024 * 1024  # x-api/media/introduction.mdx: images up to 5 MB
OAUTH1_KEYS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
OAUTH2_KEYS = ("oauth2_client_id", "oauth2_refresh_token")
APP_ONLY_REFUSED = (
    "CURATION_X_BEARER_TOKEN alone is an app-only token: X refuses it for posting and "
    "media upload. Set the OAuth 1.0a user keys (CURATION_X_CONSUMER_KEY, "
    "CURATION_X_CONSUMER_SECRET, CURATION_X_ACCESS_TOKEN, CURATION_X_ACCESS_TOKEN_SECRET), "
    "or OAuth 2.0 user context from the PKCE flow with offline.access "
    "(CURATION_X_OAUTH2_CLIENT_ID and CURATION_X_OAUTH2_REFRESH_TOKEN)."
)


def credential_problem(found: Mapping[str, str]) -> str | None:
    """Why these X credentials cannot publish, or None when they can."""
    if all(found.get(k) for k in OAUTH1_KEYS) or all(found.get(k) for k in OAUTH2_KEYS):
        return None
    if found.get("bearer_token"):
        return APP_ONLY_REFUSED
    if any(found.get(k) for k in (*OAUTH1_KEYS, *OAUTH2_KEYS)):
        return "X credentials are incomplete: " + APP_ONLY_REFUSED.split(". ", 1)[1]
    return "no credentials"


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


def api_session(api_base: str | None) -> requests.Session:
    """A plain session for X's own endpoints (the OAuth 2.0 token), pointed at `api_base`."""
    session = requests.Session()
    if api_base:
        for host in TWEEPY_HOSTS:
            session.mount(host, HostRewriteAdapter(api_base, host))
    return session


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
        user_tokens: UserTokens | None = None,
    ) -> None:
        if not user_auth and user_tokens is None:
            raise NotConfigured(APP_ONLY_REFUSED)
        self.client = client
        self.user_auth = user_auth  # OAuth 1.0a; else OAuth 2.0 user context via user_tokens
        self.user_tokens = user_tokens
        self.recent_lookup = recent_lookup
        # X's duplicate check spans more than the last few posts: look as far as one page goes
        # (GET /2/users/{id}/tweets max_results is 5..100).
        self.duplicate_lookup = 100
        self.video_uploader = video_uploader or ChunkedVideoUpload(client, user_auth=user_auth)
        if api_base:
            for host in TWEEPY_HOSTS:
                client.session.mount(host, HostRewriteAdapter(api_base, host))

    @classmethod
    def from_credentials(
        cls, found: Mapping[str, str], *, token_store: TokenStore | None = None
    ) -> XPublisher:
        """OAuth 1.0a when its four keys are set, else OAuth 2.0 user context (PKCE + refresh).

        Raises NotConfigured for anything else, notably a bare app-only bearer token."""
        problem = credential_problem(found)
        if problem is not None:
            raise NotConfigured(problem)
        if all(found.get(k) for k in OAUTH1_KEYS):
            client = tweepy.Client(
                consumer_key=found["consumer_key"],
                consumer_secret=found["consumer_secret"],
                access_token=found["access_token"],
                access_token_secret=found["access_token_secret"],
            )
            return cls(client, user_auth=True, api_base=found.get("api_base"))
        # tweepy sends an OAuth 2.0 user access token as `Authorization: Bearer` when
        # user_auth is False; `authorize()` puts a fresh one in before each call.
        client = tweepy.Client(bearer_token="")
        publisher = cls(
            client,
            user_auth=False,
            api_base=found.get("api_base"),
            user_tokens=UserTokens(
                client.session,
                client_id=found["oauth2_client_id"],
                client_secret=found.get("oauth2_client_secret") or None,
                refresh_token=found["oauth2_refresh_token"],
                store=token_store,
            ),
        )
        return publisher

    def authorize(self) -> None:
        """Before a run of calls: an OAuth 2.0 access token valid for the next minutes."""
        if self.user_tokens is not None:
            self.client.bearer_token = self.user_tokens.access_token()

    # -- the network calls -------------------------------------------------------------

    def _upload(self, media: Media) -> tuple[str, str | None]:
        """The media id, and the alt text sent with it."""
        if media.mime_type.startswith("video/"):
            media_id = self.video_uploader.upload(media)
            return media_id, self._set_alt_text(media_id, media)
        data = media.read()
        if len(data) > IMAGE_LIMIT_BYTES:
            raise Permanent(f"the image is {len(data)} bytes; X takes images up to 5 MB")
        payload = {  # MediaUploadRequest lists no media_type: X reads the type from the bytes
            "media": base64.b64encode(data).decode("ascii"),
            "media_category": "tweet_image",
        }
        response = self.client.request(
            "POST", "/2/media/upload", json=payload, user_auth=self.user_auth
        )
        media_id = str(response.json()["data"]["id"])
        return media_id, self._set_alt_text(media_id, media)

    def _set_alt_text(self, media_id: str, media: Media) -> str | None:
        if not media.alt_text:
            return None
        text = fit_alt_text(media.alt_text, ALT_TEXT_LIMIT)
        self.client.request(
            "POST",
            "/2/media/metadata",
            json={"id": media_id, "metadata": {"alt_text": {"text": text}}},
            user_auth=self.user_auth,
        )
        return text

    def publish(self, post: Outgoing, media: Media | None) -> Result:
        try:
            self.authorize()
            media_ids, alt_sent = None, None
            if media is not None:
                media_id, alt_sent = self._upload(media)
                media_ids = [media_id]
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
                # X refuses identical recent text: an earlier attempt probably went out.
                found = self.find_existing(post, depth=self.duplicate_lookup)
                if found is not None:
                    return found
                raise NeedsLook(
                    "X refused the text as a duplicate and no matching recent post was "
                    "found: check the account before posting it again"
                ) from exc
            raise _classify(exc, before_create=False) from exc
        except Exception as exc:
            raise _classify(exc, before_create=False) from exc
        tweet_id = str(created.data["id"])
        reply_id = self._reply(post, tweet_id)
        receipt: dict[str, object] = {
            "endpoint": "POST /2/tweets",
            "auth": "oauth1_user" if self.user_auth else "oauth2_user",
            "media_ids": media_ids or [],
            "media_kind": media.mime_type if media is not None else None,
            "alt_text_sent": alt_sent,
            "reply_id": reply_id,
        }
        return Result(
            remote_id=tweet_id, url=status_url(tweet_id), reply_remote_id=reply_id, receipt=receipt
        )

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
        if not remote_id.isdigit():  # rows from before: "duplicate:<key>" was never an X id
            return
        try:
            self.authorize()
            self.client.delete_tweet(remote_id, user_auth=self.user_auth)
        except tweepy.NotFound:
            return
        except PublishError:
            raise
        except Exception as exc:
            raise _classify(exc, before_create=False) from exc

    def find_existing(self, post: Outgoing, *, depth: int | None = None) -> Result | None:
        """Look for the post among the account's recent posts (after an unknown outcome)."""
        try:
            self.authorize()
            me = self.client.get_me(user_auth=self.user_auth)
            recent = self.client.get_users_tweets(
                me.data["id"],
                max_results=depth or self.recent_lookup,
                user_auth=self.user_auth,
            )
        except PublishError:
            raise
        except Exception as exc:
            raise _classify(exc, before_create=True) from exc
        for tweet in recent.data or []:
            if _same_text(post.text, tweet["text"]):
                return Result(remote_id=str(tweet["id"]), url=status_url(str(tweet["id"])))
        return None

    def check_connection(self) -> Connection:
        try:
            self.authorize()
            me = self.client.get_me(user_auth=self.user_auth)
        except (tweepy.Unauthorized, AuthFailed) as exc:
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
