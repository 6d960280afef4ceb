"""The publishing fakes (tests/fakes/servers.py) with the metrics endpoints added.

- X: `GET /2/tweets?ids=…&tweet.fields=…` answers from `metrics` (id -> fields). Ids must
  be 1-19 digits (else the whole request is a 400, as on X); the private fields are refused
  (`not-authorized-for-field`, per post) for posts 30 days old or more (their Snowflake id
  says when) and, with `refuse_private`, for every post.
- Bluesky: `GET /xrpc/app.bsky.feed.getPosts?uris=…` (likeCount, repostCount, …).
- Mastodon: `GET /api/v1/statuses/:id` (favourites_count, reblogs_count, replies_count).
Rate limits and outages come from the base class's `fail_next(prefix, 429, …)`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.fakes.fake_x import invalid, snowflake_time
from tests.fakes.servers import FakeBluesky, FakeMastodon, FakeX, Recorded

X_FIELD_ERROR = "https://api.twitter.com/2/problems/not-authorized-for-field"
# The field names openapi.json lists for a post (its PostFieldsParameter enum); tweepy sends
# them as `tweet.fields`, which X's API takes.
POST_FIELDS = {"article", "article_title", "attachments", "card_uri", "community_id",
               "context_annotations", "conversation_id", "created_at", "display_text_range",
               "edit_controls", "entities", "geo", "id", "lang", "matched_media_notes",
               "media_metadata", "non_public_metrics", "note_post", "note_request_suggestions",
               "organic_metrics", "paid_partnership", "possibly_sensitive", "promoted_metrics",
               "public_metrics", "reply_settings", "scopes", "source", "suggested_source_links",
               "suggested_source_links_with_counts", "text", "withheld"}  # fmt: skip
PRIVATE_WINDOW = timedelta(days=30)  # x-api/fundamentals/metrics.mdx, "30-day limit"
X_NOT_FOUND = "https://api.twitter.com/2/problems/resource-not-found"
Answer = tuple[int, Any, dict[str, str]]


class MetricsX(FakeX):
    def __init__(self) -> None:
        self.metrics: dict[str, dict[str, Any]] = {}  # tweet id -> {"public_metrics": {...}}
        self.refuse_private = False
        self.limit_after: int | None = None  # answer 429 after this many lookups
        self.lookups = 0
        self.private_asked: list[str] = []  # ids whose private fields were asked and given
        super().__init__()

    def route(self, req: Recorded) -> Answer:
        if req.method == "GET" and req.path == "/2/tweets":
            return self._auth(req, user_only=False) or self._lookup(req)
        return super().route(req)

    def _lookup(self, req: Recorded) -> Answer:
        self.lookups += 1
        if self.limit_after is not None and self.lookups > self.limit_after:
            return 429, {"title": "Too Many Requests"}, {"x-rate-limit-reset": "1773146400"}
        ids = req.query["ids"][0].split(",")
        bad = [i for i in ids if not (i.isdigit() and len(i) <= 19)]
        if bad or not 1 <= len(ids) <= 100:
            return invalid(f"The `ids` query parameter value [{(bad or ids)[0]}] is not valid")
        fields = set(req.query.get("tweet.fields", [""])[0].split(",")) - {""}
        unknown = sorted(fields - POST_FIELDS)
        if unknown:
            return invalid(f"The `tweet.fields` query parameter value [{unknown[0]}] is not one of "
                           "the allowed values")  # fmt: skip
        private = fields & {"non_public_metrics", "organic_metrics"}
        app_only = req.headers.get("authorization") == f"Bearer {self.APP_BEARER}"
        refused = [
            i
            for i in ids
            if private
            and (self.refuse_private or app_only or self.now - snowflake_time(i) >= PRIVATE_WINDOW)
        ]
        if refused:
            errors = [{"parameter": "non_public_metrics", "resource_id": i,
                       "resource_type": "tweet", "title": "Field Authorization Error",
                       "type": X_FIELD_ERROR,
                       "detail": "Sorry, you are not authorized to access 'non_public_metrics'."}
                      for i in refused]  # fmt: skip
            return 200, {"errors": errors}, {}
        self.private_asked += [i for i in ids if private]
        data, errors = [], []
        for tweet_id in ids:
            if tweet_id not in self.metrics and tweet_id not in self.tweets:
                errors.append(
                    {
                        "value": tweet_id,
                        "resource_id": tweet_id,
                        "resource_type": "tweet",
                        "title": "Not Found Error",
                        "type": X_NOT_FOUND,
                    }
                )
                continue
            item: dict[str, Any] = {
                "id": tweet_id,
                "text": "…",
                "edit_history_tweet_ids": [tweet_id],
            }
            item.update({k: v for k, v in self.metrics.get(tweet_id, {}).items() if k in fields})
            data.append(item)
        body: dict[str, Any] = {"data": data} if data else {}
        if errors:
            body["errors"] = errors
        return 200, body, {}


class MetricsBluesky(FakeBluesky):
    def __init__(self) -> None:
        self.metrics: dict[str, dict[str, Any]] = {}  # at:// uri -> {"likeCount": …}
        super().__init__()

    def route(self, req: Recorded) -> Answer:
        if req.path == "/xrpc/app.bsky.feed.getPosts":
            posts = [{
                "uri": uri, "cid": "bafyreib2rxk3rh6kzwq",
                "author": {"did": self.DID, "handle": self.account_handle},
                "record": {"$type": "app.bsky.feed.post", "text": "…",
                           "createdAt": "2026-03-01T12:00:00Z"},
                "indexedAt": "2026-03-01T12:00:00Z",
                **self.metrics[uri],
            } for uri in req.query.get("uris", []) if uri in self.metrics]  # fmt: skip
            return 200, {"posts": posts}, {}
        return super().route(req)


class MetricsMastodon(FakeMastodon):
    def __init__(self) -> None:
        self.metrics: dict[str, dict[str, Any]] = {}  # status id -> {"favourites_count": …}
        self.batch_lookups = 0
        super().__init__()

    def route(self, req: Recorded) -> Answer:
        if req.method == "GET" and req.path == "/api/v1/statuses" and self.batch_lookup:
            self.batch_lookups += 1
            found = [
                {**(self.statuses.get(i) or self._status(i, "…", None)), **self.metrics[i]}
                for i in req.query.get("id[]", [])
                if i in self.metrics or i in self.statuses
            ]
            return 200, found, {}
        if req.method == "GET" and req.path.startswith("/api/v1/statuses/"):
            status_id = req.path.rsplit("/", 1)[1]
            if status_id not in self.metrics and status_id not in self.statuses:
                return 404, {"error": "Record not found"}, {}
            status = self.statuses.get(status_id) or self._status(status_id, "…", None)
            return 200, {**status, **self.metrics.get(status_id, {})}, {}
        return super().route(req)
