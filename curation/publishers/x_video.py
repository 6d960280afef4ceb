"""X's chunked v2 video upload, sent through tweepy's signed `Client.request`.

INIT (`POST /2/media/upload/initialize`, `InitializeMediaUploadRequest`: media_type,
total_bytes, media_category tweet_video), one APPEND per segment (`POST
/2/media/upload/{id}/append`, `AppendMediaUploadRequest`: base64 media and segment_index
0..999, JSON like the one-shot image upload), FINALIZE (`POST .../{id}/finalize`, no body),
then `GET /2/media/upload?command=STATUS&media_id=...` until `processing_info.state` is
`succeeded` (openapi.json; states pending, in_progress, failed, succeeded). X refuses a
media id in a post until processing has succeeded.

The sleep and clock are injectable so tests poll without waiting.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from typing import Any

import tweepy

from curation.publishers.base import Media, NotSent, Permanent

# x-api/media/quickstart/media-upload-chunked.mdx appends 1 MB chunks; as base64 JSON that
# is about 1.4 MB a request, well inside what X accepts.
SEGMENT_BYTES = 1024 * 1024
MAX_SEGMENTS = 1000  # segment_index runs 0..999
PROCESSING_TIMEOUT_SECONDS = 300.0
DEFAULT_CHECK_AFTER_SECONDS = 2.0


class ChunkedVideoUpload:
    """Uploads one MP4 in segments and waits for X to finish processing it."""

    def __init__(
        self,
        client: tweepy.Client,
        *,
        user_auth: bool,
        segment_bytes: int = SEGMENT_BYTES,
        timeout_seconds: float = PROCESSING_TIMEOUT_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.user_auth = user_auth
        self.segment_bytes = segment_bytes
        self.timeout_seconds = timeout_seconds
        self.sleep = sleep
        self.clock = clock

    def _call(
        self, method: str, route: str, *, json: Any = None, params: Any = None
    ) -> dict[str, Any]:
        response = self.client.request(
            method, route, params=params, json=json, user_auth=self.user_auth
        )
        if not response.content:
            return {}
        body = response.json()
        return body if isinstance(body, dict) else {}

    def upload(self, media: Media) -> str:
        """The media id of the processed video, ready for `create_tweet(media_ids=...)`."""
        data = media.read()
        if not data:
            raise Permanent("the video file is empty")
        segments = [
            data[i : i + self.segment_bytes] for i in range(0, len(data), self.segment_bytes)
        ]
        if len(segments) > MAX_SEGMENTS:
            raise Permanent(f"the video needs {len(segments)} segments; X allows {MAX_SEGMENTS}")
        init = self._call(
            "POST",
            "/2/media/upload/initialize",
            json={
                "media_type": media.mime_type,
                "total_bytes": len(data),
                "media_category": "tweet_video",
            },
        )
        media_id = str(init["data"]["id"])
        for index, segment in enumerate(segments):
            self._call(
                "POST",
                f"/2/media/upload/{media_id}/append",
                json={"media": base64.b64encode(segment).decode("ascii"), "segment_index": index},
            )
        finalized = self._call("POST", f"/2/media/upload/{media_id}/finalize")
        self._wait(media_id, finalized.get("data", {}).get("processing_info"))
        return media_id

    def _wait(self, media_id: str, info: dict[str, Any] | None) -> None:
        """Poll STATUS while X processes the video (no processing_info: ready at once)."""
        deadline = self.clock() + self.timeout_seconds
        while info and info.get("state") != "succeeded":
            if info.get("state") == "failed":
                break
            if self.clock() >= deadline:
                # Nothing has been posted: the worker may retry the whole upload later.
                raise NotSent(f"X was still processing video {media_id} after the timeout")
            wait = info.get("check_after_secs") or DEFAULT_CHECK_AFTER_SECONDS
            self.sleep(float(wait))
            status = self._call(
                "GET", "/2/media/upload", params={"command": "STATUS", "media_id": media_id}
            )
            info = status.get("data", {}).get("processing_info")
        if info and info.get("state") == "failed":
            error = info.get("error") or {}
            reason = error.get("message") or error.get("name") or "processing failed"
            raise Permanent(f"X could not process the video: {reason}")
