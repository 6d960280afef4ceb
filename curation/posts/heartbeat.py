"""A publisher you can see: worker heartbeats, the status every page shows, publish-now.

Each worker writes one row (id, host, pid, start, last run, the last run's counts and the
networks it can reach) after every loop. A worker counts as running while its last run is
recent: within two intervals plus a minute of grace, so one slow run is not "down".
"""

from __future__ import annotations

import os
import socket
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from curation.config import LONDON
from curation.store import Database
from curation.store.base import utcnow
from curation.store.posts import WorkerHeartbeat

if TYPE_CHECKING:
    from curation.posts.worker import PublishOutcome

GRACE = timedelta(seconds=60)
NOT_RUNNING = "Publisher not running: posts will not go out"


def result_counts(outcomes: Iterable[PublishOutcome]) -> dict[str, int]:
    """How many posts ended in each status this run, plus the total handled."""
    counts = Counter(o.status for o in outcomes)
    return {"handled": sum(counts.values()), **dict(sorted(counts.items()))}


def beat(
    db: Database,
    worker_id: str,
    *,
    started_at: datetime,
    interval: float,
    networks: Iterable[str],
    last_result: Mapping[str, Any],
    now: datetime | None = None,
) -> None:
    """Record that `worker_id` just finished a run (one row per worker, updated in place)."""
    now = now or utcnow()
    with db.session() as session:
        row = session.get(WorkerHeartbeat, worker_id) or WorkerHeartbeat(worker_id=worker_id)
        row.host = socket.gethostname()[:255]
        row.pid = os.getpid()
        row.started_at = started_at
        row.last_run_at = now
        row.interval_seconds = float(interval)
        row.networks = ",".join(sorted(networks))[:200]
        row.last_result = dict(last_result)
        row.stopped_at = None
        session.add(row)


def stopped(db: Database, worker_id: str, now: datetime | None = None) -> None:
    """A worker that stops cleanly says so at once (the banner need not wait to go stale)."""
    with db.session() as session:
        row = session.get(WorkerHeartbeat, worker_id)
        if row is not None:
            row.stopped_at = now or utcnow()


def is_fresh(row: WorkerHeartbeat, now: datetime) -> bool:
    if row.stopped_at is not None:
        return False
    return now - row.last_run_at <= timedelta(seconds=2 * row.interval_seconds) + GRACE


@dataclass(frozen=True)
class PublisherStatus:
    running: int  # workers with a recent heartbeat
    last_run: datetime | None  # the newest run of any worker, running or not
    networks: tuple[str, ...]  # what the running workers can reach

    def label(self) -> str:
        """One line for the sidebar, times in Europe/London."""
        if not self.running or self.last_run is None:
            return NOT_RUNNING
        who = "Publisher running" if self.running == 1 else f"{self.running} publishers running"
        return f"{who} · last run {self.last_run.astimezone(LONDON):%H:%M}"


def publisher_status(session: Session, now: datetime | None = None) -> PublisherStatus:
    """Whether any worker is running now, from the heartbeats (no role needed: no personal data)."""
    now = now or utcnow()
    rows = list(session.scalars(select(WorkerHeartbeat)))
    fresh = [r for r in rows if is_fresh(r, now)]
    last = max((r.last_run_at for r in rows), default=None)
    networks = sorted({n for r in fresh for n in r.networks.split(",") if n})
    return PublisherStatus(len(fresh), last, tuple(networks))
