"""Fake X, Bluesky and Mastodon HTTP servers on 127.0.0.1, recording every request.

Each runs a ThreadingHTTPServer in a daemon thread. Tests drive them with the real
tweepy, atproto and Mastodon.py clients and assert on `server.requests`. Failures are
injected with `server.fail_next(path_prefix, status, body, headers)`.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any, ClassVar

from tests.fakes.base import FakeServer, Recorded, _Failure  # noqa: F401  (re-exported)
from tests.fakes.fake_bluesky import FakeBluesky, FakeVideoService  # noqa: F401


class FakeX(FakeServer):
    """X API v2: media upload and metadata, tweets, users/me, user timeline, delete."""

    USER_ID = "4242"

    def __init__(self) -> None:
        self.tweets: dict[str, dict[str, Any]] = {}
        self._next = 1000
        # Chunked video uploads by media id: declared size, received segments, processing.
        self.videos: dict[str, dict[str, Any]] = {}
        self.processing_polls = 0  # STATUS answers "in_progress" this many times first
        self.processing_error: str | None = None  # then "failed" with this message, if set
        super().__init__()

    def _video_route(self, req: Recorded) -> tuple[int, Any, dict[str, str]] | None:
        """The chunked v2 upload: initialize, append, finalize, and GET ...?command=STATUS."""
        parts = req.path.split("/")  # ["", "2", "media", "upload", id, verb]
        if req.method == "POST" and req.path == "/2/media/upload/initialize":
            body = req.json()
            media_id = self._id()
            self.videos[media_id] = {
                "init": body, "segments": {}, "finalized": False, "polls": self.processing_polls,
            }  # fmt: skip
            data = {"id": media_id, "media_key": f"7_{media_id}", "expires_after_secs": 86400}
            return 200, {"data": data}, {}
        if req.method == "POST" and len(parts) == 6 and parts[4] in self.videos:
            video = self.videos[parts[4]]
            if parts[5] == "append":
                body = req.json()
                video["segments"][body["segment_index"]] = base64.b64decode(body["media"])
                return 200, {"data": {"expires_at": 86400}}, {}
            if parts[5] == "finalize":
                received = sum(len(b) for b in video["segments"].values())
                if received != video["init"]["total_bytes"]:
                    return 400, {"detail": "size mismatch", "status": 400, "title": "Bad"}, {}
                video["finalized"] = True
                data: dict[str, Any] = {"id": parts[4], "size": received}
                if video["polls"] or self.processing_error:
                    data["processing_info"] = {"state": "pending", "check_after_secs": 3}
                return 200, {"data": data}, {}
        if req.method == "GET" and req.path == "/2/media/upload":
            media_id = req.query.get("media_id", [""])[0]
            video = self.videos.get(media_id)
            if video is None or req.query.get("command") != ["STATUS"]:
                return 400, {"detail": "unknown media", "status": 400, "title": "Bad"}, {}
            if video["polls"] > 0:
                video["polls"] -= 1
                info: dict[str, Any] = {"state": "in_progress", "check_after_secs": 5}
            elif self.processing_error:
                info = {"state": "failed", "error": {"message": self.processing_error}}
            else:
                info = {"state": "succeeded", "progress_percent": 100}
            return 200, {"data": {"id": media_id, "processing_info": info}}, {}
        return None

    def video_bytes(self, media_id: str) -> bytes:
        """The uploaded video reassembled from its segments, in segment order."""
        segments = self.videos[media_id]["segments"]
        return b"".join(segments[i] for i in sorted(segments))

    def _id(self) -> str:
        self._next += 1
        return str(self._next)

    def route(self, req: Recorded) -> tuple[int, Any, dict[str, str]]:
        video = self._video_route(req)
        if video is not None:
            return video
        if req.method == "POST" and req.path == "/2/media/upload":
            return 200, {"data": {"id": self._id(), "media_key": "3_x", "size": 1}}, {}
        if req.method == "POST" and req.path == "/2/media/metadata":
            return 200, {"data": {"associated_metadata": req.json()["metadata"]}}, {}
        if req.method == "POST" and req.path == "/2/tweets":
            body = req.json()
            if any(t["text"] == body["text"] for t in self.tweets.values()):
                return (
                    403,
                    {
                        "detail": "You are not allowed to create a Tweet with duplicate content.",
                        "status": 403,
                        "title": "Forbidden",
                    },
                    {},
                )
            tweet_id = self._id()
            self.tweets[tweet_id] = {"id": tweet_id, "text": body["text"], "body": body}
            return 201, {"data": {"id": tweet_id, "text": body["text"]}}, {}
        if req.method == "GET" and req.path == "/2/users/me":
            return 200, {"data": {"id": self.USER_ID, "name": "Desk", "username": "desk"}}, {}
        if req.method == "GET" and req.path == f"/2/users/{self.USER_ID}/tweets":
            data = [
                {"id": t["id"], "text": t["text"], "edit_history_tweet_ids": [t["id"]]}
                for t in reversed(list(self.tweets.values()))
            ]
            return 200, {"data": data, "meta": {"result_count": len(data)}}, {}
        if req.method == "DELETE" and req.path.startswith("/2/tweets/"):
            deleted = self.tweets.pop(req.path.rsplit("/", 1)[1], None) is not None
            return 200, {"data": {"deleted": deleted}}, {}
        return 404, {"detail": "not found"}, {}


class FakeMastodon(FakeServer):
    """Mastodon: v2 media, statuses with Idempotency-Key, verify_credentials, account statuses."""

    ACCOUNT: ClassVar[dict[str, str]] = {
        "id": "77",
        "acct": "desk",
        "username": "desk",
        "display_name": "Desk",
        "url": "https://example.social/@desk",
    }

    def __init__(self) -> None:
        self.statuses: dict[str, dict[str, Any]] = {}
        self.by_key: dict[str, str] = {}
        self._next = 500
        # Uploaded media by id; a video stays unprocessed (url null) for `processing_polls` GETs.
        self.media: dict[str, dict[str, Any]] = {}
        self.processing_polls = 0
        super().__init__()

    def _id(self) -> str:
        self._next += 1
        return str(self._next)

    def _status(self, status_id: str, text: str, reply_to: str | None) -> dict[str, Any]:
        return {
            "id": status_id,
            "content": f"<p>{text}</p>",
            "in_reply_to_id": reply_to,
            "url": f"https://example.social/@desk/{status_id}",
            "account": self.ACCOUNT,
            "media_attachments": [],
            "created_at": "2026-03-10T12:00:00.000Z",
            "visibility": "public",
        }

    def route(self, req: Recorded) -> tuple[int, Any, dict[str, str]]:
        if req.method == "POST" and req.path == "/api/v2/media":
            form = req.form()
            media_id = self._id()
            if b"content-type: video/mp4" in req.body.lower():
                # Video is processed asynchronously: 202 with url null until it is done.
                attachment = {
                    "id": media_id, "type": "video", "description": form.get("description"),
                    "url": None, "preview_url": None, "polls": self.processing_polls,
                }  # fmt: skip
                self.media[media_id] = attachment
                return 202, {k: v for k, v in attachment.items() if k != "polls"}, {}
            return (
                200,
                {
                    "id": media_id,
                    "type": "image",
                    "description": form.get("description"),
                    "url": f"https://example.social/media/{media_id}.png",
                    "preview_url": None,
                },
                {},
            )
        if req.method == "GET" and req.path.startswith("/api/v1/media/"):
            attachment = self.media.get(req.path.rsplit("/", 1)[1])
            if attachment is None:
                return 404, {"error": "Record not found"}, {}
            if attachment["polls"] > 0:
                attachment["polls"] -= 1
                return 206, {k: v for k, v in attachment.items() if k != "polls"}, {}
            attachment["url"] = f"https://example.social/media/{attachment['id']}.mp4"
            return 200, {k: v for k, v in attachment.items() if k != "polls"}, {}
        if req.method == "POST" and req.path == "/api/v1/statuses":
            key = req.headers.get("idempotency-key")
            if key and key in self.by_key:
                return 200, self.statuses[self.by_key[key]], {}
            form = req.form()
            status = self._status(self._id(), str(form.get("status")), form.get("in_reply_to_id"))
            self.statuses[status["id"]] = status
            if key:
                self.by_key[key] = status["id"]
            return 200, status, {}
        if req.method == "GET" and req.path in ("/api/v1/instance", "/api/v2/instance"):
            return (
                200,
                {
                    "uri": "example.social",
                    "domain": "example.social",
                    "title": "Example",
                    "version": "4.2.0",
                },
                {},
            )
        if req.method == "GET" and req.path == "/api/v1/accounts/verify_credentials":
            return 200, self.ACCOUNT, {}
        if req.method == "GET" and req.path == f"/api/v1/accounts/{self.ACCOUNT['id']}/statuses":
            return 200, list(reversed(list(self.statuses.values()))), {}
        if req.method == "DELETE" and req.path.startswith("/api/v1/statuses/"):
            gone = self.statuses.pop(req.path.rsplit("/", 1)[1], None)
            return (200, gone, {}) if gone else (404, {"error": "Record not found"}, {})
        return 404, {"error": "not found"}, {}


@dataclass
class Fakes:
    x: FakeX = field(default_factory=FakeX)
    mastodon: FakeMastodon = field(default_factory=FakeMastodon)
    bluesky: FakeBluesky = field(default_factory=FakeBluesky)

    def close(self) -> None:
        for server in (self.x, self.mastodon, self.bluesky):
            server.close()
