"""The local outbox: a folder per post with the image (or audiogram video), alt text, post
text and a manifest.

It is the publisher for any network without credentials (so the product runs offline)
and the ready-to-post pack for networks posted by hand (LinkedIn, Instagram).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from curation.publishers.base import Connection, Media, Outgoing, Result

HAND_POSTED = ("linkedin", "instagram")


class OutboxPublisher:
    """Writes each post to `<outbox>/<network>/post-<id>/`; the folder name is the remote id."""

    def __init__(self, root: Path, network: str = "outbox") -> None:
        self.root = root
        self.network = network

    def _folder(self, post: Outgoing) -> Path:
        return self.root / post.network / f"post-{post.id}"

    def publish(self, post: Outgoing, media: Media | None) -> Result:
        folder = self._folder(post)
        folder.mkdir(parents=True, exist_ok=True)
        image_name = video_name = None
        if media is not None and media.path.is_file():
            if media.mime_type.startswith("video/"):
                video_name = "audiogram" + (media.path.suffix or ".mp4")
                shutil.copyfile(media.path, folder / video_name)
            else:
                image_name = "card" + (media.path.suffix or ".png")
                shutil.copyfile(media.path, folder / image_name)
        (folder / "post.txt").write_text(post.text + "\n", encoding="utf-8")
        if post.reply_text:
            (folder / "reply.txt").write_text(post.reply_text + "\n", encoding="utf-8")
        alt = media.alt_text if media is not None else (post.alt_text or "")
        (folder / "alt.txt").write_text(alt + "\n", encoding="utf-8")
        manifest = {
            "post_id": post.id,
            "network": post.network,
            "idempotency_key": post.idempotency_key,
            "scheduled_at": post.scheduled_at.isoformat(),
            "image": image_name,
            "video": video_name,
            "media_type": media.mime_type if media is not None else None,
            "alt_text": alt,
            "text": post.text,
            "reply_text": post.reply_text,
            "post_by_hand_on": list(HAND_POSTED),
        }
        tmp = folder / "manifest.json.tmp"
        tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        tmp.replace(folder / "manifest.json")  # the manifest appears last, whole
        return Result(remote_id=folder.name, url=folder.resolve().as_uri())

    def delete(self, remote_id: str) -> None:
        for folder in self.root.glob(f"*/{remote_id}"):
            if folder.is_dir() and folder.name.startswith("post-"):
                shutil.rmtree(folder)

    def find_existing(self, post: Outgoing) -> Result | None:
        folder = self._folder(post)
        if (folder / "manifest.json").is_file():
            return Result(remote_id=folder.name, url=folder.resolve().as_uri())
        return None

    def check_connection(self) -> Connection:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return Connection(ok=False, error=f"outbox folder not writable: {exc.strerror}")
        return Connection(ok=True, account=f"local outbox ({self.root})")
