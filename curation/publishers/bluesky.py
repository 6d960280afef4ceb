"""Bluesky through atproto: image with alt text, link and hashtag facets, a fixed record key.

The record key (a TID) is derived from the post's idempotency key and creation time, so
after an unknown outcome the worker asks for exactly that record instead of guessing;
and a resend with the same key cannot create a second post (the PDS refuses a taken
key). The session string is reused from a 0600 file in the data directory (not the DB).
A video (an audiogram MP4) is uploaded as a `video/mp4` blob and embedded with an
`app.bsky.embed.video` record carrying its alt text and aspect ratio.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import regex
from atproto import Client, client_utils, models
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

DEFAULT_BASE = "https://bsky.social/xrpc"
COLLECTION = "app.bsky.feed.post"
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_LINK_OR_TAG = regex.compile(r"(https?://[^\s]+[^\s.,;:!?)\"”’])|(?<![\w#])#([\p{L}\p{N}_]+)")


def record_key(idempotency_key: str, micros: int, *, reply: bool = False) -> str:
    """A valid TID (13 base32-sortable characters) fixed by the post's key and creation time."""
    clock = int(hashlib.sha256(idempotency_key.encode()).hexdigest(), 16) % 1024
    value = ((micros + (1 if reply else 0)) & ((1 << 53) - 1)) << 10 | clock
    chars = []
    for _ in range(13):
        chars.append(_TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def rich_text(text: str) -> client_utils.TextBuilder:
    """The text with link and hashtag facets (TextBuilder counts the UTF-8 byte offsets)."""
    builder = client_utils.TextBuilder()
    last = 0
    for match in _LINK_OR_TAG.finditer(text):
        builder.text(text[last : match.start()])
        if match.group(1):
            builder.link(match.group(1), match.group(1))
        else:
            builder.tag(match.group(0), match.group(2))
        last = match.end()
    builder.text(text[last:])
    return builder


class BlueskyPublisher:
    network = "bluesky"

    def __init__(
        self, client: Client, *, handle: str, password: str, session_file: Path | None = None
    ) -> None:
        self.client = client
        self.handle = handle
        self._password = password
        self.session_file = session_file
        self._did: str | None = None

    @classmethod
    def from_credentials(
        cls, found: Mapping[str, str], *, session_file: Path | None = None
    ) -> BlueskyPublisher:
        return cls(
            Client(base_url=found.get("base") or DEFAULT_BASE),
            handle=found["handle"],
            password=found["app_password"],
            session_file=session_file,
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

    def _session_did(self) -> str:
        session = getattr(self.client, "_session", None)
        did = getattr(session, "did", None)
        if not did:
            raise AuthFailed("Bluesky login gave no account id")
        return str(did)

    # -- the network calls -------------------------------------------------------------

    def _micros(self, post: Outgoing) -> int:
        return int(post.created_at.timestamp() * 1_000_000)

    def publish(self, post: Outgoing, media: Media | None) -> Result:
        try:
            did = self._login()
            embed = None
            if media is not None and media.mime_type.startswith("video/"):
                embed = self._video_embed(media)
            elif media is not None:
                blob = self.client.upload_blob(media.read()).blob
                embed = models.AppBskyEmbedImages.Main(
                    images=[models.AppBskyEmbedImages.Image(alt=media.alt_text or "", image=blob)]
                )
        except PublishError:
            raise
        except Exception as exc:  # nothing is posted yet
            raise _classify(exc, before_create=True) from exc
        rkey = record_key(post.idempotency_key, self._micros(post))
        try:
            created = self._create(did, post.text, rkey, embed=embed)
        except BadRequestError as exc:
            if _taken(exc):  # the record key exists: the first attempt went out
                found = self.find_existing(post)
                if found is not None:
                    return found
            raise _classify(exc, before_create=False) from exc
        except Exception as exc:
            raise _classify(exc, before_create=False) from exc
        reply_uri = None
        if post.reply_text:
            try:
                parent = models.ComAtprotoRepoStrongRef.Main(uri=created.uri, cid=created.cid)
                reply = self._create(
                    did,
                    post.reply_text,
                    record_key(post.idempotency_key, self._micros(post), reply=True),
                    reply_to=models.AppBskyFeedPost.ReplyRef(root=parent, parent=parent),
                )
                reply_uri = reply.uri
            except Exception:  # the main post is out; the follow-up is best effort
                reply_uri = None
        return Result(remote_id=created.uri, url=self._url(rkey), reply_remote_id=reply_uri)

    def _video_embed(self, media: Media) -> Any:
        if not supports_video():
            raise Permanent("this atproto version cannot post video; post the card instead")
        blob = self.client.com.atproto.repo.upload_blob(
            media.read(), headers={"Content-Type": media.mime_type}
        ).blob
        size = video_size(media.path)
        ratio = models.AppBskyEmbedDefs.AspectRatio(width=size[0], height=size[1]) if size else None
        return models.AppBskyEmbedVideo.Main(
            video=blob, alt=media.alt_text or None, aspect_ratio=ratio
        )

    def _create(
        self, did: str, text: str, rkey: str, *, embed: Any = None, reply_to: Any = None
    ) -> Any:
        builder = rich_text(text)
        record = models.AppBskyFeedPost.Record(
            created_at=self.client.get_current_time_iso(),
            text=builder.build_text(),
            facets=builder.build_facets() or None,
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
        """Ask for the post's fixed record key: there, or certainly not there."""
        rkey = record_key(post.idempotency_key, self._micros(post))
        try:
            did = self._login()
            found = self.client.app.bsky.feed.post.get(did, rkey)
        except BadRequestError as exc:
            if "notfound" in str(exc).lower().replace(" ", "").replace("_", ""):
                return None
            raise _classify(exc, before_create=True) from exc
        except Exception as exc:
            raise _classify(exc, before_create=True) from exc
        return Result(remote_id=found.uri, url=self._url(rkey))

    def check_connection(self) -> Connection:
        try:
            self._did = None
            did = self._login()
        except (UnauthorizedError, AuthFailed) as exc:
            return Connection(ok=False, error=short_error(exc), needs_reconnect=True)
        except Exception as exc:
            return Connection(ok=False, error=short_error(exc))
        return Connection(ok=True, account=f"@{self.handle} ({did})")


def supports_video() -> bool:
    """Whether the installed atproto models know `app.bsky.embed.video`."""
    return hasattr(models, "AppBskyEmbedVideo") and hasattr(models, "AppBskyEmbedDefs")


def video_size(path: Path) -> tuple[int, int] | None:
    """The video's width and height (probed with PyAV), or None if it cannot be read."""
    try:
        import av

        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            width, height = stream.codec_context.width, stream.codec_context.height
    except Exception:  # the aspect ratio is optional: post without it
        return None
    return (width, height) if width and height else None


def _taken(exc: BaseException) -> bool:
    text = str(getattr(exc, "response", "") or exc).lower()
    return "already exists" in text or "recordalreadyexists" in text


def _classify(exc: BaseException, *, before_create: bool) -> PublishError:
    if isinstance(exc, PublishError):
        return exc
    if isinstance(exc, RateLimitExceededError):
        from datetime import UTC, datetime

        response = getattr(exc, "response", None)
        headers = getattr(response, "headers", {}) or {}
        reset = headers.get("ratelimit-reset") or headers.get("RateLimit-Reset")
        at = datetime.fromtimestamp(int(reset), UTC) if reset and str(reset).isdigit() else None
        return RateLimited(short_error(exc), at)
    if isinstance(exc, UnauthorizedError):
        return AuthFailed(short_error(exc))
    if isinstance(exc, BadRequestError):
        return Permanent(short_error(exc))
    if isinstance(exc, (InvokeTimeoutError, NetworkError)):
        return NotSent(short_error(exc)) if before_create else OutcomeUnknown(short_error(exc))
    if isinstance(exc, RequestException):
        status = getattr(getattr(exc, "response", None), "status_code", None)
        if status and status >= 500 and before_create:
            return NotSent(short_error(exc))
        # A 5xx after createRecord may still have stored it; the fixed key resolves it.
        return OutcomeUnknown(short_error(exc)) if not before_create else NotSent(short_error(exc))
    return NotSent(short_error(exc)) if before_create else OutcomeUnknown(short_error(exc))
