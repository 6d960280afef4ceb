"""Engagement aggregation against figures worked out by hand (see the table in `frames`)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from curation.metrics.aggregate import (
    POST_COLUMNS,
    SNAPSHOT_COLUMNS,
    Filters,
    Frames,
    build_view,
    empty_frames,
    frames_from_history,
    heatmap,
    kpis,
    post_table,
    summary,
    time_series,
    top_quotes,
)
from curation.store import Database


def _t(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def frames() -> Frames:
    """Four posts of three quotes; post 1 has two snapshots, post 4 none.

    post 1  x         Mon 2 Mar 09:30  Q1  Pay, Health  latest: impr 400, eng 40, rep 3, quo 1
    post 2  bluesky   Tue 3 Mar 18:10  Q1  Pay, Health  no impr, eng = 6+2+2+1 = 11, rep 2, quo 1
    post 3  x         Thu 5 Mar 12:00  Q4  Pay          impr 600, eng 30, rep 4, quo 2
    post 4  mastodon  Fri 6 Mar 12:00  Q4  -            no snapshot
    """
    posts = pd.DataFrame.from_records(
        [
            (1, "x", _t(2, 9, 30), "bold", "square", 10, "Words one", 100,
             "Q1 Pandemic inequalities", ["Pay", "Health"], "Wales", "Charity",
             "https://x.example/1", False),
            (2, "bluesky", _t(3, 18, 10), "bold", "portrait", 10, "Words one", 100,
             "Q1 Pandemic inequalities", ["Pay", "Health"], "Wales", "Charity",
             "https://bsky.example/2", False),
            (3, "x", _t(5, 12), "calm", "square", 11, "Words two", 101,
             "Q4 Defining success", ["Pay"], "London", "Business", "https://x.example/3", False),
            (4, "mastodon", _t(6, 12), "calm", "landscape", 12, None, 102,
             "Q4 Defining success", [], "London", None, "https://masto.example/4", False),
        ],
        columns=POST_COLUMNS,
    )  # fmt: skip
    nan = None
    snapshots = pd.DataFrame.from_records(
        [
            (1, _t(2, 12), 100, 5, 1, 1, 0, nan, nan, nan, 10),
            (1, _t(3, 12), 400, 20, 4, 3, 1, nan, nan, nan, 40),
            (2, _t(4, 9), nan, 6, 2, 2, 1, nan, nan, nan, nan),
            (3, _t(6, 9), 600, 10, 2, 4, 2, 1, nan, nan, 30),
        ],
        columns=SNAPSHOT_COLUMNS,
    )
    return frames_from_history(posts, snapshots)


def test_summary_uses_latest_snapshot_and_known_impressions_for_the_rate(frames: Frames) -> None:
    """Totals take each post's newest snapshot; the rate ignores posts without impressions."""
    out = summary(frames)
    assert {k: out[k] for k in ["posts", "impressions", "engagements", "replies", "quotes"]} == {
        "posts": 4, "impressions": 1000, "engagements": 81, "replies": 9, "quotes": 4,
    }  # fmt: skip
    assert out["engagement_rate"] == pytest.approx(0.07)  # (40 + 30) / 1000


def test_summary_by_question_and_mission(frames: Frames) -> None:
    """Per question and per mission; a post with two missions counts under both."""
    out = summary(frames)
    q1 = out["by_question"]["Q1 Pandemic inequalities"]
    assert (q1["posts"], q1["impressions"], q1["engagements"], q1["replies"], q1["quotes"]) == (
        2, 400, 51, 5, 2,
    )  # fmt: skip
    assert q1["engagement_rate"] == pytest.approx(0.1)
    q4 = out["by_question"]["Q4 Defining success"]
    assert (q4["posts"], q4["engagements"], q4["engagement_rate"]) == (2, 30, pytest.approx(0.05))
    assert out["by_mission"]["Pay"]["posts"] == 3
    assert out["by_mission"]["Pay"]["engagements"] == 81
    assert out["by_mission"]["Health"]["engagements"] == 51
    assert out["by_mission"]["(none)"]["posts"] == 1


def test_network_filter(frames: Frames) -> None:
    """Filtering to X keeps posts 1 and 3 only."""
    out = summary(frames, Filters(networks=("x",)))
    assert (out["posts"], out["engagements"], out["impressions"]) == (2, 70, 1000)


def test_time_series_counts_posts_by_london_day_and_gains_from_history(frames: Frames) -> None:
    """Each day's posts and their engagements; gains are rises between snapshots."""
    table = post_table(frames)
    series = time_series(frames, table).set_index("day")
    assert series.loc[date(2026, 3, 2), "engagements"] == 40
    assert series.loc[date(2026, 3, 2), "engagements_gained"] == 10
    assert series.loc[date(2026, 3, 3), "engagements_gained"] == 30  # 40 - 10
    assert series.loc[date(2026, 3, 4), "posts"] == 0
    assert series.loc[date(2026, 3, 4), "engagements_gained"] == 11
    assert series["engagements_gained"].sum() == 81


def test_heatmap_is_in_london_time_and_flags_thin_data(frames: Frames) -> None:
    """Mean engagements per weekday × hour; four posts are too few to trust."""
    grid, thin = heatmap(post_table(frames))
    assert grid.loc[0, 9] == 40  # Monday 09:30 GMT
    assert grid.loc[1, 18] == 11
    assert grid.loc[3, 12] == 30
    assert math.isnan(grid.loc[4, 12])  # no metrics yet
    assert thin is True
    _, thin_small_threshold = heatmap(post_table(frames), min_posts=4)
    assert thin_small_threshold is False


def test_heatmap_follows_british_summer_time() -> None:
    """A post at 11:00 UTC in July is 12:00 in London."""
    posts = pd.DataFrame.from_records(
        [(1, "x", datetime(2026, 7, 1, 11, tzinfo=UTC), None, None, 1, None, 1, "Q1", [],
          None, None, None, False)], columns=POST_COLUMNS)  # fmt: skip
    snaps = pd.DataFrame.from_records(
        [(1, datetime(2026, 7, 2, tzinfo=UTC), 10, 1, 0, 0, 0, 0, 0, 0, 1)],
        columns=SNAPSHOT_COLUMNS)  # fmt: skip
    grid, _ = heatmap(post_table(frames_from_history(posts, snaps)))
    assert grid.loc[2, 12] == 1  # Wednesday 12:00 BST


def test_top_quotes_group_posts_of_one_quote(frames: Frames) -> None:
    """Quote 10 leads with both of its posts' engagements; its best post is linked."""
    top = top_quotes(post_table(frames))
    assert top["quote_id"].tolist() == [10, 11, 12]
    first = top.iloc[0]
    assert (first["posts"], first["engagements"], first["debate"]) == (2, 51, 7)
    assert first["networks"] == "bluesky, x"
    assert first["post_url"] == "https://x.example/1"
    assert first["response_id"] == 100


def test_kpis_compare_with_the_previous_period(frames: Frames) -> None:
    """4-6 March against 1-3 March: 2 posts each, engagements 30 against 51."""
    chosen = Filters(date(2026, 3, 4), date(2026, 3, 6))
    tiles = {k.label: k for k in kpis(post_table(frames), chosen)}
    assert (tiles["Posts"].value, tiles["Posts"].previous) == (2, 2)
    assert tiles["Engagements"].value == 30
    assert tiles["Engagements"].previous == 51
    assert tiles["Engagements"].change == pytest.approx((30 - 51) / 51)
    assert tiles["Engagement rate"].value == pytest.approx(0.05)
    assert tiles["Replies + quotes"].previous == 7


def test_view_with_no_posts_is_empty_not_an_error() -> None:
    """A store with nothing published yields zeros and empty tables."""
    view = build_view(empty_frames(), Filters())
    assert view.totals["posts"] == 0
    assert view.totals["engagement_rate"] is None
    assert view.top_quotes.empty
    assert view.heatmap_thin is True


def test_database_loader_agrees_with_the_pandas_reference(any_db: Database) -> None:
    """Latest snapshots and hourly gains computed in SQL match the pandas computation."""
    from curation import consultations
    from curation.access.actors import LOCAL_ADMIN
    from curation.metrics.frames import load_frames
    from curation.store.metrics import MetricSnapshot
    from tests.metrics_fixtures import published_post

    rows = []
    with any_db.session() as session:
        c = consultations.ensure_bundled(session, LOCAL_ADMIN)
        cid = c.id
        for i, (network, posted) in enumerate(
            [("x", _t(2, 9, 30)), ("bluesky", _t(3, 18, 10)), ("x", _t(5, 23, 30))]
        ):
            post = published_post(
                session, c, network=network, remote_id=str(i), posted_at=posted, question=1 + i
            )
            for k, (likes, eng) in enumerate([(2, None), (5, 9), (4, None), (8, 12)]):
                taken = posted + timedelta(hours=5 * k + i)
                values = {
                    "likes": likes,
                    "replies": k,
                    "engagements": eng,
                    "impressions": 100 * (k + 1) if network == "x" else None,
                }
                session.add(MetricSnapshot(post_id=post.id, taken_at=taken, source="api", **values))
                rows.append(
                    (
                        post.id,
                        taken,
                        values["impressions"],
                        likes,
                        None,
                        k,
                        None,
                        None,
                        None,
                        None,
                        eng,
                    )
                )
    snapshots = pd.DataFrame.from_records(rows, columns=SNAPSHOT_COLUMNS)
    chosen = Filters(date(2026, 3, 3), date(2026, 3, 5), ("x", "bluesky"))
    with any_db.session() as session:
        loaded = load_frames(session, cid, chosen)
    reference = frames_from_history(loaded.posts, snapshots, chosen)
    got, want = build_view(loaded, chosen), build_view(reference, chosen)
    assert got.totals == want.totals
    pd.testing.assert_frame_equal(got.series, want.series)
    assert got.series["engagements_gained"].sum() > 0
    pd.testing.assert_frame_equal(
        loaded.gains.reset_index(drop=True),
        reference.gains.reset_index(drop=True),
        check_dtype=False,
    )
