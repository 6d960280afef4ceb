"""A strict fake Bluesky: a PDS and the video service on 127.0.0.1 that say no like the real ones.

The PDS (bluesky-social/atproto packages/pds) answers createSession, refreshSession,
getSession, getServiceAuth, resolveHandle, uploadBlob, createRecord, getRecord and
deleteRecord; the video service (docs: bsky-docs docs/tutorials/video.mdx) answers
getUploadLimits, uploadVideo and getJobStatus. Both check the Authorization header (a
session JWT at the PDS; a service-auth token with the right `aud` and `lxm` at the video
service), and the PDS checks every post record against the lexicons it names, more strictly
than the real one in one way: an unknown field is refused, so a test fails whenever the
publisher sends something the lexicon does not list. Errors have the real XRPC shape
`{"error": ..., "message": ...}`; a reused record key gets the PDS's 500.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import time
from typing import Any

import regex

from tests.fakes.base import FakeServer, Recorded

Answer = tuple[int, Any, dict[str, str]]
POST = "app.bsky.feed.post"
# lexicons/app/bsky/embed/images.json says 2,000,000 since April 2026 (formerly 1,000,000).
IMAGE_MAX_BYTES = 2_000_000
VIDEO_MAX_BYTES = 300_000_000  # lexicons/app/bsky/embed/video.json
PDS_BLOB_UPLOAD_LIMIT = 5 * 1024 * 1024  # packages/pds/src/config/config.ts default
UPLOAD_BLOB = "com.atproto.repo.uploadBlob"
UPLOAD_LIMITS = "app.bsky.video.getUploadLimits"
_tokens = itertools.count(1)


def _b64(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def make_jwt(claims: dict[str, Any]) -> str:
    """An unsigned-looking JWT the atproto client can decode (it reads `exp` to refresh)."""
    claims = {**claims, "jti": f"t{next(_tokens)}"}
    return ".".join([_b64({"alg": "ES256K", "typ": "JWT"}), _b64(claims), "c2lnbmF0dXJl"])


def jwt_claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def xrpc_error(status: int, error: str, message: str) -> Answer:
    return status, {"error": error, "message": message}, {}


def _cid(data: bytes, codec: int = 0x55) -> str:
    """A real CIDv1 (sha2-256; raw for blobs, dag-cbor 0x71 for records), base32."""
    raw = bytes([1, codec, 0x12, 0x20]) + hashlib.sha256(data).digest()
    return "b" + base64.b32encode(raw).decode().lower().rstrip("=")


def _sniff(data: bytes, declared: str) -> str:
    """The blob's type from its bytes, as the PDS does (file-type), else the declared one."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[4:8] == b"ftyp":
        return "video/mp4"
    return declared or "application/octet-stream"


class LexiconError(ValueError):
    pass


def _object(value: Any, where: str, allowed: set[str], required: set[str], type_: str) -> None:
    if not isinstance(value, dict):
        raise LexiconError(f"{where} must be an object")
    unknown = set(value) - allowed - {"$type"}
    if unknown:
        raise LexiconError(f"{where} has fields the lexicon does not list: {sorted(unknown)}")
    missing = required - set(value)
    if missing:
        raise LexiconError(f"{where} must have the property {sorted(missing)[0]!r}")
    if "$type" in value and value["$type"] != type_:
        raise LexiconError(f"{where}/$type must be {type_}")


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise LexiconError(f"{where} must be a string")
    return value


def _integer(value: Any, where: str, minimum: int = 0) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise LexiconError(f"{where} must be an integer >= {minimum}")
    return value


def _aspect_ratio(value: Any, where: str) -> None:
    _object(
        value, where, {"width", "height"}, {"width", "height"}, "app.bsky.embed.defs#aspectRatio"
    )
    _integer(value["width"], f"{where}/width", 1)
    _integer(value["height"], f"{where}/height", 1)


def _strong_ref(value: Any, where: str) -> None:
    _object(value, where, {"uri", "cid"}, {"uri", "cid"}, "com.atproto.repo.strongRef")
    if not _string(value["uri"], f"{where}/uri").startswith("at://"):
        raise LexiconError(f"{where}/uri must be an at-uri")


class FakeBluesky(FakeServer):
    """The PDS. `blobs` by CID, `records` by record key, `handles` for resolveHandle."""

    DID = "did:plc:fakedeskaccount0000000000"

    def __init__(self, handle: str = "desk.example.social") -> None:
        self.account_handle = handle
        self.records: dict[str, dict[str, Any]] = {}
        self.blobs: dict[str, dict[str, Any]] = {}
        self.handles: dict[str, str] = {handle: self.DID}
        self.access_tokens: set[str] = set()
        self.refresh_tokens: set[str] = set()
        self.service_tokens: dict[str, dict[str, Any]] = {}
        self.logins = 0
        self.image_max_bytes = IMAGE_MAX_BYTES
        self.blob_upload_limit = PDS_BLOB_UPLOAD_LIMIT
        super().__init__()

    @property
    def service_did(self) -> str:
        """The PDS's own did:web (what a service-auth token for it names as `aud`)."""
        return "did:web:127.0.0.1"

    def rate_limit_next(self, prefix: str, reset_epoch: int) -> None:
        """The next request under `prefix` gets the PDS's 429 with its ratelimit headers."""
        self.fail_next(
            prefix,
            429,
            {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
            {
                "ratelimit-limit": "5000",
                "ratelimit-remaining": "0",
                "ratelimit-reset": str(reset_epoch),
                "ratelimit-policy": "5000;w=3600",
            },
        )

    # -- auth ------------------------------------------------------------------------

    def _session(self) -> dict[str, Any]:
        now = int(time.time())
        access = make_jwt({"scope": "com.atproto.appPass", "sub": self.DID, "iat": now,
                           "exp": now + 7200, "aud": self.service_did})  # fmt: skip
        refresh = make_jwt({"scope": "com.atproto.refresh", "sub": self.DID, "iat": now,
                            "exp": now + 90 * 86400, "aud": self.service_did})  # fmt: skip
        self.access_tokens.add(access)
        self.refresh_tokens.add(refresh)
        return {"accessJwt": access, "refreshJwt": refresh, "handle": self.account_handle,
                "did": self.DID, "active": True}  # fmt: skip

    def _bearer(self, req: Recorded) -> str | None:
        header = req.headers.get("authorization", "")
        return header[7:] if header.startswith("Bearer ") else None

    def _auth_error(self, req: Recorded, tokens: set[str]) -> Answer | None:
        token = self._bearer(req)
        if token is None:
            return xrpc_error(401, "AuthMissing", "Authentication Required")
        if token not in tokens:
            return xrpc_error(400, "InvalidToken", "Token could not be verified")
        return None

    # -- routes ----------------------------------------------------------------------

    def route(self, req: Recorded) -> Answer:
        method = req.path.removeprefix("/xrpc/")
        if method == "com.atproto.server.createSession":
            body = req.json() or {}
            if body.get("identifier") not in self.handles or not body.get("password"):
                return xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
            self.logins += 1
            return 200, self._session(), {}
        if method == "com.atproto.server.refreshSession":
            denied = self._auth_error(req, self.refresh_tokens)
            return denied or (200, self._session(), {})
        if method == "com.atproto.repo.getRecord":
            return self._get_record(req)
        if method == "com.atproto.identity.resolveHandle":
            handle = req.query.get("handle", [""])[0]
            if handle not in self.handles:
                return xrpc_error(400, "InvalidRequest", "Unable to resolve handle")
            return 200, {"did": self.handles[handle]}, {}
        denied = self._auth_error(req, self.access_tokens)
        if denied is not None:
            return denied
        if method == "com.atproto.server.getSession":
            return 200, {"handle": self.account_handle, "did": self.DID, "active": True}, {}
        if method == "com.atproto.server.getServiceAuth":
            return self._service_auth(req)
        if method == UPLOAD_BLOB and req.method == "POST":
            return self._upload_blob(req)
        if method == "com.atproto.repo.createRecord" and req.method == "POST":
            return self._create_record(req)
        if method == "com.atproto.repo.deleteRecord" and req.method == "POST":
            body = req.json()
            self.records.pop(body.get("rkey"), None)
            return 200, {"commit": {"cid": "bafyreicommit", "rev": "3l2commit"}}, {}
        return xrpc_error(501, "MethodNotImplemented", "Method Not Implemented")

    def _service_auth(self, req: Recorded) -> Answer:
        aud = req.query.get("aud", [""])[0]
        lxm = req.query.get("lxm", [None])[0]
        exp = req.query.get("exp", [None])[0]
        if not aud.startswith("did:"):
            return xrpc_error(400, "InvalidRequest", "aud must be a valid atproto DID")
        now = int(time.time())
        expires = int(exp) if exp else now + 60
        if expires < now:
            return xrpc_error(400, "BadExpiration", "expiration is in past")
        if expires - now > 3600:
            return xrpc_error(400, "BadExpiration", "cannot request a token with an expiration "
                              "more than an hour in the future")  # fmt: skip
        claims = {"iss": self.DID, "aud": aud, "lxm": lxm, "exp": expires, "iat": now}
        token = make_jwt(claims)
        self.service_tokens[token] = claims
        return 200, {"token": token}, {}

    def store_blob(self, data: bytes, declared: str) -> dict[str, Any]:
        """Keep a blob (temporarily, until a record uses it) and return its blob ref."""
        cid = _cid(data)
        self.blobs[cid] = {"size": len(data), "mimeType": _sniff(data, declared), "data": data}
        return {"$type": "blob", "ref": {"$link": cid}, "mimeType": self.blobs[cid]["mimeType"],
                "size": len(data)}  # fmt: skip

    def _upload_blob(self, req: Recorded) -> Answer:
        if len(req.body) > self.blob_upload_limit:
            return xrpc_error(413, "PayloadTooLarge", "request entity too large")
        return 200, {"blob": self.store_blob(req.body, req.headers.get("content-type", ""))}, {}

    def _get_record(self, req: Recorded) -> Answer:
        for name in ("repo", "collection", "rkey"):
            if not req.query.get(name):
                return xrpc_error(
                    400, "InvalidRequest", f'Error: Params must have the property "{name}"'
                )
        rkey = req.query["rkey"][0]
        if rkey not in self.records:
            uri = f"at://{self.DID}/{req.query['collection'][0]}/{rkey}"
            return xrpc_error(400, "RecordNotFound", f"Could not locate record: {uri}")
        return 200, self.records[rkey], {}

    def _create_record(self, req: Recorded) -> Answer:
        body = req.json()
        try:
            allowed = {"repo", "collection", "rkey", "validate", "record", "swapCommit"}
            _object(body, "Input", allowed, {"repo", "collection", "record"}, "")
        except LexiconError as exc:
            return xrpc_error(400, "InvalidRequest", str(exc))
        if body["repo"] not in (self.DID, self.account_handle):
            return xrpc_error(401, "AuthRequired", "Authentication Required")
        if body["collection"] != POST:
            return xrpc_error(400, "InvalidRequest", f"Unsupported collection {body['collection']}")
        try:
            self.check_post(body["record"])
        except LexiconError as exc:
            return xrpc_error(400, "InvalidRequest", f"Invalid {POST} record: {exc}")
        rkey = body.get("rkey") or f"3auto{len(self.records):08d}"
        if rkey in self.records:
            # The repo write hits the unique record path and the PDS answers a bare 500.
            return xrpc_error(500, "InternalServerError", "Internal Server Error")
        uri = f"at://{self.DID}/{POST}/{rkey}"
        cid = _cid(json.dumps(body["record"], sort_keys=True).encode(), 0x71)
        self.records[rkey] = {"uri": uri, "cid": cid, "value": body["record"]}
        return 200, {"uri": uri, "cid": cid, "commit": {"cid": cid, "rev": "3l2rev"},
                     "validationStatus": "valid"}, {}  # fmt: skip

    # -- the lexicons (lexicons/app/bsky/feed/post.json and the embeds it names) ----------

    def check_post(self, record: Any) -> None:
        _object(record, "Record", {"text", "facets", "reply", "embed", "langs", "labels", "tags",
                                   "createdAt"}, {"text", "createdAt"}, POST)  # fmt: skip
        if record.get("$type") != POST:
            raise LexiconError("Record/$type must be app.bsky.feed.post")
        text = _string(record["text"], "Record/text")
        if len(regex.findall(r"\X", text)) > 300:
            raise LexiconError("Record/text must not be longer than 300 graphemes")
        if len(text.encode()) > 3000:
            raise LexiconError("Record/text must not be longer than 3000 characters")
        _string(record["createdAt"], "Record/createdAt")
        langs = record.get("langs", [])
        if not isinstance(langs, list) or len(langs) > 3:
            raise LexiconError("Record/langs must be an array of at most 3 languages")
        for i, facet in enumerate(record.get("facets", [])):
            self._check_facet(facet, len(text.encode()), f"Record/facets/{i}")
        if "reply" in record:
            reply = record["reply"]
            _object(reply, "Record/reply", {"root", "parent"}, {"root", "parent"},
                    "app.bsky.feed.post#replyRef")  # fmt: skip
            _strong_ref(reply["root"], "Record/reply/root")
            _strong_ref(reply["parent"], "Record/reply/parent")
        if "embed" in record:
            self._check_embed(record["embed"])

    def _check_facet(self, facet: Any, text_bytes: int, where: str) -> None:
        _object(facet, where, {"index", "features"}, {"index", "features"},
                "app.bsky.richtext.facet")  # fmt: skip
        index = facet["index"]
        _object(index, f"{where}/index", {"byteStart", "byteEnd"}, {"byteStart", "byteEnd"},
                "app.bsky.richtext.facet#byteSlice")  # fmt: skip
        start = _integer(index["byteStart"], f"{where}/index/byteStart")
        end = _integer(index["byteEnd"], f"{where}/index/byteEnd")
        if not start < end <= text_bytes:
            raise LexiconError(f"{where}/index is outside the text's {text_bytes} bytes")
        kinds = {"app.bsky.richtext.facet#link": "uri", "app.bsky.richtext.facet#tag": "tag",
                 "app.bsky.richtext.facet#mention": "did"}  # fmt: skip
        for j, feature in enumerate(facet["features"]):
            kind = feature.get("$type") if isinstance(feature, dict) else None
            if kind not in kinds:
                raise LexiconError(f"{where}/features/{j} must be a link, tag or mention")
            _object(feature, f"{where}/features/{j}", {kinds[kind]}, {kinds[kind]}, kind)

    def _check_blob(self, blob: Any, where: str, accept: str, max_size: int) -> None:
        _object(blob, where, {"ref", "mimeType", "size"}, {"ref", "mimeType", "size"}, "blob")
        if blob.get("$type") != "blob":
            raise LexiconError(f"{where} should be a blob ref")
        stored = self.blobs.get(str(blob["ref"].get("$link")))
        if stored is None:
            raise LexiconError(f"{where}: Could not find blob")
        if stored["mimeType"] != blob["mimeType"] or stored["size"] != blob["size"]:
            raise LexiconError(f"{where}: Referenced blob does not match the stored blob")
        if not blob["mimeType"].startswith(accept):
            raise LexiconError(f"{where} mimeType {blob['mimeType']} is not accepted")
        if blob["size"] > max_size:
            raise LexiconError(f"{where} is too big: {blob['size']} > {max_size} bytes")

    def _check_embed(self, embed: Any) -> None:
        kind = embed.get("$type") if isinstance(embed, dict) else None
        if kind == "app.bsky.embed.images":
            _object(embed, "Record/embed", {"images"}, {"images"}, kind)
            images = embed["images"]
            if not isinstance(images, list) or not 1 <= len(images) <= 4:
                raise LexiconError("Record/embed/images must hold 1 to 4 images")
            for i, image in enumerate(images):
                where = f"Record/embed/images/{i}"
                _object(image, where, {"image", "alt", "aspectRatio"}, {"image", "alt"},
                        "app.bsky.embed.images#image")  # fmt: skip
                _string(image["alt"], f"{where}/alt")
                self._check_blob(image["image"], f"{where}/image", "image/", self.image_max_bytes)
                if "aspectRatio" in image:
                    _aspect_ratio(image["aspectRatio"], f"{where}/aspectRatio")
        elif kind == "app.bsky.embed.video":
            _object(embed, "Record/embed", {"video", "captions", "alt", "aspectRatio",
                                            "presentation"}, {"video"}, kind)  # fmt: skip
            self._check_blob(embed["video"], "Record/embed/video", "video/mp4", VIDEO_MAX_BYTES)
            if "alt" in embed:
                _string(embed["alt"], "Record/embed/alt")
            if "aspectRatio" in embed:
                _aspect_ratio(embed["aspectRatio"], "Record/embed/aspectRatio")
        else:
            raise LexiconError(f"Record/embed $type {kind} is not supported here")


class FakeVideoService(FakeServer):
    """video.bsky.app: limits, upload and jobs, storing the processed video on `pds`.

    A job moves one state per getJobStatus poll through `states`, then completes (with
    the blob) or, with `failure` set, fails with its (failureCode, message)."""

    DID = "did:web:video.bsky.app"

    def __init__(self, pds: FakeBluesky) -> None:
        self.pds = pds
        self.limits: dict[str, Any] = {"canUpload": True, "remainingDailyVideos": 25,
                                       "remainingDailyBytes": 10 * 1024**3}  # fmt: skip
        self.max_video_bytes = 100 * 1024 * 1024
        self.states = ["JOB_STATE_CREATED", "JOB_STATE_ENCODING", "JOB_STATE_SCANNED",
                       "JOB_STATE_UPLOADED"]  # fmt: skip
        self.failure: tuple[str, str] | None = None
        self.jobs: dict[str, dict[str, Any]] = {}
        super().__init__()

    def _token(
        self, req: Recorded, aud: str, lxm: str
    ) -> tuple[dict[str, Any] | None, Answer | None]:
        header = req.headers.get("authorization", "")
        if not header.startswith("Bearer "):
            return None, xrpc_error(401, "AuthMissing", "Authentication Required")
        claims = self.pds.service_tokens.get(header[7:])
        if claims is None:  # a session JWT, or a token the PDS never signed
            return None, xrpc_error(
                401, "BadJwtSignature", "jwt signature does not match jwt issuer"
            )
        if claims["exp"] < time.time():
            return None, xrpc_error(401, "JwtExpired", "jwt expired")
        if claims["aud"] != aud:
            return None, xrpc_error(
                401, "BadJwtAudience", f"jwt audience does not match service did: {aud}"
            )
        if claims["lxm"] != lxm:
            return None, xrpc_error(
                401, "BadJwtLexiconMethod", f"bad jwt lexicon method (lxm): {lxm}"
            )
        return claims, None

    def _status(self, job: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in job.items() if not k.startswith("_")}

    def route(self, req: Recorded) -> Answer:
        method = req.path.removeprefix("/xrpc/")
        if method == UPLOAD_LIMITS and req.method == "GET":
            _, denied = self._token(req, self.DID, UPLOAD_LIMITS)
            return denied or (200, dict(self.limits), {})
        if method == "app.bsky.video.uploadVideo" and req.method == "POST":
            return self._upload(req)
        if method == "app.bsky.video.getJobStatus" and req.method == "GET":
            job = self.jobs.get(req.query.get("jobId", [""])[0])
            if job is None:
                return xrpc_error(404, "NotFound", "job not found")
            self._advance(job)
            return 200, {"jobStatus": self._status(job)}, {}
        return xrpc_error(501, "MethodNotImplemented", "Method Not Implemented")

    def _upload(self, req: Recorded) -> Answer:
        claims, denied = self._token(req, self.pds.service_did, UPLOAD_BLOB)
        if denied is not None or claims is None:
            return denied or xrpc_error(401, "AuthMissing", "Authentication Required")
        did = req.query.get("did", [""])[0]
        if did != claims["iss"]:
            return xrpc_error(400, "InvalidRequest", "did does not match the token's issuer")
        if not self.limits["canUpload"]:
            return xrpc_error(400, "InvalidRequest", str(self.limits.get("message", "not allowed")))
        if req.headers.get("content-type") != "video/mp4" or not req.body:
            return xrpc_error(400, "InvalidRequest", "expected a video/mp4 body")
        if len(req.body) > self.max_video_bytes:
            return xrpc_error(413, "PayloadTooLarge", "video too large")
        job_id = f"job{len(self.jobs) + 1:04d}"
        job = {"jobId": job_id, "did": did, "state": "JOB_STATE_CREATED", "_data": req.body,
               "_step": 0}  # fmt: skip
        self.jobs[job_id] = job
        # The live service answers the bare jobStatus here (atproto#3026), not {"jobStatus": …}.
        return 200, self._status(job), {}

    def _advance(self, job: dict[str, Any]) -> None:
        if job["state"] in ("JOB_STATE_COMPLETED", "JOB_STATE_FAILED"):
            return
        job["_step"] += 1
        if job["_step"] < len(self.states):
            job["state"] = self.states[job["_step"]]
            job["progress"] = 100 * job["_step"] // len(self.states)
        elif self.failure is not None:
            job["state"] = "JOB_STATE_FAILED"
            job["failureCode"], job["message"] = self.failure
            job["error"] = f"video processing error for job: {job['jobId']}"
            job.pop("progress", None)
        else:
            job["state"] = "JOB_STATE_COMPLETED"
            job["progress"] = 100
            job["blob"] = self.pds.store_blob(job["_data"], "video/mp4")
