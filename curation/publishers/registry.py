"""Which publisher serves each network, and where account credentials come from.

Credentials come from the environment (`CURATION_X_*`, `CURATION_BLUESKY_*`,
`CURATION_MASTODON_*`) or `.streamlit/secrets.toml` ([x], [bluesky], [mastodon]),
read here with tomllib. They are never logged, and stored in the database only where
the network rotates them (X's OAuth 2.0 refresh token, see `x_oauth2`). A
network without credentials has no publisher: its posts wait as "not connected" until
it is connected. The outbox is a destination of its own ("ready to post by hand").
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

from curation.config import PROJECT_ROOT, load_settings
from curation.publishers.base import Publisher, PublishError
from curation.publishers.outbox import OutboxPublisher
from curation.store.posts import NETWORKS, SOCIAL_NETWORKS

_ENV_KEYS: dict[str, tuple[str, ...]] = {
    "x": (
        "consumer_key",
        "consumer_secret",
        "access_token",
        "access_token_secret",
        "oauth2_client_id",
        "oauth2_client_secret",
        "oauth2_refresh_token",
        "bearer_token",  # only to say why an app-only token cannot post
        "api_base",
    ),
    # video_base (CURATION_BLUESKY_VIDEO_BASE): the video service, https://video.bsky.app
    "bluesky": ("handle", "app_password", "base", "video_base"),
    "mastodon": ("access_token", "base"),
}


class NotConnected(PublishError):
    """The network has no credentials here: its posts wait as "not connected"."""


def _secrets_file() -> Path | None:
    for folder in (Path.cwd(), PROJECT_ROOT):
        candidate = folder / ".streamlit" / "secrets.toml"
        if candidate.is_file():
            return candidate
    return None


def _secrets(network: str) -> Mapping[str, object]:
    path = _secrets_file()
    if path is None:
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    section = data.get(network, {})
    return section if isinstance(section, dict) else {}


def credentials(network: str) -> dict[str, str]:
    """The configured values for `network` (environment first, then secrets.toml)."""
    found: dict[str, str] = {}
    section = _secrets(network)
    for key in _ENV_KEYS.get(network, ()):
        value = os.environ.get(f"CURATION_{network.upper()}_{key.upper()}") or section.get(key)
        if value:
            found[key] = str(value)
    return found


def configured(network: str) -> bool:
    """Whether real credentials exist for `network` (else its posts wait, "not connected")."""
    found = credentials(network)
    if network == "x":  # OAuth 1.0a or OAuth 2.0 user context; never app-only
        from curation.publishers.x import credential_problem

        return credential_problem(found) is None
    if network == "bluesky":
        return bool(found.get("handle") and found.get("app_password"))
    if network == "mastodon":
        return bool(found.get("access_token"))
    return False


def configuration_problem(network: str) -> str | None:
    """Why `network` cannot publish with what is configured (e.g. X's app-only token)."""
    if network == "x":
        from curation.publishers.x import credential_problem

        return credential_problem(credentials("x"))
    return None if network == "outbox" or configured(network) else "no credentials"


def publisher_for(network: str, *, outbox_root: Path | None = None) -> Publisher:
    """The publisher for `network`: the outbox, or the real client (NotConnected without
    credentials; never the outbox in a network's place)."""
    settings = load_settings()
    if network == "outbox":
        return OutboxPublisher(outbox_root or settings.outbox_dir, network)
    if network in SOCIAL_NETWORKS and not configured(network):
        raise NotConnected(f"{network} is not connected: {configuration_problem(network)}")
    found = credentials(network)
    if network == "x":
        from curation.publishers.x import XPublisher
        from curation.publishers.x_oauth2 import SettingTokenStore

        # OAuth 2.0 refresh tokens rotate: the current pair lives in `settings`.
        return XPublisher.from_credentials(
            found, token_store=SettingTokenStore(settings.database_url)
        )
    if network == "bluesky":
        from curation.publishers.bluesky import BlueskyPublisher

        return BlueskyPublisher.from_credentials(
            found, session_file=settings.data_dir / "bluesky-session.txt"
        )
    if network == "mastodon":
        from curation.publishers.mastodon import MastodonPublisher

        return MastodonPublisher.from_credentials(found)
    raise ValueError(f"unknown network {network!r}")


def connected_networks() -> tuple[str, ...]:
    """The outbox and every network with credentials here."""
    return tuple(n for n in NETWORKS if n == "outbox" or configured(n))


def publishers_from_environment() -> dict[str, Publisher]:
    """A publisher per connected network; the others are absent (their posts wait)."""
    return {network: publisher_for(network) for network in connected_networks()}
