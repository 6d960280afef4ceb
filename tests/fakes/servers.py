"""Fake X, Bluesky and Mastodon HTTP servers on 127.0.0.1, recording every request.

Each runs a ThreadingHTTPServer in a daemon thread. Tests drive them with the real
tweepy, atproto and Mastodon.py clients and assert on `server.requests`. Failures are
injected with `server.fail_next(path_prefix, status, body, headers)`.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlparse

BLOB_CID = "bafkreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"
RECORD_CID = "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, Any]:
        """Form fields of a urlencoded or multipart body (file parts as bytes)."""
        kind = self.headers.get("content-type", "")
        if kind.startswith("multipart/"):
            message = BytesParser(policy=HTTP).parsebytes(
                f"Content-Type: {kind}\r\n\r\n".encode() + self.body
            )
            out: dict[str, Any] = {}
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                payload = part.get_payload(decode=True)
                out[str(name)] = payload if part.get_filename() else payload.decode()
            return out
        if kind.startswith("application/json"):
            return dict(self.json())
        return {k: v[0] if len(v) == 1 else v for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class _Failure:
    prefix: str
    status: int
    body: Any
    headers: dict[str, str]
    after: bool  # handle the request normally first, then answer with the failure


class FakeServer:
    """Base: routing, recording, failure injection. Subclasses implement `route`."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.lock = threading.Lock()
        self._failures: list[_Failure] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                return

            def _any(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                parsed = urlparse(self.path)
                recorded = Recorded(
                    self.command,
                    parsed.path,
                    parse_qs(parsed.query),
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
                status, payload, headers = owner.handle(recorded)
                data = b"" if payload is None else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = do_PUT = _any

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def fail_next(
        self,
        prefix: str,
        status: int,
        body: Any = None,
        headers: dict[str, str] | None = None,
        *,
        after: bool = False,
    ) -> None:
        """The next request under `prefix` gets `status` (after being handled, if `after`)."""
        self._failures.append(
            _Failure(prefix, status, body or {"error": "injected"}, headers or {}, after)
        )

    def handle(self, req: Recorded) -> tuple[int, Any, dict[str, str]]:
        with self.lock:
            self.requests.append(req)
            failure = next((f for f in self._failures if req.path.startswith(f.prefix)), None)
            if failure is not None:
                self._failures.remove(failure)
                if failure.after:
                    self.route(req)
                return failure.status, failure.body, failure.headers
            return self.route(req)

    def route(self, req: Recorded) -> tuple[int, Any, dict[str, str]]:
        raise NotImplementedError

    def calls(self, method: str, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path == path]


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


def _jwt(sub: str) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    now = int(time.time())
    return ".".join(
        [
            part({"alg": "HS256", "typ": "JWT"}),
            part({"sub": sub, "iat": now, "exp": now + 7200, "scope": "com.atproto.appPass"}),
            "c2lnbmF0dXJl",
        ]
    )


class FakeBluesky(FakeServer):
    """A PDS: createSession, uploadBlob, createRecord (rkey), getRecord, deleteRecord."""

    DID = "did:plc:fakedeskaccount0000000000"

    def __init__(self, handle: str = "desk.example.social") -> None:
        self.account_handle = handle
        self.records: dict[str, dict[str, Any]] = {}
        self.logins = 0
        super().__init__()

    def route(self, req: Recorded) -> tuple[int, Any, dict[str, str]]:
        path = req.path.removeprefix("/xrpc/")
        if path == "com.atproto.server.createSession":
            self.logins += 1
            return (
                200,
                {
                    "accessJwt": _jwt(self.DID),
                    "refreshJwt": _jwt(self.DID),
                    "handle": self.account_handle,
                    "did": self.DID,
                },
                {},
            )
        if path == "com.atproto.server.getSession":
            return 200, {"handle": self.account_handle, "did": self.DID}, {}
        if path == "com.atproto.repo.uploadBlob":
            return (
                200,
                {
                    "blob": {
                        "$type": "blob",
                        "ref": {"$link": BLOB_CID},
                        "mimeType": req.headers.get("content-type", "image/png"),
                        "size": len(req.body),
                    }
                },
                {},
            )
        if path == "com.atproto.repo.createRecord":
            body = req.json()
            rkey = body.get("rkey") or f"auto{len(self.records)}"
            if rkey in self.records:
                return 400, {"error": "InvalidRequest", "message": "Record already exists"}, {}
            uri = f"at://{self.DID}/{body['collection']}/{rkey}"
            self.records[rkey] = {"uri": uri, "cid": RECORD_CID, "value": body["record"]}
            return 200, {"uri": uri, "cid": RECORD_CID}, {}
        if path == "com.atproto.repo.getRecord":
            rkey = req.query.get("rkey", [""])[0]
            if rkey not in self.records:
                return 400, {"error": "RecordNotFound", "message": "Could not locate record"}, {}
            return 200, self.records[rkey], {}
        if path == "com.atproto.repo.deleteRecord":
            self.records.pop(req.json().get("rkey"), None)
            return 200, {}, {}
        return 404, {"error": "MethodNotImplemented", "message": path}, {}


@dataclass
class Fakes:
    x: FakeX = field(default_factory=FakeX)
    mastodon: FakeMastodon = field(default_factory=FakeMastodon)
    bluesky: FakeBluesky = field(default_factory=FakeBluesky)

    def close(self) -> None:
        for server in (self.x, self.mastodon, self.bluesky):
            server.close()
