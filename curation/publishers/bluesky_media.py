"""Bluesky media: images fitted to the embed's blob limit, video through the video service.

Images: `app.bsky.embed.images` takes image blobs with an aspect ratio (lexicons/app/bsky/
embed/images.json and embed/defs.json). The lexicon allows 2,000,000 bytes since April 2026
(atproto #4823, "formerly limited to 1 MB"); PDSes that have not caught up still refuse more
than 1,000,000, so a card above that is re-encoded (optimised PNG, then JPEG, then smaller)
or refused with the reason, never sent to be refused.

Video follows the video tutorial (bsky-docs docs/tutorials/video.mdx) rather than a bare PDS
blob (self-hosted PDSes cap blobs at 5 MB by default and the post would show "video not
found" while the service catches up): a service-auth token for the video service to read
`app.bsky.video.getUploadLimits`, a second one (aud = the PDS's did:web, lxm
`com.atproto.repo.uploadBlob`, 30 minutes) to `app.bsky.video.uploadVideo`, then
`app.bsky.video.getJobStatus` until the job completes with the blob the service stored on
the PDS. The sleep and clock are injected, so tests never wait.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
from atproto import Client, models
from PIL import Image, UnidentifiedImageError

from curation.publishers.base import NotSent, Permanent, RateLimited, short_error

IMAGE_MAX_BYTES = 1_000_000
ALT_MAX_GRAPHEMES = 2000  # social-app src/lib/constants.ts MAX_ALT_TEXT
DEFAULT_VIDEO_BASE = "https://video.bsky.app"
# The service's identity stays the same when its base URL is pointed at a proxy or a fake.
DEFAULT_VIDEO_DID = "did:web:video.bsky.app"
UPLOAD_BLOB = "com.atproto.repo.uploadBlob"
UPLOAD_LIMITS = "app.bsky.video.getUploadLimits"
TOKEN_SECONDS = 30 * 60  # the tutorial's recommendation; the PDS allows at most an hour
# Failures worth retrying later; validation/encoding failures and an oversized blob are not.
_RETRYABLE_FAILURES = {"pds_upload_failure", "generic_failure"}


@dataclass(frozen=True)
class FittedImage:
    data: bytes
    mime_type: str
    width: int
    height: int
    reencoded: bool = False


def fit_image(data: bytes, limit: int = IMAGE_MAX_BYTES) -> FittedImage:
    """The image within `limit` bytes (as is, or re-encoded), with its size for aspectRatio."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.load()
            image = probe.copy()
            fmt = probe.format or ""
    except (UnidentifiedImageError, OSError) as exc:
        raise Permanent(f"the card is not a readable image: {short_error(exc)}") from exc
    if len(data) <= limit and fmt in ("PNG", "JPEG"):
        return FittedImage(data, f"image/{fmt.lower()}", image.width, image.height)
    png = _encode(image, "PNG")
    if len(png) <= limit:
        return FittedImage(png, "image/png", image.width, image.height, reencoded=True)
    flat = _flatten(image)
    for scale in (1.0, 0.85, 0.7, 0.55, 0.4):
        size = (max(1, round(flat.width * scale)), max(1, round(flat.height * scale)))
        resized = flat if scale == 1.0 else flat.resize(size, Image.Resampling.LANCZOS)
        for quality in (90, 80, 70):
            jpeg = _encode(resized, "JPEG", quality=quality)
            if len(jpeg) <= limit:
                return FittedImage(jpeg, "image/jpeg", *resized.size, reencoded=True)
    raise Permanent(
        f"the card is {len(data):,} bytes and stays above Bluesky's {limit:,}-byte image "
        "limit even re-encoded; post it with a smaller card"
    )


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _encode(image: Image.Image, fmt: str, **options: Any) -> bytes:
    buffer = io.BytesIO()
    if fmt == "PNG":
        image.save(buffer, "PNG", optimize=True)
    else:
        image.save(buffer, fmt, optimize=True, **options)
    return buffer.getvalue()


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


def service_did_of(url: str) -> str:
    """The did:web a service-auth token names for a PDS at `url` (its host, no port)."""
    host = urlparse(url).hostname
    if not host:
        raise NotSent(f"no PDS host to address a service-auth token to ({url!r})")
    return f"did:web:{host}"


@dataclass
class VideoService:
    """The Bluesky video service, reached with service-auth tokens from the signed-in PDS."""

    pds: Client
    base: str = DEFAULT_VIDEO_BASE
    did: str = DEFAULT_VIDEO_DID
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    poll_seconds: float = 1.0
    max_wait_seconds: float = 600.0
    timeout_seconds: float = 120.0
    last_job: dict[str, Any] = field(default_factory=dict)

    def _token(self, aud: str, lxm: str, seconds: int | None = None) -> str:
        params: dict[str, Any] = {"aud": aud, "lxm": lxm}
        if seconds:
            params["exp"] = int(self.clock()) + seconds
        return str(self.pds.com.atproto.server.get_service_auth(params).token)

    def _client(self) -> Client:
        return Client(base_url=f"{self.base.rstrip('/')}/xrpc")

    def check_limits(self, size: int) -> None:
        """Refuse before uploading when the account may not post this video today."""
        token = self._token(self.did, UPLOAD_LIMITS)
        limits = self._client().app.bsky.video.get_upload_limits(
            headers={"Authorization": f"Bearer {token}"}
        )
        if not limits.can_upload:
            reason = limits.message or limits.error or "this account may not upload video"
            raise Permanent(f"Bluesky video upload refused: {reason}")
        videos, volume = limits.remaining_daily_videos, limits.remaining_daily_bytes
        if (videos is not None and videos < 1) or (volume is not None and volume < size):
            raise RateLimited("Bluesky's daily video allowance is used up; trying again later")

    def upload(self, data: bytes, *, name: str, account_did: str, pds_url: str) -> Any:
        """The processed video's blob ref (after limits, upload and the job's completion)."""
        self.check_limits(len(data))
        token = self._token(service_did_of(pds_url), UPLOAD_BLOB, TOKEN_SECONDS)
        job = self._post_video(data, token, name=name, account_did=account_did)
        deadline = self.clock() + self.max_wait_seconds
        while True:
            self.last_job = {k: job.get(k) for k in ("jobId", "state", "error", "message")}
            if job.get("blob"):  # also on "already_exists": the earlier upload's blob
                return models.AppBskyVideoDefs.JobStatus.model_validate(job).blob
            if job.get("state") == "JOB_STATE_FAILED":
                code = str(job.get("failureCode") or job.get("error") or "failed")
                reason = f"Bluesky could not process the video ({code}): {job.get('message')}"
                raise NotSent(reason) if code in _RETRYABLE_FAILURES else Permanent(reason)
            if self.clock() >= deadline:
                raise NotSent(f"Bluesky video still processing ({job.get('state')}); retrying")
            self.sleep(self.poll_seconds)
            status = self._client().app.bsky.video.get_job_status({"job_id": job["jobId"]})
            job = status.job_status.model_dump(by_alias=True, exclude_none=True)

    def _post_video(self, data: bytes, token: str, *, name: str, account_did: str) -> Any:
        # Plain HTTP as in the tutorial: the live service answers a bare jobStatus (not the
        # lexicon's {"jobStatus": …}, atproto#3026), and 409 "already_exists" with the jobId.
        try:
            response = httpx.post(
                f"{self.base.rstrip('/')}/xrpc/app.bsky.video.uploadVideo",
                params={"did": account_did, "name": name},
                headers={"Authorization": f"Bearer {token}", "Content-Type": "video/mp4"},
                content=data,
                timeout=self.timeout_seconds,
            )
        except httpx.HTTPError as exc:  # nothing is posted yet: safe to try again
            raise NotSent(f"Bluesky video service unreachable: {short_error(exc)}") from exc
        try:
            body = response.json()
        except ValueError:
            body = {}
        job = body.get("jobStatus", body) if isinstance(body, dict) else {}
        if response.status_code in (200, 409) and job.get("jobId"):
            return job
        reason = f"{body.get('error', '')} {body.get('message', '')}".strip()
        message = f"Bluesky video upload refused ({response.status_code}): {reason}"
        if response.status_code == 429:
            raise RateLimited(message)
        if response.status_code >= 500:
            raise NotSent(message)
        raise Permanent(message)
