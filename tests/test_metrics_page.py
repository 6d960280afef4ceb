"""The Engagement page (AppTest) and the demo publishing history it shows on first run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from curation.access.actors import LOCAL_ADMIN, Actor
from curation.demo import respondents as demo
from curation.demo.metrics import seed_demo_metrics
from curation.metrics import engagement_view
from curation.store import Database
from curation.store.base import utcnow
from curation.store.foundation import Consultation
from curation.store.metrics import MetricSnapshot
from tests.metrics_fixtures import published_post

PAGE = str(Path(__file__).resolve().parent.parent / "app_pages" / "engagement.py")


def _seed_demo(db: Database, consultation: Consultation, now: datetime) -> None:
    with db.session() as session:
        c = session.get(Consultation, consultation.id)
        assert c is not None
        demo.seed_demo(session, LOCAL_ADMIN, c, now=now)
        seed_demo_metrics(session, c.id, now=now)


def _top_quotes(at: AppTest) -> Any:
    """The top-quotes table (the only one with a quote_text column)."""
    return next(d.value for d in at.dataframe if "quote_text" in d.value.columns)


def _page(actor: Actor) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["actor"] = actor
    return at


def test_demo_history_is_believable_and_marked(
    db: Database, consultation: Consultation, approver: Actor, now: datetime
) -> None:
    """Weeks of posts on three networks, snapshots growing over time, all marked demo."""
    _seed_demo(db, consultation, now)
    with db.session() as session:
        view = engagement_view(session, approver, consultation.id, now=now)
        flags = session.execute(
            select(MetricSnapshot.is_demo, func.count()).group_by(MetricSnapshot.is_demo)
        ).all()
    assert dict(flags) == {True: dict(flags)[True]} and dict(flags)[True] > 300
    assert view.totals["posts"] >= 60
    assert set(view.networks) == {"x", "bluesky", "mastodon"}
    assert view.totals["engagement_rate"] is not None and 0 < view.totals["engagement_rate"] < 0.2
    assert len(view.breakdowns["question"]) >= 5
    assert view.series["engagements_gained"].sum() > 0
    assert not view.heatmap_thin
    days = view.posts["posted_at"]
    assert days.min() < now - timedelta(weeks=5) and days.max() <= now


def test_demo_metrics_are_seeded_once(
    db: Database, consultation: Consultation, now: datetime
) -> None:
    """Seeding again adds nothing."""
    _seed_demo(db, consultation, now)
    with db.session() as session:
        again = seed_demo_metrics(session, consultation.id, now=now)
    assert again.created is False


def test_manager_sees_every_chart_on_demo_data(
    db: Database, consultation: Consultation, approver: Actor
) -> None:
    """Tiles, the series, each of the seven breakdowns, the heatmap, top quotes, two downloads."""
    _seed_demo(db, consultation, utcnow())
    at = _page(approver)
    at.run()
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert labels == ["Posts", "Impressions", "Engagements", "Engagement rate", "Replies + quotes"]
    assert int(at.metric[0].value.replace(",", "")) > 0
    assert len(at.get("plotly_chart")) == 3  # series, the chosen breakdown, heatmap
    for by in ["missions", "region", "sector", "template", "format", "network"]:
        at.segmented_control(key="engagement_breakdown").set_value(by).run()
        assert not at.exception
        table = next(d.value for d in at.dataframe if by in d.value.columns)
        assert len(table) >= 2, by
    top = _top_quotes(at)
    assert len(top) == 10 and top["post_url"].str.startswith("https://").all()
    assert len(at.get("download_button")) == 2
    assert any("fictional demo history" in i.value for i in at.info)


def test_network_filter_narrows_the_figures(
    db: Database, consultation: Consultation, approver: Actor
) -> None:
    """Choosing Mastodon only shows fewer posts than all networks."""
    _seed_demo(db, consultation, utcnow())
    at = _page(approver)
    at.run()
    all_posts = int(at.metric[0].value.replace(",", ""))
    at.multiselect(key="engagement_networks").set_value(["mastodon"]).run()
    assert not at.exception
    assert 0 < int(at.metric[0].value.replace(",", "")) < all_posts


def test_empty_store_says_so_and_flags_thin_data(
    db: Database, consultation: Consultation, approver: Actor
) -> None:
    """With nothing published the page explains itself instead of failing."""
    with db.session() as session:  # a store with data, so first-run demo seeding stays away
        c = session.get(Consultation, consultation.id)
        assert c is not None
        published_post(session, c, network="x", status="scheduled")
    at = _page(approver)
    at.run()
    assert not at.exception
    assert any("No published posts" in i.value for i in at.info)
    assert any("Thin data" in w.value for w in at.warning)


def test_respondent_text_is_shown_only_as_data(
    db: Database, consultation: Consultation, approver: Actor
) -> None:
    """A quote holding markup appears in the table as text, never as markdown or HTML."""
    nasty = "<b>Bold</b> **claims** about [links](javascript:alert(1)) in Hull today."
    with db.session() as session:
        c = session.get(Consultation, consultation.id)
        assert c is not None
        post = published_post(
            session,
            c,
            network="x",
            remote_id="1",
            text=nasty,
            posted_at=utcnow() - timedelta(days=1),
        )
        session.add(MetricSnapshot(post_id=post.id, taken_at=utcnow(), likes=3, source="api"))
    at = _page(approver)
    at.run()
    assert not at.exception
    assert _top_quotes(at)["quote_text"].tolist() == [nasty]
    rendered = [m.value for m in at.markdown] + [c.value for c in at.caption]
    assert not any("Bold" in text for text in rendered)


@pytest.mark.parametrize("role_actor", ["viewer", "curator"])
def test_staff_without_the_permission_are_refused(
    db: Database, role_actor: str, request: pytest.FixtureRequest
) -> None:
    """Viewers and curators cannot open the Engagement page."""
    at = _page(request.getfixturevalue(role_actor))
    at.run()
    assert not at.exception
    assert at.error and "cannot use this page" in at.error[0].value


def test_withdrawn_respondent_text_is_not_shown(
    db: Database, consultation: Consultation, approver: Actor
) -> None:
    """Once a respondent withdraws, their words leave the top-quotes table (numbers stay)."""
    with db.session() as session:
        c = session.get(Consultation, consultation.id)
        assert c is not None
        post = published_post(
            session, c, network="x", remote_id="1", posted_at=utcnow() - timedelta(days=1)
        )
        session.add(MetricSnapshot(post_id=post.id, taken_at=utcnow(), likes=3, source="api"))
        from curation.store.posts import Post
        from curation.store.quotes import Quote

        stored = session.get(Post, post.id)
        assert stored is not None
        quote = session.get(Quote, stored.quote_id)
        assert quote is not None
        quote.response.respondent.withdrawn_at = datetime(2026, 1, 1, tzinfo=UTC)
    with db.session() as session:
        view = engagement_view(session, approver, consultation.id)
    assert view.totals["engagements"] == 3
    assert view.top_quotes["quote_text"].isna().all()


def test_removing_the_demo_takes_its_published_history_with_it(
    db: Database, consultation: Consultation, now: datetime
) -> None:
    """Demo posts and snapshots hang off demo respondents and go when the demo is removed."""
    _seed_demo(db, consultation, now)
    with db.session() as session:
        c = session.get(Consultation, consultation.id)
        assert c is not None
        demo.remove_demo(session, LOCAL_ADMIN, c)
    with db.session() as session:
        assert session.scalar(select(func.count(MetricSnapshot.id))) == 0


def test_one_day_series_gets_a_days_wide_axis() -> None:
    """A series with one day has a padded date range with day ticks and a day-wide bar."""
    import pandas as pd

    from curation.metrics.charts import DAY_MS, brand_palette, series_figure

    series = pd.DataFrame(
        {"day": [datetime(2026, 11, 3).date()], "engagements": [5], "engagements_gained": [2]}
    )
    fig = series_figure(series, brand_palette())
    first, last = (pd.Timestamp(x) for x in fig.layout.xaxis.range)
    assert (first, last) == (pd.Timestamp("2026-11-02"), pd.Timestamp("2026-11-04"))
    assert fig.layout.xaxis.dtick == DAY_MS
    assert fig.data[0].width == 0.8 * DAY_MS
