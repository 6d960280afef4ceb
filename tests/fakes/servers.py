"""Fake X, Bluesky and Mastodon HTTP servers on 127.0.0.1, recording every request.

Each runs a ThreadingHTTPServer in a daemon thread. Tests drive them with the real
tweepy, atproto and Mastodon.py clients and assert on `server.requests`. Failures are
injected with `server.fail_next(path_prefix, status, body, headers)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.fakes.base import FakeServer, Recorded, _Failure  # noqa: F401  (re-exported)
from tests.fakes.fake_bluesky import FakeBluesky, FakeVideoService  # noqa: F401
from tests.fakes.fake_mastodon import FakeMastodon
from tests.fakes.fake_x import FakeX


@dataclass
class Fakes:
    x: FakeX = field(default_factory=FakeX)
    mastodon: FakeMastodon = field(default_factory=FakeMastodon)
    bluesky: FakeBluesky = field(default_factory=FakeBluesky)

    def close(self) -> None:
        for server in (self.x, self.mastodon, self.bluesky):
            server.close()
