"""One metrics fetcher per network, over the real client libraries.

Each `fetch(remote_ids)` yields one dict per batch: remote id -> counters (see
`curation.store.metrics.COUNTERS`; None where the network did not say). A fetcher
raises `RateLimitHit` to stop its network for this run (batches already yielded are
kept) and `FetchFailed` for anything else that stops it.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

log = logging.getLogger(__name__)

Counters = dict[str, int | None]
X_BATCH = 100  # GET /2/tweets takes at most 100 ids
BLUESKY_BATCH = 25  # app.bsky.feed.getPosts takes at most 25 uris
MASTODON_BATCH = 20  # GET /api/v1/statuses?id[]= (4.3+); Mastodon pages lists by 20 by default
X_ALL_FIELDS = ["public_metrics", "non_public_metrics", "organic_metrics"]
X_PUBLIC_FIELDS = ["public_metrics"]
# x-api/fundamentals/metrics.mdx: "Non-public, organic, and promoted metrics are only
# available for posts created within the last 30 days."
X_PRIVATE_WINDOW = timedelta(days=30)
# fundamentals/x-ids.mdx: ids are Snowflakes that encode their creation time (milliseconds
# since X's epoch, above the 22 worker and sequence bits).
SNOWFLAKE_EPOCH_MS = 1288834974657


def x_created_at(tweet_id: str) -> datetime | None:
    """When X created the post with this id (None for something that is not an X id)."""
    if not (tweet_id.isdigit() and len(tweet_id) <= 19):
        return None
    return datetime.fromtimestamp(((int(tweet_id) >> 22) + SNOWFLAKE_EPOCH_MS) / 1000, UTC)


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
    """Public metrics for every post; the private ones only for posts under 30 days old."""

    network = "x"

    def __init__(self, client: Any, *, as_of: datetime | None = None) -> None:
        # A tweepy.Client; OAuth 1.0a user auth unless the publisher says it holds a bearer token.
        self.user_auth = bool(getattr(client, "user_auth", True))
        self._authorize = getattr(client, "authorize", None)  # refreshes an OAuth 2.0 token
        self.client = _library_client(client)
        self.as_of = as_of  # the sync's clock (the posts' age); None: now
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

    def _found(self, response: Any, skip: Collection[str] = ()) -> dict[str, Counters]:
        return {str(t.id): x_counters(t) for t in (response.data or []) if str(t.id) not in skip}

    def _young_batch(self, ids: list[str]) -> dict[str, Counters]:
        """All fields; posts whose private fields X refuses are asked again, publicly."""
        try:
            response = self._get(ids, X_ALL_FIELDS)
        except _PrivateFieldsRefused:
            refused, found = set(ids), {}
        else:
            refused = {
                str(e.get("resource_id"))
                for e in (response.errors or [])
                if _is_field_auth_error(e)
            }
            found = self._found(response, refused)
        if refused:
            self.notes.field_errors += 1
            self.notes.fallback_public = True
            again = [i for i in ids if i in refused]
            found.update(self._found(self._get(again, X_PUBLIC_FIELDS)))
        return found

    def fetch(self, remote_ids: list[str]) -> Iterator[dict[str, Counters]]:
        now = self.as_of or datetime.now(UTC)
        young: list[str] = []
        old: list[str] = []
        for remote_id in remote_ids:
            created = x_created_at(remote_id)
            if created is None:  # one bad id makes X refuse the whole lookup: never send it
                self.notes.missing.append(remote_id)
            elif now - created < X_PRIVATE_WINDOW:
                young.append(remote_id)
            else:
                old.append(remote_id)
        if callable(self._authorize) and (young or old):
            try:
                self._authorize()
            except Exception as exc:  # the publisher's own error classes
                raise FetchFailed(f"X sign-in failed: {type(exc).__name__}") from exc
        for ids in _batches(young, X_BATCH):
            found = self._young_batch(ids)
            self.notes.missing += [i for i in ids if i not in found]
            yield found
        for ids in _batches(old, X_BATCH):
            found = self._found(self._get(ids, X_PUBLIC_FIELDS))
            self.notes.missing += [i for i in ids if i not in found]
            yield found


class _PrivateFieldsRefused(Exception):
    pass


# --- Bluesky -------------------------------------------------------------------------


class BlueskyFetcher:
    network = "bluesky"

    def __init__(self, client: Any) -> None:
        self.client = _library_client(client)  # an atproto.Client
        self.as_of: datetime | None = None  # unused: Bluesky's counts have no age rule
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
    """Counts in batches (`GET /api/v1/statuses?id[]=`, statuses.md "View multiple
    statuses", 4.3+); an older server, which answers that 404, is read one status at a time."""

    network = "mastodon"

    def __init__(self, api: Any, *, as_of: datetime | None = None) -> None:
        api = self.api = _library_client(api)  # a mastodon.Mastodon
        if hasattr(api, "ratelimit_method"):
            api.ratelimit_method = "throw"  # never sleep inside a sync run
        self.as_of = as_of
        self.batched = True
        self.notes = FetchNotes()

    def _many(self, ids: list[str]) -> list[Any] | None:
        """The statuses found, or None when the server has no batch lookup."""
        from mastodon import errors as m_err

        if not self.batched:
            return None
        try:
            return list(self.api.statuses(ids))
        except (m_err.MastodonNotFoundError, m_err.MastodonVersionError):
            self.batched = False
            return None

    def _one_by_one(self, ids: list[str]) -> list[Any]:
        from mastodon import errors as m_err

        found = []
        for status_id in ids:
            try:
                found.append(self.api.status(status_id))
            except m_err.MastodonNotFoundError:
                continue
        return found

    def fetch(self, remote_ids: list[str]) -> Iterator[dict[str, Counters]]:
        from mastodon import errors as m_err

        for ids in _batches(remote_ids, MASTODON_BATCH):
            try:
                statuses = self._many(ids)
                if statuses is None:
                    statuses = self._one_by_one(ids)
            except m_err.MastodonRatelimitError as exc:
                raise RateLimitHit("Mastodon rate limit reached") from exc
            except m_err.MastodonError as exc:
                raise FetchFailed(f"Mastodon: {type(exc).__name__}") from exc
            found: dict[str, Counters] = {}
            for status in statuses:
                found[str(_field(status, "id"))] = {
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
            self.notes.missing += [i for i in ids if i not in found]
            yield found


FETCHERS: dict[str, type[XFetcher] | type[BlueskyFetcher] | type[MastodonFetcher]] = {
    "x": XFetcher,
    "bluesky": BlueskyFetcher,
    "mastodon": MastodonFetcher,
}
