"""A believable published history with metric snapshots, so the Engagement page means something.

Built on the demo respondents (`curation.demo.respondents`): it picks quotable demo answers, quotes
their first sentence exactly, "publishes" posts over the past weeks on X, Bluesky and
Mastodon and records snapshots that grow and level off. Everything hangs off demo
respondents (removed with them, by cascade) and every snapshot is `is_demo`; the sync
never asks a network about these posts. A seeded RNG makes it the same every time.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import regex
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from curation.config import LONDON
from curation.rights.gate import ConsentGate
from curation.store.foundation import Respondent, Response
from curation.store.metrics import MetricSnapshot
from curation.store.posts import Post, PostStatus
from curation.store.quotes import Quote, QuoteStatus

DEMO_METRICS_SEED = 20260301
DEMO_POSTS = 72
DEMO_WEEKS = 6
TEMPLATES = ("bold", "band", "editorial")  # the card templates in curation.cards.templates
FORMATS = ("square", "landscape", "portrait")
NETWORK_WEIGHTS = {"x": 0.5, "bluesky": 0.3, "mastodon": 0.2}
# Hours after posting at which snapshots were "taken".
SNAPSHOT_HOURS = (1, 3, 6, 12, 24, 48, 96, 168, 336, 504)
# A whole sentence: starts the text or follows a full stop, begins with a capital.
_SENTENCE = regex.compile(r"(?:^|(?<=[.!?]\s))\p{Lu}[^.!?\n]{30,240}[.!?]")


@dataclass(frozen=True)
class DemoMetricsReport:
    posts: int
    snapshots: int
    created: bool


def _first_sentence(text: str) -> tuple[int, int] | None:
    match = _SENTENCE.search(text)
    return (match.start(), match.end()) if match else None


def _local_slot(rng: random.Random, day: datetime) -> datetime:
    """A posting time on `day`, mostly in office hours, London wall time, as UTC."""
    hour = rng.choice([8, 9, 10, 12, 12, 13, 13, 15, 17, 18, 19, 20])
    local = datetime(day.year, day.month, day.day, hour, rng.choice([0, 15, 30, 45]), tzinfo=LONDON)
    return local.astimezone(day.tzinfo)


def _appeal(rng: random.Random, local: datetime, question: int, network: str) -> float:
    """How strongly a post lands: lunchtime and evenings midweek do better, as do some questions."""
    hour_boost = {12: 1.5, 13: 1.4, 18: 1.3, 19: 1.35, 8: 1.1}.get(local.hour, 0.8)
    day_boost = 1.25 if local.weekday() in (1, 2, 3) else (0.7 if local.weekday() >= 5 else 1.0)
    question_boost = 1.0 + 0.15 * ((question * 7) % 5)
    network_scale = {"x": 1.0, "bluesky": 0.55, "mastodon": 0.35}[network]
    return hour_boost * day_boost * question_boost * network_scale * rng.lognormvariate(0, 0.35)


def _counters(final: dict[str, int], share: float, network: str) -> dict[str, int | None]:
    got = {k: round(v * share) for k, v in final.items()}
    if network != "x":  # Bluesky and Mastodon report no impressions or clicks
        return {
            "impressions": None,
            "likes": got["likes"],
            "reposts": got["reposts"],
            "replies": got["replies"],
            "quotes": got["quotes"],
            "bookmarks": None,
            "link_clicks": None,
            "profile_clicks": None,
            "engagements": None,
        }
    engagements = sum(
        got[k]
        for k in (
            "likes",
            "reposts",
            "replies",
            "quotes",
            "bookmarks",
            "link_clicks",
            "profile_clicks",
        )
    )
    return {**got, "engagements": engagements}


def seed_demo_metrics(
    session: Session, consultation_id: int, *, now: datetime, posts: int = DEMO_POSTS
) -> DemoMetricsReport:
    """Add the demo publishing history and its snapshots (once per consultation)."""
    demo_posts = (
        select(func.count(MetricSnapshot.id))
        .join(Post, MetricSnapshot.post_id == Post.id)
        .join(Quote, Post.quote_id == Quote.id)
        .join(Response, Quote.response_id == Response.id)
        .join(Respondent, Response.respondent_id == Respondent.id)
        .where(Respondent.consultation_id == consultation_id, MetricSnapshot.is_demo.is_(True))
    )
    if session.scalar(demo_posts):
        return DemoMetricsReport(0, 0, created=False)
    rng = random.Random(DEMO_METRICS_SEED)
    candidates = (
        session.execute(
            select(Response)
            .join(Respondent, Response.respondent_id == Respondent.id)
            .where(
                Respondent.consultation_id == consultation_id,
                Respondent.is_demo.is_(True),
                Response.kind == "text",
                ConsentGate().sql_filter(),
            )
            .order_by(Response.id)
        )
        .scalars()
        .all()
    )
    spans = [(r, s) for r in candidates if (s := _first_sentence(r.text))]
    if not spans:
        return DemoMetricsReport(0, 0, created=False)
    chosen = rng.sample(spans, min(len(spans), max(1, posts * 2 // 3)))
    quotes = []
    for response, (start, end) in chosen:
        quote = Quote(
            response_id=response.id,
            spans=[{"start": start, "end": end}],
            text=response.text[start:end],
            status=QuoteStatus.PUBLISHED.value,
            created_by="demo",
            approved_by="demo",
            approved_at=now,
            created_at=now,
        )
        session.add(quote)
        quotes.append((quote, response))
    session.flush()
    start_day = now - timedelta(weeks=DEMO_WEEKS)
    networks, weights = zip(*NETWORK_WEIGHTS.items(), strict=True)
    snapshot_rows: list[dict[str, object]] = []
    made = 0
    for i in range(posts):
        quote, response = quotes[i % len(quotes)]
        day = start_day + timedelta(days=DEMO_WEEKS * 7 * i / posts)
        posted = _local_slot(rng, day)
        if posted >= now - timedelta(hours=2):
            continue
        network = rng.choices(networks, weights)[0]
        local = posted.astimezone(LONDON)
        appeal = _appeal(rng, local, response.question.number, network)
        impressions = int(900 * appeal) + rng.randint(50, 300)
        final = {
            "impressions": impressions,
            "likes": int(impressions * 0.025 * rng.uniform(0.6, 1.4)),
            "reposts": int(impressions * 0.006 * rng.uniform(0.5, 1.5)),
            "replies": int(impressions * 0.004 * appeal * rng.uniform(0.4, 1.6)),
            "quotes": int(impressions * 0.0015 * appeal * rng.uniform(0.3, 1.7)),
            "bookmarks": int(impressions * 0.003 * rng.uniform(0.5, 1.5)),
            "link_clicks": int(impressions * 0.008 * rng.uniform(0.5, 1.5)),
            "profile_clicks": int(impressions * 0.004 * rng.uniform(0.5, 1.5)),
        }
        key = hashlib.sha256(f"demo-metrics:{consultation_id}:{i}".encode()).hexdigest()[:32]
        post = Post(
            quote_id=quote.id,
            network=network,
            text=quote.text,
            template=rng.choice(TEMPLATES),
            format=rng.choice(FORMATS),
            scheduled_at=posted,
            scheduled_local=local.strftime("%Y-%m-%d %H:%M"),
            status=PostStatus.POSTED.value,
            idempotency_key=key,
            remote_id=f"demo-{key[:12]}",
            remote_url=f"https://demo.invalid/{network}/{key[:12]}",
            posted_at=posted,
            created_by="demo",
            created_at=posted,
        )
        session.add(post)
        session.flush()
        made += 1
        for hours in SNAPSHOT_HOURS:
            taken = posted + timedelta(hours=hours)
            if taken > now:
                break
            share = 1 - math.exp(-hours / 30)  # most engagement comes in the first two days
            snapshot_rows.append(
                {
                    "post_id": post.id,
                    "taken_at": taken,
                    "source": "demo",
                    "is_demo": True,
                    **_counters(final, share, network),
                }
            )
    if snapshot_rows:
        session.execute(insert(MetricSnapshot), snapshot_rows)
    return DemoMetricsReport(made, len(snapshot_rows), created=True)
