"""Engagement page speed: `python -m benchmarks.engagement`.

Builds a throwaway SQLite store with 5,000 published posts × 30 metric snapshots
(150,000 rows), then times, warm, the median of a few runs of:
- the page's work without Streamlit: load frames, aggregate, build its three figures;
- a whole AppTest run of app_pages/engagement.py (what a manager waits for).
The last line is `engagement_page_seconds: N` (the AppTest run); target ≤ 2 s.
"""

from __future__ import annotations

import hashlib
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

POSTS = 5_000
SNAPSHOTS = 30
RUNS = 3


def _build(db_url: str) -> int:
    from sqlalchemy import insert

    from curation import consultations
    from curation.access.actors import LOCAL_ADMIN
    from curation.store import Database
    from curation.store.foundation import Respondent, Response, ResponseTheme
    from curation.store.metrics import MetricSnapshot
    from curation.store.posts import Post
    from curation.store.quotes import Quote

    rng = random.Random(7)
    db = Database(db_url)
    db.migrate()
    now = datetime.now(UTC)
    with db.session() as session:
        c = consultations.ensure_bundled(session, LOCAL_ADMIN)
        cid, questions, themes = c.id, [q.id for q in c.questions], [t.id for t in c.themes]
    regions = ["Wales", "London", "North East", "Scotland", "South West", "Yorkshire"]
    sectors = ["charity", "business", "local government", "individual"]
    with db.session() as session:
        session.execute(insert(Respondent), [
            {"id": i + 1, "consultation_id": cid, "source_key": f"b{i}", "name": f"P {i}",
             "region": rng.choice(regions), "sector": rng.choice(sectors),
             "consent_to_quote": True, "anonymous": False, "media_consent": False,
             "is_demo": False, "created_at": now, "updated_at": now}
            for i in range(POSTS)])  # fmt: skip
        text = "Give towns the power to decide what success looks like for them."
        session.execute(insert(Response), [
            {"id": i + 1, "respondent_id": i + 1, "question_id": questions[i % len(questions)],
             "text": text, "kind": "text", "content_hash": "0", "created_at": now}
            for i in range(POSTS)])  # fmt: skip
        session.execute(insert(ResponseTheme), [
            {"response_id": i + 1, "theme_id": themes[i % len(themes)], "source": "keyword"}
            for i in range(POSTS)])  # fmt: skip
        session.execute(insert(Quote), [
            {"id": i + 1, "response_id": i + 1, "spans": [{"start": 0, "end": len(text)}],
             "text": text, "status": "published", "created_by": "bench", "created_at": now,
             "updated_at": now, "pd_findings": []}
            for i in range(POSTS)])  # fmt: skip
        posts: list[dict[str, Any]] = []
        for i in range(POSTS):
            posted = now - timedelta(days=rng.uniform(0, 120))
            posts.append({
                "id": i + 1, "quote_id": i + 1, "network": rng.choice(["x", "bluesky", "mastodon"]),
                "text": text, "template": rng.choice(["bold", "band", "editorial"]),
                "format": rng.choice(["square", "portrait", "landscape"]),
                "scheduled_at": posted, "scheduled_local": "2026-01-01 12:00",
                "scheduled_fold": 0, "status": "posted", "attempts": 0,
                "idempotency_key": hashlib.sha256(str(i).encode()).hexdigest()[:32],
                "remote_id": str(10**18 + i), "remote_url": f"https://x.com/i/web/status/{i}",
                "posted_at": posted, "created_by": "bench", "created_at": posted,
                "updated_at": posted,
            })  # fmt: skip
        session.execute(insert(Post), posts)
        rows = []
        for p in posts:
            likes = 0
            for k in range(SNAPSHOTS):
                likes += rng.randint(0, 5)
                taken = p["posted_at"] + timedelta(hours=k * 6)
                rows.append(
                    {
                        "post_id": p["id"],
                        "taken_at": taken,
                        "impressions": likes * 40 if p["network"] == "x" else None,
                        "likes": likes,
                        "reposts": likes // 4,
                        "replies": likes // 6,
                        "quotes": likes // 10,
                        "source": "api",
                        "is_demo": False,
                    }
                )
        session.execute(insert(MetricSnapshot), rows)
    db.dispose()
    return cid


def _time(fn: object) -> float:
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-engagement-"))
    os.environ["CURATION_DATA_DIR"] = str(tmp)
    os.environ["CURATION_DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    url = os.environ["CURATION_DATABASE_URL"]
    start = time.perf_counter()
    cid = _build(url)
    print(f"built {POSTS} posts × {SNAPSHOTS} snapshots in {time.perf_counter() - start:.1f} s")

    from streamlit.testing.v1 import AppTest

    from curation.access.actors import Actor, Role
    from curation.metrics import engagement_view
    from curation.metrics.aggregate import Filters
    from curation.metrics.charts import (
        brand_palette,
        breakdown_figure,
        heatmap_figure,
        series_figure,
    )
    from curation.store import Database

    manager = Actor("bench-manager", Role.APPROVER)
    db = Database(url)
    today = datetime.now(UTC).date()

    def core() -> None:
        with db.session() as session:
            view = engagement_view(
                session, manager, cid, Filters(today - timedelta(days=27), today)
            )
        palette = brand_palette()  # the same three figures the page draws
        series_figure(view.series, palette)
        breakdown_figure(view.breakdowns["question"], "question", palette)
        heatmap_figure(view.heatmap, palette, thin=view.heatmap_thin)

    page = Path(__file__).resolve().parent.parent / "app_pages" / "engagement.py"

    def app_run() -> None:
        at = AppTest.from_file(str(page), default_timeout=120)
        at.session_state["actor"] = manager
        at.session_state["consultation_id"] = cid
        at.run()
        if at.exception:
            sys.exit(f"the page failed: {at.exception[0].message}")

    core()
    app_run()  # warm: imports, migrations check, caches
    core_s = _time(core)
    page_s = _time(app_run)
    print(f"aggregation_and_figures_seconds: {core_s:.3f}")
    print(f"engagement_page_seconds: {page_s:.3f}")


if __name__ == "__main__":
    main()
