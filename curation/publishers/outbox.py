"""The outbox: a destination chosen on purpose, for posts a person publishes by hand.

Each post becomes a pack, a folder `<outbox>/<network>/post-<id>/` with the image (or
audiogram video), the alt text, the post text and a manifest; the same files can be
downloaded as one zip. Nothing here reaches a network, so a pack is "ready to post by
hand", never "posted": a person posts it (LinkedIn, Instagram, anywhere) and records the
real URL. It is never a silent stand-in for a network without credentials.
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

from curation.publishers.base import Connection, Media, Outgoing, Result

HAND_POSTED = ("linkedin", "instagram")
MANIFEST = "manifest.json"


def pack_files(post: Outgoing, media: Media | None) -> dict[str, bytes]:
    """The pack's files by name; the manifest names every other file."""
    files: dict[str, bytes] = {}
    image_name = video_name = None
    if media is not None and media.path.is_file():
        if media.mime_type.startswith("video/"):
            video_name = "audiogram" + (media.path.suffix or ".mp4")
            files[video_name] = media.read()
        else:
            image_name = "card" + (media.path.suffix or ".png")
            files[image_name] = media.read()
    files["post.txt"] = (post.text + "\n").encode("utf-8")
    if post.reply_text:
        files["reply.txt"] = (post.reply_text + "\n").encode("utf-8")
    alt = media.alt_text if media is not None else (post.alt_text or "")
    files["alt.txt"] = (alt + "\n").encode("utf-8")
    manifest: dict[str, Any] = {
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
    files[MANIFEST] = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
    return files


def pack_zip(post: Outgoing, media: Media | None) -> bytes:
    """The pack as one zip (built in memory from the post, so any dashboard can offer it)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in pack_files(post, media).items():
            archive.writestr(f"post-{post.id}/{name}", data)
    return buffer.getvalue()


def pack_folder(root: Path, network: str, post_id: int) -> Path:
    return root / network / f"post-{post_id}"


def remove_pack(root: Path, network: str, post_id: int) -> bool:
    """Delete a post's pack folder (withdrawal); True when there was one."""
    folder = pack_folder(root, network, post_id)
    if folder.is_dir():
        shutil.rmtree(folder)
        return True
    return False


class OutboxPublisher:
    """Writes each post's pack to `<outbox>/<network>/post-<id>/`; no network is called."""

    by_hand = True  # the worker marks its posts "ready to post by hand", never "posted"

    def __init__(self, root: Path, network: str = "outbox") -> None:
        self.root = root
        self.network = network

    def _folder(self, post: Outgoing) -> Path:
        return pack_folder(self.root, post.network, post.id)

    def publish(self, post: Outgoing, media: Media | None) -> Result:
        folder = self._folder(post)
        folder.mkdir(parents=True, exist_ok=True)
        files = pack_files(post, media)
        manifest = files.pop(MANIFEST)
        for name, data in files.items():
            (folder / name).write_bytes(data)
        tmp = folder / (MANIFEST + ".tmp")
        tmp.write_bytes(manifest)
        tmp.replace(folder / MANIFEST)  # the manifest appears last, whole
        return Result(remote_id=folder.name, url=None, receipt={"pack": sorted([*files, MANIFEST])})

    def delete(self, remote_id: str) -> None:
        for folder in self.root.glob(f"*/{remote_id}"):
            if folder.is_dir() and folder.name.startswith("post-"):
                shutil.rmtree(folder)

    def find_existing(self, post: Outgoing) -> Result | None:
        folder = self._folder(post)
        if (folder / MANIFEST).is_file():
            return Result(remote_id=folder.name, url=None)
        return None

    def check_connection(self) -> Connection:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return Connection(ok=False, error=f"outbox folder not writable: {exc.strerror}")
        return Connection(ok=True, account=f"local outbox ({self.root})")
