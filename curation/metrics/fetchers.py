"""One metrics fetcher per network, over the real client libraries.

Each `fetch(remote_ids)` yields one dict per batch: remote id -> counters (see
`curation.store.metrics.COUNTERS`; None where the network did not say). A fetcher
raises `RateLimitHit` to stop its network for this run (batches already yielded are
kept) and `FetchFailed` for anything else that stops it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger(__name__)

Counters = dict[str, int | None]
X_BATCH = 100  # GET /2/tweets takes at most 100 ids
BLUESKY_BATCH = 25  # app.bsky.feed.getPosts takes at most 25 uris
X_ALL_FIELDS = ["public_metrics", "non_public_metrics", "organic_metrics"]
X_PUBLIC_FIELDS = ["public_metrics"]


def _library_client(given: Any) -> Any:
    """The library client itself, whether given directly or inside a publisher."""
    if hasattr(given, "publish") and hasattr(given, "client"):
        return given.client
    return given


class RateLimitHit(Exception):
    def __init__(self, message: str, reset_at: datetime | None = None) -> None:
        super().__init__(message)
        self.reset_at = reset_at


class FetchFailed(Exception):
    """The network could not be read this run (message safe to store: no credentials)."""


@dataclass
class FetchNotes:
    """What a fetcher noticed on the way, for the sync report."""

    missing: list[str] = field(default_factory=list)  # ids the network no longer knows
    fallback_public: bool = False  # X refused the private fields; public metrics only
    field_errors: int = 0


def _int(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def _batches(ids: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


# --- X -------------------------------------------------------------------------------


def _is_field_auth_error(error: dict[str, Any]) -> bool:
    kind = str(error.get("type", "")) + " " + str(error.get("title", ""))
    return "not-authorized-for-field" in kind or "Field Authorization" in kind


def x_counters(tweet: Any) -> Counters:
    """Counters from a tweepy Tweet; fields that did not come back stay None."""
    data = tweet.data if hasattr(tweet, "data") else dict(tweet)
    public = data.get("public_metrics") or {}
    private = data.get("non_public_metrics") or {}
    organic = data.get("organic_metrics") or {}

    def first(*values: Any) -> int | None:
        return next((_int(v) for v in values if v is not None), None)

    return {
        "impressions": first(private.get("impression_count"), public.get("impression_count"),
                             organic.get("impression_count")),
        "likes": first(public.get("like_count"), organic.get("like_count")),
        "reposts": first(public.get("retweet_count"), organic.get("retweet_count")),
        "replies": first(public.get("reply_count"), organic.get("reply_count")),
        "quotes": first(public.get("quote_count")),
        "bookmarks": first(public.get("bookmark_count")),
        "link_clicks": first(private.get("url_link_clicks"), organic.get("url_link_clicks")),
        "profile_clicks": first(private.get("user_profile_clicks"),
                                organic.get("user_profile_clicks")),
        "engagements": None,  # X's API gives no total; the CSV export does
    }  # fmt: skip


class XFetcher:
    network = "x"

    def __init__(self, client: Any) -> None:
        # A tweepy.Client; OAuth 1.0a user auth unless the publisher says it holds a bearer token.
        self.user_auth = bool(getattr(client, "user_auth", True))
        self.client = _library_client(client)
        self.notes = FetchNotes()

    def _get(self, ids: list[str], fields: list[str]) -> Any:
        import tweepy

        try:
            return self.client.get_tweets(ids, tweet_fields=fields, user_auth=self.user_auth)
        except tweepy.TooManyRequests as exc:
            reset = getattr(exc, "reset_time", None)
            raise RateLimitHit(
                "X rate limit reached", datetime.fromtimestamp(reset, UTC) if reset else None
            ) from exc
        except tweepy.Forbidden as exc:
            if fields != X_PUBLIC_FIELDS:
                raise _PrivateFieldsRefused from exc
            raise FetchFailed(f"X refused the request ({exc.response.status_code})") from exc
        except tweepy.TweepyException as exc:
            raise FetchFailed(f"X: {type(exc).__name__}") from exc
        except OSError as exc:
            raise FetchFailed(f"X unreachable: {type(exc).__name__}") from exc

    def _batch(self, ids: list[str]) -> Any:
        if not self.notes.fallback_public:
            try:
                response = self._get(ids, X_ALL_FIELDS)
            except _PrivateFieldsRefused:
                response = None
            if response is not None and not any(
                _is_field_auth_error(e) for e in (response.errors or [])
            ):
                return response
            self.notes.field_errors += 1
            self.notes.fallback_public = True  # the same account will be refused again
        return self._get(ids, X_PUBLIC_FIELDS)

    def fetch(self, remote_ids: list[str]) -> Iterator[dict[str, Counters]]:
        for ids in _batches(remote_ids, X_BATCH):
            response = self._batch(ids)
            found = {str(t.id): x_counters(t) for t in (response.data or [])}
            self.notes.missing += [i for i in ids if i not in found]
            yield found


class _PrivateFieldsRefused(Exception):
    pass


# --- Bluesky -------------------------------------------------------------------------


class BlueskyFetcher:
    network = "bluesky"

    def __init__(self, client: Any) -> None:
        self.client = _library_client(client)  # an atproto.Client
        self._login = getattr(client, "_login", None)  # a publisher logs in lazily
        self.notes = FetchNotes()

    def fetch(self, remote_ids: list[str]) -> Iterator[dict[str, Counters]]:
        from atproto import exceptions as at_exc

        from curation.publishers.bluesky import rate_limit_reset

        if callable(self._login):
            try:
                self._login()
            except Exception as exc:  # the publisher's own error classes, or atproto's
                raise FetchFailed(f"Bluesky sign-in failed: {type(exc).__name__}") from exc
        for uris in _batches(remote_ids, BLUESKY_BATCH):
            try:
                response = self.client.app.bsky.feed.get_posts({"uris": uris})
            except at_exc.RateLimitExceededError as exc:  # the PDS says when: ratelimit-reset
                raise RateLimitHit("Bluesky rate limit reached", rate_limit_reset(exc)) from exc
            except at_exc.RequestErrorBase as exc:
                status = getattr(getattr(exc, "response", None), "status_code", None)
                if status == 429:
                    raise RateLimitHit("Bluesky rate limit reached") from exc
                raise FetchFailed(f"Bluesky: {type(exc).__name__} ({status})") from exc
            except at_exc.AtProtocolError as exc:
                raise FetchFailed(f"Bluesky: {type(exc).__name__}") from exc
            found: dict[str, Counters] = {}
            for post in response.posts or []:
                found[str(post.uri)] = {
                    "impressions": None,
                    "likes": _int(getattr(post, "like_count", None)),
                    "reposts": _int(getattr(post, "repost_count", None)),
                    "replies": _int(getattr(post, "reply_count", None)),
                    "quotes": _int(getattr(post, "quote_count", None)),
                    "bookmarks": _int(getattr(post, "bookmark_count", None)),
                    "link_clicks": None,
                    "profile_clicks": None,
                    "engagements": None,
                }
            self.notes.missing += [u for u in uris if u not in found]
            yield found


def _field(status: Any, name: str) -> Any:
    return status.get(name) if hasattr(status, "get") else getattr(status, name, None)


# --- Mastodon ------------------------------------------------------------------------


class MastodonFetcher:
    network = "mastodon"

    def __init__(self, api: Any) -> None:
        api = self.api = _library_client(api)  # a mastodon.Mastodon
        if hasattr(api, "ratelimit_method"):
            api.ratelimit_method = "throw"  # never sleep inside a sync run
        self.notes = FetchNotes()

    def fetch(self, remote_ids: list[str]) -> Iterator[dict[str, Counters]]:
        from mastodon import errors as m_err

        for ids in _batches(remote_ids, 20):
            found: dict[str, Counters] = {}
            for status_id in ids:
                try:
                    status = self.api.status(status_id)
                except m_err.MastodonRatelimitError as exc:
                    yield found  # keep what this batch already read
                    raise RateLimitHit("Mastodon rate limit reached") from exc
                except m_err.MastodonNotFoundError:
                    self.notes.missing.append(status_id)
                    continue
                except m_err.MastodonError as exc:
                    yield found
                    raise FetchFailed(f"Mastodon: {type(exc).__name__}") from exc
                found[status_id] = {
                    "impressions": None,
                    "likes": _int(_field(status, "favourites_count")),
                    "reposts": _int(_field(status, "reblogs_count")),
                    "replies": _int(_field(status, "replies_count")),
                    "quotes": _int(_field(status, "quotes_count")),
                    "bookmarks": None,
                    "link_clicks": None,
                    "profile_clicks": None,
                    "engagements": None,
                }
            yield found


FETCHERS: dict[str, type[XFetcher] | type[BlueskyFetcher] | type[MastodonFetcher]] = {
    "x": XFetcher,
    "bluesky": BlueskyFetcher,
    "mastodon": MastodonFetcher,
}
