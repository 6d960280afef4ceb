"""Where things live: the data directory, the database URL, the outbox.

Read from the environment each time so tests and several processes can point
the same code at different stores.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Runtime configuration, resolved from the environment."""

    data_dir: Path
    database_url: str
    assets_dir: Path

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def cards_dir(self) -> Path:
        return self.data_dir / "cards"


def make_private_dir(path: Path) -> Path:
    """Create `path` (with its parents) readable by its owner only (0700), if it is missing.

    An existing folder keeps its mode: someone may have shared it on purpose.
    """
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(path, 0o700)  # whatever the umask
    return path


def create_private_file(path: Path) -> Path:
    """Create an empty `path` readable by its owner only (0600), if it is missing.

    SQLite opens an empty file as an empty database and gives its -wal and -shm files the
    database file's mode, so a store created this way stays private.
    """
    make_private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path
    os.close(fd)
    os.chmod(path, 0o600)
    return path


def load_settings() -> Settings:
    """Settings from `CURATION_DATA_DIR`, `CURATION_DATABASE_URL`, `CURATION_ASSETS_DIR`."""
    data_dir = Path(os.environ.get("CURATION_DATA_DIR") or PROJECT_ROOT / "data")
    url = os.environ.get("CURATION_DATABASE_URL") or f"sqlite:///{data_dir / 'curation.sqlite3'}"
    assets = Path(os.environ.get("CURATION_ASSETS_DIR") or PROJECT_ROOT / "assets")
    return Settings(data_dir=data_dir, database_url=url, assets_dir=assets)
