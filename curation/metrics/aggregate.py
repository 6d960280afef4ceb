"""Engagement figures from metric history, in pandas: totals, breakdowns, series, heatmap.

Everything here is pure: it takes two frames (one row per post, one row per snapshot,
see `curation.metrics.frames`) and returns frames or plain dicts, so it is tested
against hand-computed figures without a database.

Definitions (one place for each):
- a post's figures are its **latest** snapshot (history is kept, never overwritten);
- `engagements` is the snapshot's own figure where the network gave one (X), otherwise
  the sum of the interaction counters it did give (likes, reposts, replies, quotes,
  bookmarks, link and profile clicks);
- `engagement_rate` = engagements ÷ impressions, over posts whose impressions are known
  (Bluesky and Mastodon report none, so they do not inflate the rate);
- "debate" = replies + quotes;
- days, weekdays and hours are Europe/London wall time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from curation.config import LONDON

COUNTERS = [
    "impressions", "likes", "reposts", "replies", "quotes",
    "bookmarks", "link_clicks", "profile_clicks", "engagements",
]  # fmt: skip
INTERACTIONS = [
    "likes", "reposts", "replies", "quotes", "bookmarks", "link_clicks", "profile_clicks",
]  # fmt: skip
# Below this many posts the weekday × hour heatmap is flagged as thin.
HEATMAP_MIN_POSTS = 30

POST_COLUMNS = [
    "post_id", "network", "posted_at", "template", "format", "quote_id", "quote_text",
    "response_id", "question", "missions", "region", "sector", "remote_url", "is_demo",
]  # fmt: skip
SNAPSHOT_COLUMNS = ["post_id", "taken_at", *COUNTERS]


@dataclass(frozen=True)
class Filters:
    """Which posts count: London dates posted (inclusive) and networks (empty = all)."""

    start: date | None = None
    end: date | None = None
    networks: tuple[str, ...] = ()


GAIN_COLUMNS = ["hour", "gained"]


@dataclass
class Frames:
    """What the figures are computed from.

    `posts`: one row per published post (POST_COLUMNS). `latest`: each post's newest
    snapshot (post_id + COUNTERS, raw). `gains`: engagements gained per UTC hour (the
    rise of each snapshot over the post's previous one) for the posts the filters keep.
    The database loader computes `latest` and `gains` in SQL; `frames_from_history`
    computes the same from a full snapshot history in pandas (the reference).
    """

    posts: pd.DataFrame
    latest: pd.DataFrame
    gains: pd.DataFrame


def empty_frames() -> Frames:
    return Frames(
        pd.DataFrame(columns=POST_COLUMNS),
        pd.DataFrame(columns=["post_id", *COUNTERS]),
        pd.DataFrame(columns=GAIN_COLUMNS),
    )


def with_effective_engagements(snapshots: pd.DataFrame) -> pd.DataFrame:
    """Fill `engagements` from the interaction counters where the network gave no total."""
    out = snapshots.copy()
    for col in COUNTERS:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    summed = out[INTERACTIONS].sum(axis=1, min_count=1)
    out["engagements"] = out["engagements"].fillna(summed)
    return out


def latest_per_post(snapshots: pd.DataFrame) -> pd.DataFrame:
    """Each post's newest snapshot: post_id + raw COUNTERS."""
    if snapshots.empty:
        return pd.DataFrame(columns=["post_id", *COUNTERS])
    snaps = snapshots.sort_values(["post_id", "taken_at"], kind="stable")
    return snaps.groupby("post_id", sort=False)[COUNTERS].last().reset_index()


def gains_by_hour(snapshots: pd.DataFrame) -> pd.DataFrame:
    """Engagements gained per UTC hour: each snapshot's rise over the post's previous one."""
    if snapshots.empty:
        return pd.DataFrame(columns=GAIN_COLUMNS)
    snaps = with_effective_engagements(snapshots).sort_values(
        ["post_id", "taken_at"], kind="stable"
    )
    eng = snaps["engagements"].fillna(0)
    gained = (eng - eng.groupby(snaps["post_id"]).shift(1).fillna(0)).clip(lower=0)
    hour = pd.to_datetime(snaps["taken_at"], utc=True).dt.floor("h")
    out = gained.groupby(hour).sum().rename_axis("hour").reset_index(name="gained")
    return out[out["gained"] > 0].reset_index(drop=True)


def scoped_post_ids(posts: pd.DataFrame, filters: Filters) -> pd.Series:
    """The ids of the posts the filters keep (by London posting day and network)."""
    day = pd.to_datetime(posts["posted_at"], utc=True).dt.tz_convert(LONDON).dt.date
    table = posts.assign(day=day)
    return apply_filters(table, filters)["post_id"]


def frames_from_history(
    posts: pd.DataFrame, snapshots: pd.DataFrame, filters: Filters | None = None
) -> Frames:
    """Frames from a full snapshot history (the pandas reference for the SQL loader)."""
    keep = scoped_post_ids(posts, filters or Filters())
    scoped = snapshots[snapshots["post_id"].isin(keep)]
    return Frames(posts, latest_per_post(snapshots), gains_by_hour(scoped))


def post_table(frames: Frames) -> pd.DataFrame:
    """Posts with their latest figures and London posting time; posts without metrics get NaN."""
    posts = frames.posts.copy()
    latest = with_effective_engagements(frames.latest).set_index("post_id")[COUNTERS]
    table = posts.join(latest, on="post_id")
    for col in COUNTERS:
        table[col] = pd.to_numeric(table[col], errors="coerce").astype("float64")
    posted = pd.to_datetime(table["posted_at"], utc=True)
    table["posted_at"] = posted
    local = posted.dt.tz_convert(LONDON)
    table["day"] = local.dt.date
    table["weekday"] = local.dt.day_of_week
    table["hour"] = local.dt.hour
    table["debate"] = table["replies"].fillna(0) + table["quotes"].fillna(0)
    return table


def apply_filters(table: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    mask = pd.Series(True, index=table.index)
    if filters.start is not None:
        mask &= table["day"] >= filters.start
    if filters.end is not None:
        mask &= table["day"] <= filters.end
    if filters.networks:
        mask &= table["network"].isin(list(filters.networks))
    return table[mask]


def _rate(engagements_with_impr: float, impressions: float) -> float | None:
    return None if impressions <= 0 else round(engagements_with_impr / impressions, 6)


def totals(table: pd.DataFrame) -> dict[str, Any]:
    """Overall figures for the posts in `table` (ints, and the rate as a fraction or None)."""
    known = table["impressions"].notna()
    impressions = float(table["impressions"].sum())
    eng_known = float(table.loc[known, "engagements"].sum())
    return {
        "posts": len(table),
        "impressions": int(impressions),
        "engagements": int(table["engagements"].sum()),
        "engagement_rate": _rate(eng_known, impressions),
        "replies": int(table["replies"].sum()),
        "quotes": int(table["quotes"].sum()),
        "debate": int(table["debate"].sum()),
    }


def breakdown(table: pd.DataFrame, by: str) -> pd.DataFrame:
    """Figures per value of `by` (a post with several missions counts once under each)."""
    cols = ["posts", "impressions", "engagements", "replies", "quotes", "debate", "engagement_rate"]
    if table.empty:
        return pd.DataFrame(columns=[by, *cols])
    data = table.explode(by) if by == "missions" else table
    data = data.assign(
        **{by: data[by].fillna("(none)").astype(str).replace("", "(none)")},
        eng_known=data["engagements"].where(data["impressions"].notna(), 0.0),
    )
    grouped = data.groupby(by, sort=False).agg(
        posts=("post_id", "size"),
        impressions=("impressions", "sum"),
        engagements=("engagements", "sum"),
        replies=("replies", "sum"),
        quotes=("quotes", "sum"),
        debate=("debate", "sum"),
        eng_known=("eng_known", "sum"),
    )
    impressions = grouped["impressions"].replace(0, np.nan)
    grouped["engagement_rate"] = (grouped["eng_known"] / impressions).round(6)
    grouped = grouped.drop(columns="eng_known").reset_index()
    for col in ["posts", "impressions", "engagements", "replies", "quotes", "debate"]:
        grouped[col] = grouped[col].astype("int64")
    return grouped.sort_values(["engagements", by], ascending=[False, True], ignore_index=True)


def breakdown_dict(table: pd.DataFrame, by: str) -> dict[str, dict[str, Any]]:
    """`breakdown` as {value: {posts, impressions, ...}} for JSON."""
    out: dict[str, dict[str, Any]] = {}
    for row in breakdown(table, by).to_dict("records"):
        key = str(row.pop(by))
        rate = row["engagement_rate"]
        row["engagement_rate"] = None if pd.isna(rate) else float(rate)
        out[key] = {k: (int(v) if k != "engagement_rate" else v) for k, v in row.items()}
    return out


def summary(frames: Frames, filters: Filters | None = None) -> dict[str, Any]:
    """`{posts, impressions, engagements, engagement_rate, replies, quotes,
    by_question, by_mission}` for the posts the filters keep."""
    table = apply_filters(post_table(frames), filters or Filters())
    out = totals(table)
    out["by_question"] = breakdown_dict(table, "question")
    out["by_mission"] = breakdown_dict(table, "missions")
    return out


def per_post(table: pd.DataFrame) -> pd.DataFrame:
    """One row per post with its latest figures (for the CSV export and `summary --json`)."""
    cols = ["post_id", "network", "posted_at", "question", "template", "format", "region",
            "sector", "quote_id", "quote_text", "remote_url", *COUNTERS, "debate"]  # fmt: skip
    out = table[cols].copy()
    out["missions"] = table["missions"].map(lambda m: "; ".join(m) if isinstance(m, list) else "")
    return out.sort_values("posted_at", ignore_index=True)


def time_series(frames: Frames, table: pd.DataFrame) -> pd.DataFrame:
    """Per London day: posts published, their impressions and engagements, and engagements gained.

    "Gained" comes from the history (`frames.gains`): each snapshot's rise over the
    post's previous one, counted on the day the snapshot was taken.
    """
    cols = ["day", "posts", "impressions", "engagements", "engagements_gained"]
    if table.empty:
        return pd.DataFrame(columns=cols)
    by_post = table.groupby("day").agg(
        posts=("post_id", "size"),
        impressions=("impressions", "sum"),
        engagements=("engagements", "sum"),
    )
    gained = pd.Series(dtype="float64")
    if not frames.gains.empty:
        hours = pd.to_datetime(frames.gains["hour"], utc=True).dt.tz_convert(LONDON).dt.date
        gained = frames.gains["gained"].astype("float64").groupby(hours.to_numpy()).sum()
    start, end = table["day"].min(), table["day"].max()
    days = pd.Index(sorted(set(by_post.index) | set(gained.index)), name="day")
    out = by_post.reindex(days).fillna(0)
    out["engagements_gained"] = gained.reindex(days).fillna(0)
    out = out[(out.index >= start) & (out.index <= end)]
    return out.astype("int64").reset_index()


def heatmap(
    table: pd.DataFrame, *, min_posts: int = HEATMAP_MIN_POSTS
) -> tuple[pd.DataFrame, bool]:
    """Mean engagements per post by weekday (rows, Mon=0) × hour (columns 0-23); and `thin`."""
    grid = pd.DataFrame(np.nan, index=range(7), columns=range(24))
    grid.index.name, grid.columns.name = "weekday", "hour"
    if not table.empty:
        means = table.groupby(["weekday", "hour"])["engagements"].mean()
        for (wd, hr), value in means.items():
            grid.loc[int(wd), int(hr)] = value
    return grid, len(table) < min_posts


def top_quotes(table: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The quotes whose posts drew the most engagement, with a link to their best post."""
    cols = ["quote_id", "response_id", "quote_text", "question", "networks", "posts",
            "impressions", "engagements", "debate", "post_url"]  # fmt: skip
    if table.empty:
        return pd.DataFrame(columns=cols)
    best = table.sort_values("engagements", ascending=False, na_position="last")
    best = best.drop_duplicates("quote_id").set_index("quote_id")
    grouped = table.groupby("quote_id").agg(
        posts=("post_id", "size"),
        impressions=("impressions", "sum"),
        engagements=("engagements", "sum"),
        debate=("debate", "sum"),
        networks=("network", lambda s: ", ".join(sorted(set(s)))),
    )
    grouped["response_id"] = best["response_id"]
    grouped["quote_text"] = best["quote_text"]
    grouped["question"] = best["question"]
    grouped["post_url"] = best["remote_url"]
    for col in ["posts", "impressions", "engagements", "debate"]:
        grouped[col] = grouped[col].astype("int64")
    grouped = grouped.reset_index().sort_values(
        ["engagements", "debate", "quote_id"], ascending=[False, False, True]
    )
    return grouped[cols].head(n).reset_index(drop=True)


@dataclass
class Kpi:
    label: str
    value: float | None
    previous: float | None

    @property
    def change(self) -> float | None:
        """Relative change against the previous period (0.25 = +25%), None when not comparable."""
        if self.value is None or self.previous in (None, 0):
            return None
        return (self.value - self.previous) / self.previous


def previous_period(filters: Filters) -> Filters | None:
    """The same number of days immediately before the chosen range (None without a range)."""
    if filters.start is None or filters.end is None:
        return None
    days = (filters.end - filters.start).days + 1
    return Filters(
        filters.start - timedelta(days=days), filters.start - timedelta(days=1), filters.networks
    )


def kpis(table: pd.DataFrame, filters: Filters) -> list[Kpi]:
    """Tiles: posts, impressions, engagements, engagement rate, debate; each with its previous."""
    now_t = totals(apply_filters(table, filters))
    prev = previous_period(filters)
    prev_t = totals(apply_filters(table, prev)) if prev else None
    out = []
    for key, label in [("posts", "Posts"), ("impressions", "Impressions"),
                       ("engagements", "Engagements"), ("engagement_rate", "Engagement rate"),
                       ("debate", "Replies + quotes")]:  # fmt: skip
        out.append(Kpi(label, now_t[key], prev_t[key] if prev_t else None))
    return out


@dataclass
class EngagementView:
    """Everything the Engagement page and the HTML report show, for one choice of filters."""

    filters: Filters
    totals: dict[str, Any]
    kpis: list[Kpi]
    series: pd.DataFrame
    breakdowns: dict[str, pd.DataFrame]
    heatmap: pd.DataFrame
    heatmap_thin: bool
    heatmap_posts: int
    top_quotes: pd.DataFrame
    posts: pd.DataFrame
    networks: list[str] = field(default_factory=list)
    generated_at: datetime | None = None
    demo_posts: int = 0  # posts of the demo history among those counted


BREAKDOWNS = {
    "question": "Question",
    "missions": "Mission",
    "region": "Respondent region",
    "sector": "Respondent sector",
    "template": "Card template",
    "format": "Format",
    "network": "Network",
}


def build_view(frames: Frames, filters: Filters, *, now: datetime | None = None) -> EngagementView:
    """All figures for the page. The heatmap uses the whole history of the chosen networks."""
    full = post_table(frames)
    table = apply_filters(full, filters)
    history = apply_filters(full, Filters(networks=filters.networks))
    grid, thin = heatmap(history)
    return EngagementView(
        filters=filters,
        totals=totals(table),
        kpis=kpis(full, filters),
        series=time_series(frames, table),
        breakdowns={key: breakdown(table, key) for key in BREAKDOWNS},
        heatmap=grid,
        heatmap_thin=thin,
        heatmap_posts=len(history),
        top_quotes=top_quotes(table),
        posts=per_post(table),
        networks=sorted(full["network"].dropna().unique().tolist()),
        generated_at=now,
        demo_posts=int(table["is_demo"].fillna(False).astype(bool).sum()),
    )
