"""A strict fake of a Mastodon server on 127.0.0.1 that refuses what a real one refuses.

Held to Mastodon's method docs (mastodon/documentation, content/en/methods/):
- statuses.md: `POST /api/v1/statuses` needs `Bearer <user_token>` (an app token gets 422
  "This method requires an authenticated user"), takes only the documented form fields,
  refuses text over `max_characters` (URLs count 23), unknown or unprocessed media and
  unknown replies; `Idempotency-Key` returns the first status for one hour only;
  `GET /api/v1/statuses?id[]=` (4.3+) answers many statuses at once.
- instance.md: `GET /api/v2/instance` gives `configuration.statuses.max_characters` and
  `configuration.media_attachments.description_limit` (4.4+), which the fake enforces.
- media.md: `POST /api/v2/media` (file, thumbnail, description, focus); video answers 202
  with `url: null` until processed; a description over the limit is a 422.
Errors have Mastodon's shape `{"error": "..."}`. A real server ignores form fields it does
not know; this fake refuses them (422) so a test fails when a publisher sends one.
`limit_next` (429 with X-RateLimit-* headers) and `burst` (5xx in a row) inject failures;
`rejections` lists every refusal.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from curation.posts.compose import count
from tests.fakes.base import FakeServer, Recorded

Answer = tuple[int, Any, dict[str, str]]
FAKE_NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
IDEMPOTENCY_LIFETIME = timedelta(hours=1)  # statuses.md: "stored for up to 1 hour"
STATUS_FIELDS = {"status", "media_ids[]", "poll[options][]", "poll[expires_in]",
                 "poll[multiple]", "poll[hide_totals]", "in_reply_to_id", "sensitive",
                 "spoiler_text", "visibility", "language", "scheduled_at", "quoted_status_id",
                 "quote_approval_policy"}  # fmt: skip
MEDIA_FIELDS = {"file", "thumbnail", "description", "focus"}
VISIBILITIES = {"public", "unlisted", "private", "direct"}


def error(status: int, message: str) -> Answer:
    return status, {"error": message}, {}


class FakeMastodon(FakeServer):
    """Mastodon: instance v2, v2 media, statuses with Idempotency-Key, accounts, batch lookup."""

    ACCOUNT: ClassVar[dict[str, str]] = {
        "id": "77",
        "acct": "desk",
        "username": "desk",
        "display_name": "Desk",
        "url": "https://example.social/@desk",
    }
    APP_TOKEN = "app-token"  # a client_credentials token: no user behind it

    def __init__(self) -> None:
        self.now = FAKE_NOW
        self.max_characters = 500
        self.description_limit: int | None = 1500  # None: a server older than 4.4
        self.image_size_limit = 16 * 1024 * 1024
        self.batch_lookup = True  # False: a server older than 4.3 (no GET /api/v1/statuses)
        self.revoked: set[str] = set()
        self.statuses: dict[str, dict[str, Any]] = {}
        self.by_key: dict[str, tuple[str, datetime]] = {}
        self._next = 110_000_000_000_000_000
        # Uploaded media by id; a video stays unprocessed (url null) for `processing_polls` GETs.
        self.media: dict[str, dict[str, Any]] = {}
        self.processing_polls = 0
        self.rejections: list[tuple[str, int, Any]] = []
        self.instance_reads = 0
        super().__init__()

    # -- failures ----------------------------------------------------------------------

    def limit_next(self, prefix: str, seconds: int) -> datetime:
        """The next request under `prefix` gets a 429 with Mastodon's rate-limit headers,
        resetting `seconds` after the response's `Date` (the real clock: Mastodon.py moves
        the reset onto the local clock by the Date header); returns that reset time."""
        reset = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=seconds)
        headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0",
                   "X-RateLimit-Reset": reset.isoformat().replace("+00:00", "Z")}  # fmt: skip
        self.fail_next(prefix, 429, {"error": "Too many requests"}, headers)
        return reset

    def burst(self, prefix: str, count_: int, status: int = 503) -> None:
        for _ in range(count_):
            self.fail_next(prefix, status, {"error": "Service Unavailable"})

    def handle(self, req: Recorded) -> Answer:
        status, body, headers = super().handle(req)
        if status >= 400:
            self.rejections.append((f"{req.method} {req.path}", status, body))
        return status, body, headers

    # -- helpers -----------------------------------------------------------------------

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
            "created_at": self.now.isoformat().replace("+00:00", "Z"),
            "visibility": "public",
            "replies_count": 0,
            "reblogs_count": 0,
            "favourites_count": 0,
        }

    def _public(self, attachment: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in attachment.items() if k not in ("polls", "bytes")}

    def _user(self, req: Recorded) -> Answer | None:
        """None when the request carries a user's bearer token."""
        header = req.headers.get("authorization", "")
        token = header.removeprefix("Bearer ") if header.startswith("Bearer ") else ""
        if not token or token in self.revoked:
            return error(401, "The access token is invalid")
        if token == self.APP_TOKEN:
            return error(422, "This method requires an authenticated user")
        return None

    # -- routes ------------------------------------------------------------------------

    def route(self, req: Recorded) -> Answer:
        if req.method == "GET" and req.path.rstrip("/") == "/api/v2/instance":
            return self._instance()
        refused = self._user(req)
        if refused is not None:
            return refused
        if req.method == "POST" and req.path == "/api/v2/media":
            return self._upload(req)
        if req.method == "GET" and req.path.startswith("/api/v1/media/"):
            attachment = self.media.get(req.path.rsplit("/", 1)[1])
            if attachment is None:
                return error(404, "Record not found")
            if attachment["polls"] > 0:
                attachment["polls"] -= 1
                return 206, self._public(attachment), {}
            if attachment["url"] is None:
                attachment["url"] = f"https://example.social/media/{attachment['id']}.mp4"
            return 200, self._public(attachment), {}
        if req.method == "POST" and req.path == "/api/v1/statuses":
            return self._post_status(req)
        if req.method == "GET" and req.path == "/api/v1/statuses" and self.batch_lookup:
            ids = req.query.get("id[]", [])
            return 200, [self.statuses[i] for i in ids if i in self.statuses], {}
        if req.method == "GET" and req.path.startswith("/api/v1/statuses/"):
            found = self.statuses.get(req.path.rsplit("/", 1)[1])
            return (200, found, {}) if found else error(404, "Record not found")
        if req.method == "GET" and req.path == "/api/v1/accounts/verify_credentials":
            return 200, self.ACCOUNT, {}
        if req.method == "GET" and req.path == f"/api/v1/accounts/{self.ACCOUNT['id']}/statuses":
            limit = int(req.query.get("limit", ["20"])[0])
            return 200, list(reversed(list(self.statuses.values())))[:limit], {}
        if req.method == "DELETE" and req.path.startswith("/api/v1/statuses/"):
            gone = self.statuses.pop(req.path.rsplit("/", 1)[1], None)
            return (200, gone, {}) if gone else error(404, "Record not found")
        return error(404, "Not Found")

    def _instance(self) -> Answer:
        self.instance_reads += 1
        media: dict[str, Any] = {
            "supported_mime_types": ["image/png", "image/jpeg", "video/mp4"],
            "image_size_limit": self.image_size_limit,
            "video_size_limit": 103809024,
        }
        if self.description_limit is not None:
            media["description_limit"] = self.description_limit
        body = {
            "domain": "example.social",
            "title": "Example",
            "version": "4.4.0",
            "configuration": {
                "statuses": {"max_characters": self.max_characters, "max_media_attachments": 4,
                             "characters_reserved_per_url": 23},
                "media_attachments": media,
            },
        }  # fmt: skip
        return 200, body, {}

    def _upload(self, req: Recorded) -> Answer:
        if not req.headers.get("content-type", "").startswith("multipart/form-data"):
            return error(422, "Validation failed: File can't be blank")
        form = req.form()
        unknown = sorted(set(form) - MEDIA_FIELDS)
        if unknown:
            return error(422, f"Unknown parameter: {unknown[0]}")
        data = form.get("file")
        if not isinstance(data, bytes) or not data:
            return error(422, "Validation failed: File can't be blank")
        description = form.get("description")
        limit = self.description_limit or 1500
        if description is not None and len(description) > limit:
            return error(
                422, f"Validation failed: Description is too long (maximum is {limit} characters)"
            )
        video = b"content-type: video/mp4" in req.body.lower()
        if not video and len(data) > self.image_size_limit:
            return error(422, "Validation failed: File file size must be less than 16 MB")
        media_id = self._id()
        attachment = {
            "id": media_id, "type": "video" if video else "image", "description": description,
            "url": None if video else f"https://example.social/media/{media_id}.png",
            "preview_url": None, "polls": self.processing_polls if video else 0,
        }  # fmt: skip
        self.media[media_id] = attachment
        # Video is processed asynchronously: 202 with url null until it is done.
        return (202 if video else 200), self._public(attachment), {}

    def _post_status(self, req: Recorded) -> Answer:
        key = req.headers.get("idempotency-key")
        if key and key in self.by_key:
            status_id, at = self.by_key[key]
            if self.now - at < IDEMPOTENCY_LIFETIME and status_id in self.statuses:
                return 200, self.statuses[status_id], {}
            del self.by_key[key]  # the key has expired: this is a new status
        form = req.form()
        unknown = sorted(set(form) - STATUS_FIELDS)
        if unknown:
            return error(422, f"Unknown parameter: {unknown[0]}")
        text = str(form.get("status") or "")
        media_ids = form.get("media_ids[]") or []
        media_ids = [media_ids] if isinstance(media_ids, str) else list(media_ids)
        if not text and not media_ids:
            return error(422, "Validation failed: Text can't be blank")
        if count("mastodon", text) > self.max_characters:
            return error(
                422, f"Validation failed: Text character limit of {self.max_characters} exceeded"
            )
        if form.get("visibility") is not None and form["visibility"] not in VISIBILITIES:
            return error(422, "Validation failed: Visibility is not included in the list")
        for media_id in media_ids:
            attachment = self.media.get(media_id)
            if attachment is None:
                return error(422, "Validation failed: Media attachments are invalid")
            if attachment["url"] is None:
                return error(
                    422,
                    "Cannot attach files that have not finished processing. Try again in a moment!",
                )
        reply_to = form.get("in_reply_to_id")
        if reply_to is not None and reply_to not in self.statuses:
            return error(404, "Record not found")
        status = self._status(self._id(), text, reply_to)
        status["media_attachments"] = [self._public(self.media[m]) for m in media_ids]
        self.statuses[status["id"]] = status
        if key:
            self.by_key[key] = (status["id"], self.now)
        return 200, status, {}
