"""Claiming the next due post with 100,000 scheduled posts: `python -m benchmarks.publishing`.

Builds a fresh SQLite store (or the PostgreSQL database given with `--url`), fills it
with 100,000 scheduled posts spread over a year (a few hundred due), then times
`claim_next` (curation.posts.claims) (the atomic claim transaction with its lease) repeatedly.
Prints the median and p95 and, as its last line, `claim_ms: N` (the median).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from curation import consultations
from curation.access.actors import LOCAL_ADMIN
from curation.posts.claims import claim_next
from curation.store import Database
from curation.store.foundation import Respondent, Response
from curation.store.posts import Post
from curation.store.quotes import Quote

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
TEXT = "Buses are the lifeline of our town."


def _fill(db: Database, total: int, due: int) -> None:
    with db.session() as session:
        consultation = consultations.ensure_bundled(session, LOCAL_ADMIN)
        person = Respondent(
            consultation_id=consultation.id, source_key="bench", name="Ann", consent_to_quote=True
        )
        session.add(person)
        session.flush()
        response = Response(
            respondent_id=person.id,
            question_id=consultation.questions[0].id,
            text=TEXT,
            content_hash="0" * 64,
        )
        session.add(response)
        session.flush()
        quote = Quote(
            response_id=response.id,
            spans=[{"start": 0, "end": len(TEXT)}],
            text=TEXT,
            status="approved",
            created_by="bench",
            pd_findings=[],
        )
        session.add(quote)
        session.flush()
        quote_id = quote.id
    step = timedelta(days=365) / total
    rows = []
    for i in range(total):
        # The first `due` posts are due now; the rest spread over the coming year.
        at = NOW - timedelta(minutes=due - i) if i < due else NOW + step * i
        rows.append(
            {
                "quote_id": quote_id,
                "network": ("x", "bluesky", "mastodon", "outbox")[i % 4],
                "text": f"post {i}",
                "scheduled_at": at,
                "scheduled_local": "2026-03-10 12:00",
                "scheduled_fold": 0,
                "status": "scheduled",
                "attempts": 0,
                "idempotency_key": uuid.uuid4().hex,
                "created_by": "bench",
                "created_at": NOW,
                "updated_at": NOW,
            }
        )
    with db.engine.begin() as conn:
        for start in range(0, total, 10_000):
            conn.execute(insert(Post), rows[start : start + 10_000])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="a database URL (default: a fresh temporary SQLite file)")
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--claims", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        db = Database(url)
        db.migrate()
        started = time.perf_counter()
        _fill(db, args.posts, due=args.claims + 50)
        print(
            f"store: {db.engine.dialect.name}, {args.posts} scheduled posts "
            f"(filled in {time.perf_counter() - started:.1f}s)"
        )
        timings = []
        for i in range(args.claims):
            t0 = time.perf_counter()
            claim = claim_next(db, now=NOW, worker_id=f"bench-{i % 2}")
            timings.append((time.perf_counter() - t0) * 1000)
            assert claim is not None, "ran out of due posts"
        timings.sort()
        p95 = timings[int(len(timings) * 0.95) - 1]
        print(
            f"claims: {len(timings)}, median {statistics.median(timings):.2f} ms, p95 {p95:.2f} ms"
        )
        print(f"claim_ms: {statistics.median(timings):.2f}")
        db.dispose()


if __name__ == "__main__":
    main()
