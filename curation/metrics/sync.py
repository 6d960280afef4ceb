"""`sync_metrics`: read every published post's counters from its network and store a snapshot.

Network calls happen outside any database transaction; each network's snapshots are
written in a unit of work of their own, so one network failing (or hitting its rate
limit) keeps what the others, and its own earlier batches, already read.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from curation import audit
from curation.access.actors import Actor, Permission, require
from curation.metrics.fetchers import FETCHERS, FetchFailed, RateLimitHit
from curation.store import Database
from curation.store.base import utcnow
from curation.store.foundation import Respondent, Response
from curation.store.metrics import COUNTERS, MetricSnapshot
from curation.store.posts import Post, PostStatus
from curation.store.quotes import Quote

log = logging.getLogger(__name__)


@dataclass
class NetworkReport:
    network: str
    posts: int = 0  # published posts with a remote id
    stored: int = 0  # snapshots written
    missing: int = 0  # posts the network no longer knows (deleted there)
    fallback_public: bool = False  # X refused private metrics; public ones stored
    rate_limited: bool = False  # stopped early this run; the rest waits for the next
    rate_limit_reset: datetime | None = None
    error: str | None = None
    skipped: str | None = None  # why the network was not asked at all


@dataclass
class SyncReport:
    taken_at: datetime
    networks: dict[str, NetworkReport] = field(default_factory=dict)

    @property
    def stored(self) -> int:
        return sum(r.stored for r in self.networks.values())

    @property
    def ok(self) -> bool:
        return not any(r.error for r in self.networks.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "taken_at": self.taken_at.isoformat(),
            "stored": self.stored,
            "networks": {k: asdict(v) for k, v in self.networks.items()},
        }


def default_clients() -> dict[str, Any]:
    """The publishers of the configured networks (each holds its library client).

    Credentials handling lives in `curation.publishers.registry`; a network without
    credentials has no client here (its posts went to the outbox and have no metrics).
    A client that cannot even be built is given as the exception, reported per network.
    """
    from curation.publishers import registry

    clients: dict[str, Any] = {}
    for network in FETCHERS:
        if not registry.configured(network):
            continue
        try:
            clients[network] = registry.publisher_for(network)
        except Exception as exc:  # one network's broken setup must not stop the others
            clients[network] = exc
    return clients


def _posted(session: Session) -> dict[str, dict[str, int]]:
    """network -> remote id -> post id, for published posts on networks with metrics."""
    rows = session.execute(
        select(Post.id, Post.network, Post.remote_id)
        .join(Quote, Post.quote_id == Quote.id)
        .join(Response, Quote.response_id == Response.id)
        .join(Respondent, Response.respondent_id == Respondent.id)
        .where(
            Respondent.is_demo.is_(False),  # demo history was never on a network
            Post.status == PostStatus.POSTED.value,
            Post.network.in_(list(FETCHERS)),
            Post.remote_id.is_not(None),
        )
    ).all()
    out: dict[str, dict[str, int]] = {}
    for post_id, network, remote_id in rows:
        out.setdefault(network, {})[str(remote_id)] = post_id
    return out


def _store(
    session: Session, by_remote: Mapping[str, int], batch: Mapping[str, Any], now: datetime
) -> int:
    stored = 0
    for remote_id, counters in batch.items():
        post_id = by_remote.get(remote_id)
        if post_id is None or all(counters.get(c) is None for c in COUNTERS):
            continue
        session.add(
            MetricSnapshot(
                post_id=post_id,
                taken_at=now,
                source="api",
                is_demo=False,
                **{c: counters.get(c) for c in COUNTERS},
            )
        )
        stored += 1
    return stored


def _sync_network(
    session: Session,
    network: str,
    client: Any,
    by_remote: dict[str, int],
    report: NetworkReport,
    now: datetime,
) -> None:
    if isinstance(client, BaseException):
        report.error = f"{network}: cannot connect ({type(client).__name__})"
        return
    fetcher = FETCHERS[network](client)
    fetcher.as_of = now  # X asks private metrics only of posts under 30 days old at `now`
    try:
        for batch in fetcher.fetch(list(by_remote)):
            report.stored += _store(session, by_remote, batch, now)
            session.flush()
    except RateLimitHit as exc:
        report.rate_limited = True
        report.rate_limit_reset = exc.reset_at
    except FetchFailed as exc:
        report.error = str(exc)
    except Exception as exc:  # one network's surprise must not stop the others
        log.warning("metrics: %s sync failed: %s", network, type(exc).__name__)
        report.error = f"{network}: {type(exc).__name__}"
    report.missing = len(fetcher.notes.missing)
    report.fallback_public = fetcher.notes.fallback_public


def sync_metrics(
    session: Database | Session,
    actor: Actor,
    *,
    clients: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> SyncReport:
    """Fetch every published post's metrics and store one time-stamped snapshot per post.

    `session` is a Database (each network written in its own unit of work, the usual
    way) or a Session the caller commits. `clients` maps a network ("x", "bluesky",
    "mastodon") to its library client
    (tweepy.Client, atproto.Client, mastodon.Mastodon); by default the configured ones.
    Outbox posts have no metrics and are not asked about.
    """
    require(actor, Permission.SYNC_METRICS)
    now = now or utcnow()
    clients = default_clients() if clients is None else clients
    report = SyncReport(taken_at=now)
    if isinstance(session, Session):
        borrowed = session
        _sync_all(lambda: _Borrowed(borrowed), actor, clients, report, now)
    else:
        _sync_all(session.session, actor, clients, report, now)
    return report


class _Borrowed:
    """A caller's session used as a unit of work without committing it (the caller does)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def __enter__(self) -> Session:
        return self.session

    def __exit__(self, *exc: object) -> None:
        return None


def _sync_all(
    unit: Any, actor: Actor, clients: Mapping[str, Any], report: SyncReport, now: datetime
) -> None:
    with unit() as session:
        posted = _posted(session)
    for network in FETCHERS:
        by_remote = posted.get(network, {})
        net = report.networks[network] = NetworkReport(network, posts=len(by_remote))
        if not by_remote:
            net.skipped = "no published posts"
            continue
        client = clients.get(network)
        if client is None:
            net.skipped = "no credentials configured"
            continue
        with unit() as session:
            _sync_network(session, network, client, by_remote, net, now)
            audit.record(session, actor, "metrics.sync", "network", network, {
                "posts": net.posts, "stored": net.stored, "missing": net.missing,
                "rate_limited": net.rate_limited, "fallback_public": net.fallback_public,
                "error": net.error,
            }, now=now)  # fmt: skip
