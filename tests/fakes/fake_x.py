"""A strict fake of X API v2 on 127.0.0.1 that refuses what the real service refuses.

Held to X's OpenAPI spec (xdevplatform/docs openapi.json) and docs:
- auth of the right kind: posting and media accept only user context (`security`:
  OAuth2UserToken or UserToken): an OAuth 1.0a header whose HMAC-SHA1 signature verifies,
  or an OAuth 2.0 user token this fake issued (expired after two hours). An app-only
  bearer gets 403 "Unsupported Authentication"; an unknown token 401.
- bodies checked against the schemas (`MediaUploadRequest`, `InitializeMediaUploadRequest`,
  `AppendMediaUploadRequest`, `CreateMediaMetadataRequest`, `CreatePostsRequest`): unknown
  fields and bad values get the real 400 "Invalid Request" problem.
- ids that exist (media, replies, deletes; ids are 1-19 digits), media that finished
  processing, images up to 5 MB, segments up to `max_segment_bytes`, post text within 280
  weighted characters, the duplicate-content 403.
- `limit_next` (429 with x-rate-limit-* headers), `burst` (5xx in a row) and the base
  class's `fail_next` inject failures. `rejections` lists every refusal the fake made.
Tweet and media ids are snowflakes from the fake's clock (`now`), like X's.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, ClassVar
from urllib.parse import parse_qs, parse_qsl, unquote, urlparse

import twitter_text
from oauthlib.oauth1.rfc5849 import signature as oauth_signature

from tests.fakes.base import FakeServer, Recorded

Answer = tuple[int, Any, dict[str, str]]
TWEEPY_HOST = "https://api.twitter.com"  # tweepy signs for this host; the adapter rewrites it
SNOWFLAKE_EPOCH_MS = 1288834974657
FAKE_NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
INVALID_REQUEST = "https://api.twitter.com/2/problems/invalid-request"
IMAGE_LIMIT = 5 * 1024 * 1024
MEDIA_CATEGORIES_ONE_SHOT = {"tweet_image", "tweet_video", "tweet_gif", "dm_image", "dm_video",
                             "dm_gif", "subtitles"}  # fmt: skip
MEDIA_CATEGORIES_INIT = MEDIA_CATEGORIES_ONE_SHOT | {"amplify_video"}
MEDIA_TYPES = {"video/mp4", "video/webm", "video/mp2t", "video/quicktime", "text/srt",
               "text/vtt", "image/jpeg", "image/gif", "image/bmp", "image/png", "image/webp",
               "image/pjpeg", "image/tiff", "model/gltf-binary", "model/vnd.usdz+zip"}  # fmt: skip
# The properties each request schema lists (all `additionalProperties: false` but metadata,
# which the fake holds to its listed properties too so an undocumented field fails a test).
UPLOAD_FIELDS = {"media", "media_category", "additional_owners"}
INIT_FIELDS = {"additional_owners", "media_category", "media_type", "shared", "total_bytes"}
APPEND_FIELDS = {"media", "segment_index"}
METADATA_FIELDS = {"id", "metadata"}
METADATA_KINDS = {"allow_download_status", "alt_text", "audience_policy", "content_expiration",
                  "domain_restrictions", "found_media_origin", "geo_restrictions",
                  "management_info", "preview_image", "sensitive_media_warning", "shared_info",
                  "sticker_info", "upload_source"}  # fmt: skip
POST_FIELDS = {"card_uri", "community_id", "direct_message_deep_link", "edit_options",
               "for_super_followers_only", "geo", "made_with_ai", "media", "nullcast",
               "paid_partnership", "poll", "quote_tweet_id", "reply", "reply_settings",
               "share_with_followers", "text"}  # fmt: skip
POST_MEDIA_FIELDS = {"call_to_actions", "description", "embeddable", "media_ids",
                     "preview_media_id", "tagged_user_ids", "title"}  # fmt: skip
POST_REPLY_FIELDS = {"auto_populate_reply_metadata", "exclude_reply_user_ids",
                     "in_reply_to_tweet_id"}  # fmt: skip


def invalid(*messages: str) -> Answer:
    """X's 400 problem for a request that breaks the schema."""
    body = {
        "errors": [{"message": m} for m in messages],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": INVALID_REQUEST,
    }
    return 400, body, {}


def problem(status: int, title: str, detail: str, kind: str = "about:blank") -> Answer:
    return status, {"title": title, "detail": detail, "type": kind, "status": status}, {}


def _unknown(body: dict[str, Any], allowed: set[str], where: str = "$") -> list[str]:
    return [
        f"{where}.{k}: is not defined in the schema and the schema does not allow "
        "additional properties"
        for k in body
        if k not in allowed
    ]


def _digits(value: Any) -> bool:
    return isinstance(value, str) and value.isdigit() and 1 <= len(value) <= 19


def snowflake(at: datetime, sequence: int = 1) -> str:
    """An X id created at `at` (fundamentals/x-ids.mdx: ids encode their creation time)."""
    return str(((int(at.timestamp() * 1000) - SNOWFLAKE_EPOCH_MS) << 22) | sequence)


def snowflake_time(tweet_id: str) -> datetime:
    ms = (int(tweet_id) >> 22) + SNOWFLAKE_EPOCH_MS
    return datetime.fromtimestamp(ms / 1000, UTC)


class FakeX(FakeServer):
    """X API v2: media upload (one-shot and chunked), metadata, tweets, users, OAuth 2 token."""

    USER_ID = "4242"
    CONSUMERS: ClassVar[dict[str, str]] = {"ck": "cs"}  # consumer key -> secret (OAuth 1.0a)
    ACCESS: ClassVar[dict[str, str]] = {"at": "ats"}  # access token -> secret
    CLIENT_ID = "client-id"
    APP_BEARER = "app-only-bearer"  # what the developer portal calls the app's Bearer Token

    def __init__(self) -> None:
        self.now = FAKE_NOW
        self.tweets: dict[str, dict[str, Any]] = {}
        self.media: dict[str, dict[str, Any]] = {}  # every uploaded media id, with its state
        self.videos: dict[str, dict[str, Any]] = {}  # chunked uploads by media id
        self.processing_polls = 0  # STATUS answers "in_progress" this many times first
        self.processing_error: str | None = None  # then "failed" with this message, if set
        self.max_segment_bytes = 5 * 1024 * 1024
        self.rejections: list[tuple[str, int, Any]] = []
        # OAuth 2.0 user context: refresh tokens that work (each is single-use) and the
        # access tokens issued, with their expiry.
        self.refresh_tokens: set[str] = {"refresh-0"}
        self.user_tokens: dict[str, datetime] = {}
        self.codes: dict[str, tuple[str, str]] = {}  # authorization code -> challenge, redirect
        self.token_requests = 0
        self._seq = 0
        super().__init__()

    # -- failures ----------------------------------------------------------------------

    def limit_next(self, prefix: str, reset: int) -> None:
        """The next request under `prefix` gets X's 429 with its x-rate-limit-* headers."""
        headers = {"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0",
                   "x-rate-limit-reset": str(reset)}  # fmt: skip
        body = {"title": "Too Many Requests", "detail": "Too Many Requests",
                "type": "about:blank", "status": 429}  # fmt: skip
        self.fail_next(prefix, 429, body, headers)

    def burst(self, prefix: str, count: int, status: int = 503) -> None:
        """The next `count` requests under `prefix` get a 5xx."""
        for _ in range(count):
            self.fail_next(prefix, status, {"title": "Service Unavailable", "status": status})

    # -- helpers -----------------------------------------------------------------------

    def _id(self) -> str:
        self._seq += 1
        return snowflake(self.now, self._seq)

    def oauth1_credentials(self) -> dict[str, str]:
        """OAuth 1.0a user keys this fake accepts, pointed at it."""
        return {"consumer_key": "ck", "consumer_secret": "cs", "access_token": "at",
                "access_token_secret": "ats", "api_base": self.base}  # fmt: skip

    def oauth2_credentials(self) -> dict[str, str]:
        """OAuth 2.0 user context (PKCE client id and a refresh token), pointed at it."""
        refresh = next(iter(sorted(self.refresh_tokens)))
        return {"oauth2_client_id": self.CLIENT_ID, "oauth2_refresh_token": refresh,
                "api_base": self.base}  # fmt: skip

    def issue_user_token(self, lifetime: timedelta = timedelta(hours=2)) -> str:
        token = f"user-{len(self.user_tokens) + 1}"
        self.user_tokens[token] = self.now + lifetime
        return token

    def _auth(self, req: Recorded, *, user_only: bool) -> Answer | None:
        """None when the Authorization header is acceptable for this endpoint."""
        header = req.headers.get("authorization", "")
        if header.startswith("OAuth "):
            return (
                None
                if self._oauth1_valid(req, header)
                else problem(401, "Unauthorized", "Unauthorized")
            )
        if header.startswith("Bearer "):
            token = header.removeprefix("Bearer ")
            if token == self.APP_BEARER:
                if not user_only:
                    return None
                return problem(
                    403,
                    "Unsupported Authentication",
                    "Authenticating with OAuth 2.0 Application-Only is forbidden for this "
                    "endpoint.  Supported authentication types are [OAuth 1.0a User Context, "
                    "OAuth 2.0 User Context].",
                    "https://api.twitter.com/2/problems/unsupported-authentication",
                )
            expires = self.user_tokens.get(token)
            if expires is not None and expires > self.now:
                return None
        return problem(401, "Unauthorized", "Unauthorized")

    def _oauth1_valid(self, req: Recorded, header: str) -> bool:
        params = dict(
            (k.strip(), unquote(v.strip().strip('"')))
            for k, v in (p.split("=", 1) for p in header.removeprefix("OAuth ").split(","))
        )
        consumer, token = params.get("oauth_consumer_key"), params.get("oauth_token")
        if consumer not in self.CONSUMERS or token not in self.ACCESS:
            return False
        if params.get("oauth_signature_method") != "HMAC-SHA1":
            return False
        signed = [(k, v) for k, v in params.items() if k != "oauth_signature"]
        signed += [(k, v) for k, vs in req.query.items() for v in vs]
        if req.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            signed += parse_qsl(req.body.decode())
        base = oauth_signature.signature_base_string(
            req.method,
            oauth_signature.base_string_uri(TWEEPY_HOST + req.path),
            oauth_signature.normalize_parameters(signed),
        )
        keys = SimpleNamespace(
            client_secret=self.CONSUMERS[consumer], resource_owner_secret=self.ACCESS[token]
        )
        expected = oauth_signature.sign_hmac_sha1_with_client(base, keys)
        return expected == params.get("oauth_signature")

    def handle(self, req: Recorded) -> Answer:
        status, body, headers = super().handle(req)
        if status >= 400:
            self.rejections.append((f"{req.method} {req.path}", status, body))
        return status, body, headers

    # -- routes ------------------------------------------------------------------------

    def route(self, req: Recorded) -> Answer:
        if req.method == "POST" and req.path == "/2/oauth2/token":
            return self._token(req)
        user_only = not (req.method == "GET" and req.path == "/2/tweets")
        refused = self._auth(req, user_only=user_only)
        if refused is not None:
            return refused
        parts = req.path.split("/")
        if req.path.startswith("/2/media/upload"):
            return self._media_upload(req, parts)
        if req.method == "POST" and req.path == "/2/media/metadata":
            return self._metadata(req)
        if req.method == "POST" and req.path == "/2/tweets":
            return self._create(req)
        if req.method == "GET" and req.path == "/2/users/me":
            return 200, {"data": {"id": self.USER_ID, "name": "Desk", "username": "desk"}}, {}
        if req.method == "GET" and req.path == f"/2/users/{self.USER_ID}/tweets":
            limit = int(req.query.get("max_results", ["10"])[0])
            if not 5 <= limit <= 100:
                return invalid("The `max_results` query parameter value is not between 5 and 100")
            data = [
                {"id": t["id"], "text": t["text"], "edit_history_tweet_ids": [t["id"]]}
                for t in reversed(list(self.tweets.values()))
            ][:limit]
            return 200, {"data": data, "meta": {"result_count": len(data)}}, {}
        if req.method == "DELETE" and len(parts) == 4 and parts[2] == "tweets":
            if not _digits(parts[3]):
                return invalid(f"The `id` query parameter value [{parts[3]}] is not valid")
            deleted = self.tweets.pop(parts[3], None) is not None
            return 200, {"data": {"deleted": deleted}}, {}
        return problem(404, "Not Found Error", "not found")

    def approve(self, authorize_url: str) -> str:
        """A person approving the authorize link: the address X sends them back to."""
        query = {k: v[0] for k, v in parse_qs(urlparse(authorize_url).query).items()}
        scopes = set(query.get("scope", "").split(" "))
        if (
            query.get("client_id") != self.CLIENT_ID
            or query.get("response_type") != "code"
            or query.get("code_challenge_method") != "S256"
            or not {"tweet.write", "media.write", "offline.access"} <= scopes
        ):
            return f"{query.get('redirect_uri')}?error=invalid_request&state={query.get('state')}"
        code = f"code-{len(self.codes) + 1}"
        self.codes[code] = (query["code_challenge"], query["redirect_uri"])
        return f"{query['redirect_uri']}?state={query['state']}&code={code}"

    def _exchange(self, form: dict[str, str]) -> Answer:
        """grant_type=authorization_code (user-access-token.mdx, step 3), PKCE S256 checked."""
        challenge, redirect_uri = self.codes.pop(form.get("code", ""), ("", ""))
        digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
        if (
            not challenge
            or redirect_uri != form.get("redirect_uri")
            or (base64.urlsafe_b64encode(digest).decode().rstrip("=") != challenge)
        ):
            refused = "Value passed for the authorization code was invalid."
            return 400, {"error": "invalid_request", "error_description": refused}, {}
        fresh = f"refresh-code-{len(self.refresh_tokens)}"
        self.refresh_tokens.add(fresh)
        body = {"token_type": "bearer", "expires_in": 7200, "access_token": self.issue_user_token(),
                "scope": "tweet.write users.read tweet.read media.write offline.access",
                "refresh_token": fresh}  # fmt: skip
        return 200, body, {}

    def _token(self, req: Recorded) -> Answer:
        """POST /2/oauth2/token, grant_type=refresh_token (user-access-token.mdx, step 5)."""
        self.token_requests += 1
        form = dict(parse_qsl(req.body.decode()))
        client = form.get("client_id")
        basic = req.headers.get("authorization", "")
        if basic.startswith("Basic "):
            client = base64.b64decode(basic[6:]).decode().split(":", 1)[0]
        if client == self.CLIENT_ID and form.get("grant_type") == "authorization_code":
            return self._exchange(form)
        if client != self.CLIENT_ID or form.get("grant_type") != "refresh_token":
            return 400, {"error": "invalid_request", "error_description": "Missing valid "
                         "authorization header"}, {}  # fmt: skip
        if form.get("refresh_token") not in self.refresh_tokens:
            refused = "Value passed for the token was invalid."
            return 400, {"error": "invalid_request", "error_description": refused}, {}
        self.refresh_tokens.discard(form["refresh_token"])  # refresh tokens are single-use
        fresh = f"refresh-{self.token_requests}"
        self.refresh_tokens.add(fresh)
        body = {"token_type": "bearer", "expires_in": 7200, "access_token": self.issue_user_token(),
                "scope": "tweet.write users.read tweet.read media.write offline.access",
                "refresh_token": fresh}  # fmt: skip
        return 200, body, {}

    def _media_upload(self, req: Recorded, parts: list[str]) -> Answer:
        if req.method == "POST" and req.path == "/2/media/upload":
            return self._one_shot(req)
        if req.method == "POST" and req.path == "/2/media/upload/initialize":
            body = req.json() or {}
            errors = _unknown(body, INIT_FIELDS)
            if body.get("media_category") not in MEDIA_CATEGORIES_INIT:
                errors.append("$.media_category: does not have a value in the enumeration")
            if body.get("media_type") not in MEDIA_TYPES:
                errors.append("$.media_type: does not have a value in the enumeration")
            total = body.get("total_bytes")
            if not isinstance(total, int) or total < 0:
                errors.append("$.total_bytes: integer found, number expected")
            if errors:
                return invalid(*errors)
            media_id = self._id()
            self.videos[media_id] = {
                "init": body, "segments": {}, "finalized": False, "polls": self.processing_polls,
            }  # fmt: skip
            self.media[media_id] = {"state": "uploading", "kind": body["media_type"]}
            data = {"id": media_id, "media_key": f"7_{media_id}", "expires_after_secs": 86400}
            return 200, {"data": data}, {}
        if req.method == "POST" and len(parts) == 6 and parts[5] in ("append", "finalize"):
            video = self.videos.get(parts[4])
            if video is None:
                return invalid(f"$.id: media id {parts[4]} not found")
            return self._append(req, video) if parts[5] == "append" else self._finalize(parts[4])
        if req.method == "GET" and req.path == "/2/media/upload":
            return self._status(req)
        return problem(404, "Not Found Error", "not found")

    def _one_shot(self, req: Recorded) -> Answer:
        body = req.json() if req.headers.get("content-type", "").startswith("application/json") \
            else None  # fmt: skip
        if not isinstance(body, dict):
            return invalid("the fake takes the JSON form of MediaUploadRequest")
        errors = _unknown(body, UPLOAD_FIELDS)
        if body.get("media_category") not in MEDIA_CATEGORIES_ONE_SHOT:
            errors.append("$.media_category: does not have a value in the enumeration")
        try:
            data = base64.b64decode(str(body.get("media", "")), validate=True)
        except binascii.Error:
            data = b""
            errors.append("$.media: not valid base64")
        if not data:
            errors.append("$.media: is missing but it is required")
        if len(data) > IMAGE_LIMIT:
            errors.append("$.media: file size exceeds 5242880 bytes")
        if errors:
            return invalid(*errors)
        media_id = self._id()
        self.media[media_id] = {"state": "succeeded", "kind": "image", "bytes": data}
        return 200, {"data": {"id": media_id, "media_key": f"3_{media_id}", "size": len(data)}}, {}

    def _append(self, req: Recorded, video: dict[str, Any]) -> Answer:
        body = req.json() or {}
        errors = _unknown(body, APPEND_FIELDS)
        index = body.get("segment_index")
        if not isinstance(index, int) or not 0 <= index <= 999:
            errors.append("$.segment_index: must be an integer from 0 to 999")
        try:
            chunk = base64.b64decode(str(body.get("media", "")), validate=True)
        except binascii.Error:
            chunk = b""
            errors.append("$.media: not valid base64")
        if len(chunk) > self.max_segment_bytes:
            errors.append(f"$.media: segment exceeds {self.max_segment_bytes} bytes")
        if errors:
            return invalid(*errors)
        video["segments"][index] = chunk
        return 200, {"data": {"expires_at": 86400}}, {}

    def _finalize(self, media_id: str) -> Answer:
        video = self.videos[media_id]
        received = sum(len(b) for b in video["segments"].values())
        if received != video["init"]["total_bytes"]:
            return invalid(f"$.total_bytes: received {received} bytes, declared otherwise")
        video["finalized"] = True
        data: dict[str, Any] = {"id": media_id, "size": received}
        if video["polls"] or self.processing_error:
            data["processing_info"] = {"state": "pending", "check_after_secs": 3}
            self.media[media_id]["state"] = "pending"
        else:
            self.media[media_id]["state"] = "succeeded"
        return 200, {"data": data}, {}

    def _status(self, req: Recorded) -> Answer:
        unknown = set(req.query) - {"media_id", "command"}
        media_id = req.query.get("media_id", [""])[0]
        video = self.videos.get(media_id)
        if unknown or req.query.get("command", ["STATUS"]) != ["STATUS"] or video is None:
            return invalid(f"$.media_id: media id {media_id} not found")
        if video["polls"] > 0:
            video["polls"] -= 1
            info: dict[str, Any] = {"state": "in_progress", "check_after_secs": 5}
        elif self.processing_error:
            info = {"state": "failed", "error": {"message": self.processing_error}}
        else:
            info = {"state": "succeeded", "progress_percent": 100}
        self.media[media_id]["state"] = info["state"]
        return 200, {"data": {"id": media_id, "processing_info": info}}, {}

    def video_bytes(self, media_id: str) -> bytes:
        """The uploaded video reassembled from its segments, in segment order."""
        segments = self.videos[media_id]["segments"]
        return b"".join(segments[i] for i in sorted(segments))

    def _metadata(self, req: Recorded) -> Answer:
        body = req.json() or {}
        errors = _unknown(body, METADATA_FIELDS)
        metadata = body.get("metadata") or {}
        errors += _unknown(metadata, METADATA_KINDS, "$.metadata")
        alt = metadata.get("alt_text")
        if alt is not None:
            errors += _unknown(alt, {"text"}, "$.metadata.alt_text")
            if len(str(alt.get("text", ""))) > 1000:
                errors.append("$.metadata.alt_text.text: may only be 1000 characters long")
        if not _digits(body.get("id")) or body["id"] not in self.media:
            errors.append(f"$.id: media id {body.get('id')} not found")
        if errors:
            return invalid(*errors)
        self.media[body["id"]]["alt_text"] = alt and alt.get("text")
        return 200, {"data": {"associated_metadata": metadata, "id": body["id"]}}, {}

    def _create(self, req: Recorded) -> Answer:
        body = req.json() or {}
        errors = _unknown(body, POST_FIELDS)
        media = body.get("media")
        if media is not None:
            errors += _unknown(media, POST_MEDIA_FIELDS, "$.media")
            ids = media.get("media_ids") or []
            if not 1 <= len(ids) <= 4 or not all(_digits(i) for i in ids):
                errors.append("$.media.media_ids: 1 to 4 ids of 1-19 digits")
            elif any(self.media.get(i, {}).get("state") != "succeeded" for i in ids):
                errors.append("Your media IDs are invalid.")
        reply = body.get("reply")
        if reply is not None:
            errors += _unknown(reply, POST_REPLY_FIELDS, "$.reply")
            if reply.get("in_reply_to_tweet_id") not in self.tweets:
                return problem(
                    403,
                    "Forbidden",
                    "You attempted to reply to a Tweet that is deleted or not visible to you.",
                )
        text = str(body.get("text", ""))
        if not twitter_text.parse_tweet(text).valid and not (media and not text):
            errors.append("$.text: Tweet text is too long or empty")
        if errors:
            return invalid(*errors)
        if any(t["text"] == text for t in self.tweets.values()):
            return problem(
                403, "Forbidden", "You are not allowed to create a Tweet with duplicate content."
            )
        tweet_id = self._id()
        self.tweets[tweet_id] = {"id": tweet_id, "text": text, "body": body, "at": self.now}
        data = {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}
        return 201, {"data": data}, {}
