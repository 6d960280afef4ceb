"""Time the Responses list at 100,000 responses: one page with filters, search and counts.

    python -m benchmarks.responses_list [--responses N] [--url DATABASE_URL]

Rows are bulk-inserted straight into a fresh store (no importer), then each query shape
is timed (best of 5) and printed as `name: milliseconds`. Without --url a temporary
SQLite file is used; pass a PostgreSQL URL of an EMPTY database to time PostgreSQL.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

from curation import consultations
from curation.access.actors import LOCAL_ADMIN
from curation.demo import respondents as demo
from curation.responses.browse import UK_REGIONS, ResponseFilter, exclusion_counts, list_responses
from curation.responses.themes import matching_themes
from curation.store import Database
from curation.store.foundation import Respondent, Response, ResponseTheme


def fill(db: Database, n_responses: int, seed: int = 11) -> int:
    """Bulk-insert respondents answering all ten questions; returns the consultation id."""
    rng = random.Random(seed)
    bank = demo._phrases()  # the demo's sentences make realistic, searchable text
    with db.session() as s:
        c = consultations.ensure_bundled(s, LOCAL_ADMIN)
        questions = [q.id for q in c.questions]
        themes = list(c.themes)
        people = n_responses // len(questions)
        start = datetime(2022, 2, 17, tzinfo=UTC)
        s.execute(insert(Respondent), [
            {"consultation_id": c.id, "source_key": f"b{i}", "source_ids": {},
             "name": f"Person {i}",
             "region": rng.choice(UK_REGIONS), "sector": rng.choice(demo.SECTORS),
             "consent_to_quote": rng.random() < 0.7, "anonymous": rng.random() < 0.15,
             "media_consent": False, "is_demo": False}
            for i in range(people)
        ])  # fmt: skip
        ids = [
            r for (r,) in s.execute(Respondent.__table__.select().with_only_columns(Respondent.id))
        ]
        rows = []
        for pid in ids:
            for number, qid in enumerate(questions, start=1):
                text = " ".join(rng.sample(bank[f"q{number}"]["points"], 2))
                rows.append({
                    "respondent_id": pid, "question_id": qid, "text": text, "kind": "text",
                    "submitted_at": start + timedelta(seconds=rng.randrange(40 * 86_400)),
                    "content_hash": hashlib.sha256(text.encode()).hexdigest(),
                })  # fmt: skip
        s.execute(insert(Response), rows)
        tags: list[dict[str, object]] = []
        for rid, text in s.execute(
            Response.__table__.select().with_only_columns(Response.id, Response.text)
        ):
            tags.extend({"response_id": rid, "theme_id": t.id, "source": "keyword"}
                        for t in matching_themes(text, themes))  # fmt: skip
        s.execute(insert(ResponseTheme), tags)
        return c.id


def best_ms(fn: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        db = Database(url)
        db.migrate()
        t = time.perf_counter()
        cid = fill(db, args.responses)
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does soon after a bulk load; without it the planner guesses.
            with db.engine.connect() as conn:
                conn.execute(text("ANALYZE"))
                conn.commit()
        print(f"backend: {db.engine.dialect.name}")
        print(f"fill seconds: {time.perf_counter() - t:.1f}")
        shapes = {
            "first page, no filter": (ResponseFilter(), 1),
            "page 200, no filter": (ResponseFilter(), 200),
            "question + region": (ResponseFilter(questions=(3,), regions=("Wales",)), 1),
            "mission filter": (ResponseFilter(themes=("transport",)), 1),
            "search one word": (ResponseFilter(search="broadband"), 1),
            "search two words + question": (ResponseFilter(search="bus rural", questions=(2,)), 1),
            "search rare word": (ResponseFilter(search="reshuffle"), 1),
        }
        with db.session() as s:
            for name, (flt, page) in shapes.items():

                def run(f: ResponseFilter = flt, p: int = page) -> object:
                    return list_responses(s, LOCAL_ADMIN, cid, f, page=p)

                ms = best_ms(run)
                total = list_responses(s, LOCAL_ADMIN, cid, flt, page=page).total
                print(f"{name} ms: {ms:.1f} (matching {total})")
            print(
                f"exclusion counts ms: {best_ms(lambda: exclusion_counts(s, LOCAL_ADMIN, cid)):.1f}"
            )
        db.dispose()


if __name__ == "__main__":
    main()
