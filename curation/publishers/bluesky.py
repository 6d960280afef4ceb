"""Bluesky through atproto: a post record at a fixed record key, with facets and media.

The record key (a TID) is derived from the post's idempotency key and creation time, so
after an unknown outcome the worker asks for exactly that record instead of guessing.
A resend with a taken key gets a 500 from a real PDS (the repo write fails; createRecord
maps only invalid records and keys to 400: packages/pds/src/api/com/atproto/repo/
createRecord.ts), so any server error on create is resolved by `getRecord` at that key:
there means sent, absent means not sent. The session string is reused from a 0600 file in
the data directory (not the DB). Records and facets: `bluesky_records`; images and video:
`bluesky_media`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from atproto import Client, models
from atproto_client.exceptions import (
    BadRequestError,
    InvokeTimeoutError,
    NetworkError,
    RateLimitExceededError,
    RequestException,
    UnauthorizedError,
)

from curation.publishers.base import (
    AuthFailed,
    Connection,
    Media,
    NotSent,
    OutcomeUnknown,
    Outgoing,
    Permanent,
    PublishError,
    RateLimited,
    Result,
    short_error,
)
from curation.publishers.bluesky_media import (
    DEFAULT_VIDEO_BASE,
    DEFAULT_VIDEO_DID,
    VideoService,
    fit_image,
    supports_video,
    video_size,
)
from curation.publishers.bluesky_records import (
    MAX_BYTES,
    MAX_GRAPHEMES,
    alt_text,
    blob_facts,
    graphemes,
    record_key,
    rich_text,
)

__all__ = ["BlueskyPublisher", "record_key", "rich_text", "supports_video", "video_size"]

DEFAULT_BASE = "https://bsky.social/xrpc"


class BlueskyPublisher:
    network = "bluesky"

    def __init__(
        self,
        client: Client,
        *,
        handle: str,
        password: str,
        session_file: Path | None = None,
        video_base: str = DEFAULT_VIDEO_BASE,
        video_did: str = DEFAULT_VIDEO_DID,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.handle = handle
        self._password = password
        self.session_file = session_file
        self._did: str | None = None
        self.video = VideoService(client, base=video_base, did=video_did, sleep=sleep, clock=clock)

    @classmethod
    def from_credentials(
        cls, found: Mapping[str, str], *, session_file: Path | None = None, **options: Any
    ) -> BlueskyPublisher:
        return cls(
            Client(base_url=found.get("base") or DEFAULT_BASE),
            handle=found["handle"],
            password=found["app_password"],
            session_file=session_file,
            video_base=found.get("video_base") or DEFAULT_VIDEO_BASE,
            video_did=found.get("video_did") or DEFAULT_VIDEO_DID,
            **options,
        )

    # -- session ---------------------------------------------------------------------

    def _save_session(self, *_args: Any) -> None:
        if self.session_file is None:
            return
        self.session_file.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.session_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(self.client.export_session_string())
        os.chmod(self.session_file, 0o600)

    def _login(self) -> str:
        if self._did is not None:
            return self._did
        self.client.on_session_change(self._save_session)
        if self.session_file is not None and self.session_file.is_file():
            try:
                self.client.login(
                    session_string=self.session_file.read_text(encoding="utf-8"),
                    fetch_bsky_profile=False,
                )
                self._did = self._session_did()
                return self._did
            except Exception:  # expired or unreadable: log in afresh
                self._did = None
        self.client.login(self.handle, self._password, fetch_bsky_profile=False)
        self._did = self._session_did()
        return self._did

    def _session(self) -> Any:
        return getattr(self.client, "_session", None)

    def _session_did(self) -> str:
        did = getattr(self._session(), "did", None)
        if not did:
            raise AuthFailed("Bluesky login gave no account id")
        return str(did)

    # -- publishing --------------------------------------------------------------------

    def _micros(self, post: Outgoing) -> int:
        return int(post.created_at.timestamp() * 1_000_000)

    def publish(self, post: Outgoing, media: Media | None) -> Result:
        for text in (post.text, post.reply_text or ""):
            if len(graphemes(text)) > MAX_GRAPHEMES or len(text.encode()) > MAX_BYTES:
                raise Permanent(f"Bluesky posts hold {MAX_GRAPHEMES} characters at most")
        receipt: dict[str, object] = {}
        try:
            did = self._login()
            embed = self._embed(did, media, receipt) if media is not None else None
        except PublishError:
            raise
        except Exception as exc:  # nothing is posted yet
            raise _classify(exc, before_create=True) from exc
        rkey = record_key(post.idempotency_key, self._micros(post))
        uri, cid, resolved = self._create_or_find(did, post.text, rkey, embed=embed)
        # "record_tid", not "rkey": receipts drop keys that look like credentials ("key").
        receipt.update(record_tid=rkey, cid=cid, resolved=resolved)
        reply_uri = None
        if post.reply_text:  # the main post is out; the follow-up is best effort
            parent = models.ComAtprotoRepoStrongRef.Main(uri=uri, cid=cid)
            try:
                reply_uri = self._create_or_find(
                    did,
                    post.reply_text,
                    record_key(post.idempotency_key, self._micros(post), reply=True),
                    reply_to=models.AppBskyFeedPost.ReplyRef(root=parent, parent=parent),
                )[0]
            except PublishError as exc:
                receipt["reply_error"] = short_error(exc)
        return Result(uri, self._url(rkey), reply_remote_id=reply_uri, receipt=receipt)

    def _create_or_find(
        self, did: str, text: str, rkey: str, *, embed: Any = None, reply_to: Any = None
    ) -> tuple[str, str, bool]:
        """(uri, cid, whether an earlier attempt had created it) of the record at `rkey`."""
        try:
            created = self._create(did, text, rkey, embed=embed, reply_to=reply_to)
            return str(created.uri), str(created.cid), False
        except (RateLimitExceededError, UnauthorizedError, BadRequestError) as exc:
            raise _classify(exc, before_create=False) from exc
        except (RequestException, NetworkError) as exc:
            status = getattr(getattr(exc, "response", None), "status_code", None) or 0
            if 400 <= status < 500:  # refused outright (e.g. 413): nothing was stored
                raise Permanent(short_error(exc)) from exc
            if status < 500:  # no answer at all: it may still be arriving
                raise _classify(exc, before_create=False) from exc
            # The PDS answered with a server error (a reused key among them): look it up.
            try:
                found = self._lookup(did, rkey)
            except PublishError as lookup:
                raise OutcomeUnknown(f"{short_error(exc)}; lookup failed: {lookup}") from exc
            if found is None:
                raise NotSent(f"{short_error(exc)}; no record at {rkey}") from exc
            return found[0], found[1], True
        except Exception as exc:  # e.g. the connection dropped mid-request: it may be there
            raise _classify(exc, before_create=False) from exc

    def _lookup(self, did: str, rkey: str) -> tuple[str, str] | None:
        """The (uri, cid) of our post at `rkey` (com.atproto.repo.getRecord), or None."""
        try:
            found = self.client.app.bsky.feed.post.get(did, rkey)
        except BadRequestError as exc:  # RecordNotFound is a 400
            if "notfound" in str(exc).lower().replace(" ", "").replace("_", ""):
                return None
            raise _classify(exc, before_create=True) from exc
        except Exception as exc:
            raise _classify(exc, before_create=True) from exc
        return str(found.uri), str(found.cid)

    def _embed(self, did: str, media: Media, receipt: dict[str, object]) -> Any:
        if media.mime_type.startswith("video/"):
            if not supports_video():
                raise Permanent("this atproto version cannot post video; post the card instead")
            blob = self.video.upload(
                media.read(),
                name=media.path.name,
                account_did=did,
                pds_url=str(getattr(self._session(), "pds_endpoint", "") or ""),
            )
            receipt["video_job"] = dict(self.video.last_job)
            size = video_size(media.path)
            ratio = None
            if size:
                ratio = models.AppBskyEmbedDefs.AspectRatio(width=size[0], height=size[1])
            receipt["blob"] = blob_facts(blob)
            return models.AppBskyEmbedVideo.Main(
                video=blob, alt=alt_text(media.alt_text) or None, aspect_ratio=ratio
            )
        fitted = fit_image(media.read())
        blob = self.client.upload_blob(fitted.data).blob
        receipt["blob"] = {**blob_facts(blob), "reencoded": fitted.reencoded}
        ratio = models.AppBskyEmbedDefs.AspectRatio(width=fitted.width, height=fitted.height)
        image = models.AppBskyEmbedImages.Image(
            alt=alt_text(media.alt_text), image=blob, aspect_ratio=ratio
        )
        return models.AppBskyEmbedImages.Main(images=[image])

    def _resolve(self, handle: str) -> str | None:
        try:
            return str(self.client.resolve_handle(handle).did)
        except Exception:  # an unknown handle stays plain text
            return None

    def _create(
        self, did: str, text: str, rkey: str, *, embed: Any = None, reply_to: Any = None
    ) -> Any:
        record = models.AppBskyFeedPost.Record(
            created_at=self.client.get_current_time_iso(),
            text=text,
            facets=rich_text(text, self._resolve) or None,
            embed=embed,
            reply=reply_to,
            langs=["en"],
        )
        return self.client.app.bsky.feed.post.create(did, record, rkey=rkey)

    def _url(self, rkey: str) -> str:
        return f"https://bsky.app/profile/{self.handle}/post/{rkey}"

    def delete(self, remote_id: str) -> None:
        try:
            self._login()
            self.client.delete_post(remote_id)
        except Exception as exc:
            raise _classify(exc, before_create=False) from exc

    def find_existing(self, post: Outgoing) -> Result | None:
        """Ask for the post's fixed record key (and its reply's): there, or certainly not."""
        rkey = record_key(post.idempotency_key, self._micros(post))
        try:
            did = self._login()
        except Exception as exc:
            raise _classify(exc, before_create=True) from exc
        found = self._lookup(did, rkey)
        if found is None:
            return None
        reply = None
        if post.reply_text:
            reply = self._lookup(
                did, record_key(post.idempotency_key, self._micros(post), reply=True)
            )
        return Result(
            remote_id=found[0],
            url=self._url(rkey),
            reply_remote_id=reply[0] if reply else None,
            receipt={"record_tid": rkey, "cid": found[1], "resolved": True},
        )

    def check_connection(self) -> Connection:
        try:
            self._did = None
            did = self._login()
        except (UnauthorizedError, AuthFailed) as exc:
            return Connection(ok=False, error=short_error(exc), needs_reconnect=True)
        except Exception as exc:
            return Connection(ok=False, error=short_error(exc))
        return Connection(ok=True, account=f"@{self.handle} ({did})")


def rate_limit_reset(exc: BaseException) -> datetime | None:
    """When a 429 says the limit resets (the PDS's `ratelimit-reset`, epoch seconds)."""
    headers = getattr(getattr(exc, "response", None), "headers", None) or {}
    reset = headers.get("ratelimit-reset") or headers.get("RateLimit-Reset")
    return datetime.fromtimestamp(int(reset), UTC) if reset and str(reset).isdigit() else None


def _classify(exc: BaseException, *, before_create: bool) -> PublishError:
    if isinstance(exc, PublishError):
        return exc
    if isinstance(exc, RateLimitExceededError):
        return RateLimited(short_error(exc), rate_limit_reset(exc))
    if isinstance(exc, UnauthorizedError):
        return AuthFailed(short_error(exc))
    if isinstance(exc, BadRequestError):
        text = str(getattr(exc, "response", "") or exc)
        if "ExpiredToken" in text or "InvalidToken" in text:
            return AuthFailed(short_error(exc))
        return Permanent(short_error(exc))
    if isinstance(exc, (InvokeTimeoutError, NetworkError, RequestException)):
        return NotSent(short_error(exc)) if before_create else OutcomeUnknown(short_error(exc))
    return NotSent(short_error(exc)) if before_create else OutcomeUnknown(short_error(exc))
