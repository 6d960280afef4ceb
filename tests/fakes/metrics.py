"""The publishing fakes (tests/fakes/servers.py) with the metrics endpoints added.

- X: `GET /2/tweets?ids=…&tweet.fields=…` answers from `metrics` (id -> fields); with
  `refuse_private` it answers the private fields with `not-authorized-for-field` errors.
- Bluesky: `GET /xrpc/app.bsky.feed.getPosts?uris=…` (likeCount, repostCount, …).
- Mastodon: `GET /api/v1/statuses/:id` (favourites_count, reblogs_count, replies_count).
Rate limits and outages come from the base class's `fail_next(prefix, 429, …)`.
"""

from __future__ import annotations

from typing import Any

from tests.fakes.servers import FakeBluesky, FakeMastodon, FakeX, Recorded

X_FIELD_ERROR = "https://api.twitter.com/2/problems/not-authorized-for-field"
X_NOT_FOUND = "https://api.twitter.com/2/problems/resource-not-found"
Answer = tuple[int, Any, dict[str, str]]


class MetricsX(FakeX):
    def __init__(self) -> None:
        self.metrics: dict[str, dict[str, Any]] = {}  # tweet id -> {"public_metrics": {...}}
        self.refuse_private = False
        self.limit_after: int | None = None  # answer 429 after this many lookups
        self.lookups = 0
        super().__init__()

    def route(self, req: Recorded) -> Answer:
        if req.method == "GET" and req.path == "/2/tweets":
            return self._lookup(req)
        return super().route(req)

    def _lookup(self, req: Recorded) -> Answer:
        self.lookups += 1
        if self.limit_after is not None and self.lookups > self.limit_after:
            return 429, {"title": "Too Many Requests"}, {"x-rate-limit-reset": "1773146400"}
        ids = req.query["ids"][0].split(",")
        fields = set(req.query.get("tweet.fields", [""])[0].split(","))
        if self.refuse_private and fields & {"non_public_metrics", "organic_metrics"}:
            errors = [{"parameter": "non_public_metrics", "resource_id": i,
                       "resource_type": "tweet", "title": "Field Authorization Error",
                       "type": X_FIELD_ERROR,
                       "detail": "Sorry, you are not authorized to access 'non_public_metrics'."}
                      for i in ids]  # fmt: skip
            return 200, {"errors": errors}, {}
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
        super().__init__()

    def route(self, req: Recorded) -> Answer:
        if req.method == "GET" and req.path.startswith("/api/v1/statuses/"):
            status_id = req.path.rsplit("/", 1)[1]
            if status_id not in self.metrics and status_id not in self.statuses:
                return 404, {"error": "Record not found"}, {}
            status = self.statuses.get(status_id) or self._status(status_id, "…", None)
            return 200, {**status, **self.metrics.get(status_id, {})}, {}
        return super().route(req)
