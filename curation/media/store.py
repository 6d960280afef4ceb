"""Content-addressed media storage under `settings.media_dir`: one file per distinct content."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from curation.config import Settings, load_settings
from curation.errors import NotFound

_CHUNK = 1024 * 1024


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def relative_path_for(sha256: str, extension: str) -> str:
    """Where content with this hash lives, relative to the media directory."""
    return f"{sha256[:2]}/{sha256}.{extension}"


def store_file(
    source: Path, extension: str, *, settings: Settings | None = None, media_dir: Path | None = None
) -> tuple[str, str]:
    """Copy `source` into the store (once per content) and return `(sha256, relative_path)`."""
    root = media_dir or (settings or load_settings()).media_dir
    sha = sha256_of(source)
    rel = relative_path_for(sha, extension)
    target = root / rel
    if target.exists() and target.stat().st_size == source.stat().st_size:
        return sha, rel
    target.parent.mkdir(parents=True, exist_ok=True)
    # Copy to a temporary name first so a crash never leaves a half file under the hash.
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as out, source.open("rb") as src:
            shutil.copyfileobj(src, out, _CHUNK)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return sha, rel


def absolute_path(relative: str, *, settings: Settings | None = None) -> Path:
    """The stored file for `relative`, refusing paths that would leave the media directory."""
    root = (settings or load_settings()).media_dir.resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root):
        raise NotFound("media path outside the media directory")
    if not path.is_file():
        raise NotFound(f"media file {relative} is missing from the media directory")
    return path
